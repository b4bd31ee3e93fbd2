import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { BlockClass, BlockNotFoundError, BlockReader, NVM, PermissionDeniedError } from '@hvs-nvm/nvm';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { runFixture, type Child } from '../support/child.js';

let srv: TempNatsServer;
let dir: string;
const replicas: Child[] = [];
const randn = (d: number) => Array.from({ length: d }, () => Math.random() * 2 - 1);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-projector-'));
});
afterAll(async () => {
  for (const r of replicas) await r.kill9();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startReplica(id: string, extra: string[] = []): Child {
  const child = runFixture(
    'apps/projector/src/main.ts',
    ['--data-dir', dir, '--replica', id, '--collection', 'remote', '--dimension', '8', '--geometry', 'euclidean', ...extra],
    { NATS_URL: srv.url, HVS_NVM_ENCODER: 'hashing' },
  );
  replicas.push(child);
  return child;
}

it('answers every query through two projector replicas while one is killed with kill -9', async () => {
  await using writer = await HVS.open({ storagePath: join(dir, 'w'), natsUrl: srv.url, collection: 'remote', dimension: 8 });
  await writer.batchStoreVectors(Array.from({ length: 300 }, (_, i) => ({ vector: randn(8), metadata: { i } })));
  const a = startReplica('a');
  const b = startReplica('b');
  await a.until((l) => l.length > 0);
  await b.until((l) => l.length > 0);
  await using client = await HVS.open({
    storagePath: join(dir, 'c'),
    natsUrl: srv.url,
    collection: 'remote',
    dimension: 8,
    projection: 'remote',
  });
  // Read-your-writes through the remote projection: the write's position travels with the query.
  const id = await client.storeVector(randn(8), { mine: true });
  expect((await client.retrieveVector(id)).metadata).toEqual({ mine: true });
  expect(await client.count()).toBe(301);

  let answered = 0;
  for (let q = 0; q < 300; q++) {
    if (q === 100) await a.kill9();
    const hits = await client.semanticSearch(randn(8), { k: 5, filter: { i: { $lt: 150 } } });
    expect(hits).toHaveLength(5);
    answered++;
  }
  expect(answered).toBe(300);
});

it('serves the NVM block view through two replicas: reads, permissions, read-your-writes, and kill -9 of one', async () => {
  const namespace = 'remotens';
  await using writer = await NVM.open({ natsUrl: srv.url, storagePath: join(dir, 'nvm-w'), namespace, actor: 'alice', encoder: hashingEncoder() });
  const doc = await writer.createBlock({ name: 'guide', blockClass: BlockClass.DOCUMENTATION, content: 'how agents share memory' });
  await writer.createBlock({
    name: 'private',
    blockClass: BlockClass.PROGRAM_STATE,
    content: 'alice only',
    permissions: { read: ['alice'], write: ['alice'] },
  });
  const a = startReplica('na', ['--namespace', namespace]);
  const b = startReplica('nb', ['--namespace', namespace]);
  await a.until((l) => l.length > 0);
  await b.until((l) => l.length > 0);
  await using bob = await BlockReader.open({ natsUrl: srv.url, namespace, actor: 'bob' });
  await using alice = await BlockReader.open({ natsUrl: srv.url, namespace, actor: 'alice' });

  // The same answers a local NVM gives, with the reader's permissions.
  const got = await bob.getBlock(doc.id);
  expect(got).toEqual(await writer.getBlock(doc.id));
  expect(got.createdAt).toBeInstanceOf(Date);
  expect((await bob.getBlockByName('guide'))?.id).toBe(doc.id);
  expect(await bob.getBlockByName('private')).toBeNull();
  expect((await bob.listBlocks()).map((x) => x.name)).toEqual(['guide']);
  expect((await alice.listBlocks()).map((x) => x.name).sort()).toEqual(['guide', 'private']);
  await expect(bob.getBlock('no-such-block')).rejects.toBeInstanceOf(BlockNotFoundError);
  const privateId = (await alice.getBlockByName('private'))!.id;
  await expect(bob.getBlock(privateId)).rejects.toBeInstanceOf(PermissionDeniedError);

  // Read-your-writes: the writer's position travels with the query.
  const updated = await writer.updateBlock(doc.id, 'how agents share memory, version two');
  const seen = await bob.getBlock(doc.id, { minPosition: writer.lastWritePosition });
  expect(seen.version).toBe(updated.version);
  expect(seen.content).toBe('how agents share memory, version two');
  expect((await bob.blockHistory(doc.id, { minPosition: writer.lastWritePosition })).map((h) => h.version)).toEqual([1, 2]);
  const hits = await bob.semanticQuery('how agents share memory', { k: 1, minPosition: writer.lastWritePosition });
  expect(hits[0]?.block.id).toBe(doc.id);

  // One replica dies mid-stream: every read is still answered.
  let answered = 0;
  for (let q = 0; q < 200; q++) {
    if (q === 60) await a.kill9();
    expect((await bob.getBlock(doc.id)).id).toBe(doc.id);
    answered++;
  }
  expect(answered).toBe(200);
});
