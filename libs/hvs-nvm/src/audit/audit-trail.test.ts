// Audit trails against a real nats-server: who changed what, in which call, and what it was before and after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { BlockClass, PermissionDeniedError } from '@hvs-nvm/nvm';
import { withCall } from '@hvs-nvm/eventstore';
import { HVSNVMIntegration } from '../integration.js';
import { AuditSubjectNotFoundError } from './audit-trail.js';

let srv: TempNatsServer;
let dir: string;
let integ: HVSNVMIntegration;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-audit-'));
  integ = await HVSNVMIntegration.open({
    hvsPath: join(dir, 'hvs'),
    nvmPath: join(dir, 'nvm'),
    natsUrl: srv.url,
    collection: 'audit',
    namespace: 'audit',
    encoder: hashingEncoder(64),
  });
});
afterAll(async () => {
  await integ.close();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit', () => {
  it('a block: every version with its actor, before and after, and a readable diff', async () => {
    const block = await integ.nvm.createBlock({
      name: 'audited',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'line one\nline two\n',
      permissions: { read: ['alice', 'bob'], write: ['alice', 'bob'] },
    });
    await integ.nvm.as('alice').updateBlock(block.id, 'line one\nline 2\n');
    await integ.nvm.as('bob').updateBlock(block.id, 'line one\nline 2\nline three\n');
    const trail = await integ.audit(block.id);
    expect(trail.map((e) => [e.type, e.actor])).toEqual([
      ['BlockCreated', 'system'],
      ['BlockUpdated', 'alice'],
      ['BlockUpdated', 'bob'],
    ]);
    expect(trail[1]).toMatchObject({
      before: 'line one\nline two\n',
      after: 'line one\nline 2\n',
      store: 'nvm',
      stream: `block.${block.id}`,
    });
    expect(trail[1]!.diff).toContain('-line two\n+line 2');
    expect(trail[2]!.diff).toContain('+line three');
    expect(trail.every((e) => typeof e.correlationId === 'string' && e.eventId)).toBe(true);
    // Each call is its own: three calls, three correlation ids.
    expect(new Set(trail.map((e) => e.correlationId)).size).toBe(3);
    // Permissions apply: carol may not read the block, so she may not read its audit either.
    await expect(integ.audit(block.id, { actor: 'carol' })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await integ.audit(block.id, { actor: 'alice' })).toHaveLength(3);
  });

  it('a stored content: its block and its vector, one call, the vector caused by the block', async () => {
    const id = await integ.store('NATS JetStream keeps every event.', { metadata: { topic: 'nats' } });
    const trail = await integ.audit(id);
    const created = trail.find((e) => e.type === 'BlockCreated')!;
    const stored = trail.find((e) => e.type === 'VectorStored')!;
    expect(created).toBeDefined();
    expect(stored.correlationId).toBe(created.correlationId);
    expect(stored.causationId).toBe(trail.filter((e) => e.store === 'nvm').at(-1)!.eventId);
    expect(stored.after).toMatchObject({ metadata: { topic: 'nats', type: 'content' }, dimension: 64 });
    await integ.hvs.deleteVector(id);
    const after = await integ.audit(id, { kind: 'vector' });
    expect(after.at(-1)).toMatchObject({ type: 'VectorDeleted', before: { topic: 'nats' } });
  });

  it('a caller-given correlation id is carried by every event of the call', async () => {
    await withCall(async () => {
      await integ.hvs.storeVector(new Float32Array(64).fill(0.1), { n: 1 }, { id: 'corr-1' });
      await integ.hvs.storeVector(new Float32Array(64).fill(0.2), { n: 2 }, { id: 'corr-1' });
    }, 'req-42');
    const trail = await integ.audit('corr-1');
    expect(trail.map((e) => e.correlationId)).toEqual(['req-42', 'req-42']);
    expect(trail[1]!.causationId).toBe(trail[0]!.eventId);
    expect(trail[1]).toMatchObject({ before: { n: 1 }, after: { metadata: { n: 2 } } });
  });

  it('a mailbox is audited by its owner only; an unknown id is a 404', async () => {
    await integ.hvs.sendMessage('carol', 'dora', { hello: 1 });
    const trail = await integ.audit('dora', { kind: 'mailbox' });
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ type: 'MessageSent', after: { from: 'carol', to: 'dora', body: { hello: 1 } } });
    expect(await integ.audit('dora', { actor: 'dora' })).toHaveLength(1);
    await expect(integ.audit('dora', { actor: 'carol', kind: 'mailbox' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const missing = await integ.audit('nothing-here').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AuditSubjectNotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'AUDIT_SUBJECT_NOT_FOUND' });
  });
});
