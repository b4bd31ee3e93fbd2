// Forks of a whole world against a real nats-server: a fork reads its parent's history in place, the two diverge
// both ways, a fork reopens, lists and deletes without touching its parent; a fork with another encoder answers
// with it (its content re-embedded from the log); promote points an alias at a fork.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { BlockClass } from '@hvs-nvm/nvm';
import { HVSNVMIntegration } from '../integration.js';
import { SharedKnowledgeBase } from '../patterns/knowledge-base.js';

const encoder = hashingEncoder(64);
let srv: TempNatsServer;
let dir: string;
let integ: HVSNVMIntegration;
let blockId: string;
let alphaId: string;

const openOptions = () => ({ hvsPath: join(dir, 'hvs'), nvmPath: join(dir, 'nvm'), natsUrl: srv.url, encoder });
const contents = async (world: HVSNVMIntegration) =>
  (await world.query('memory about agents', { k: 10 }))
    .map((r) => r.content)
    .filter((c) => c.endsWith('memory about agents'))
    .sort();

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-fork-'));
  integ = await HVSNVMIntegration.open(openOptions());
  alphaId = await integ.store('alpha memory about agents');
  blockId = (await integ.nvm.createBlock({ name: 'plan', blockClass: BlockClass.DOCUMENTATION, content: 'plan v1' })).id;
  await new SharedKnowledgeBase(integ.nvm, integ.hvs, encoder).addFact('sky', 'is', 'blue', 'test');
  await integ.hvs.sendMessage('model_a', 'model_b', { n: 1 });
});
afterAll(async () => {
  await integ?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('forks', () => {
  it('a fork starts with its parent history, then neither sees the other’s new writes', async () => {
    const headBefore = await integ.cut();
    const fork = await integ.fork({ name: 'whatif' });
    try {
      // Forking appended nothing to the parent's logs.
      expect(await integ.cut()).toEqual(headBefore);
      expect(await contents(fork)).toEqual(['alpha memory about agents']);
      expect((await fork.nvm.getBlock(blockId)).content).toBe('plan v1');
      expect((await fork.nvm.getBlockByName('plan'))?.id).toBe(blockId);
      expect((await new SharedKnowledgeBase(fork.nvm, fork.hvs, encoder).history()).map((f) => f.object)).toEqual(['blue']);
      expect((await fork.hvs.replayMessages('model_b')).map((m) => m.body)).toEqual([{ n: 1 }]);

      await fork.nvm.updateBlock(blockId, 'plan in the fork');
      await fork.store('fork-only memory about agents');
      await fork.hvs.deleteVector(alphaId);
      await integ.nvm.updateBlock(blockId, 'plan in the parent');
      await integ.store('parent-only memory about agents');

      expect((await fork.nvm.getBlock(blockId)).content).toBe('plan in the fork');
      expect((await fork.nvm.getBlock(blockId)).version).toBe(2);
      expect((await fork.nvm.blockHistory(blockId)).map((h) => h.content)).toEqual(['plan v1', 'plan in the fork']);
      expect((await integ.nvm.getBlock(blockId)).content).toBe('plan in the parent');
      expect(await contents(fork)).toEqual(['alpha memory about agents', 'fork-only memory about agents']);
      expect(await contents(integ)).toEqual(['alpha memory about agents', 'parent-only memory about agents']);
      // The vector deleted in the fork is gone there only.
      await expect(fork.hvs.retrieveVector(alphaId)).rejects.toMatchObject({ code: 'VECTOR_NOT_FOUND' });
      expect((await integ.hvs.retrieveVector(alphaId)).id).toBe(alphaId);
    } finally {
      await fork.close();
    }
    // Reopened by name, from its own checkpoint and log.
    const again = await HVSNVMIntegration.open({ ...openOptions(), world: 'whatif' });
    try {
      expect((await again.nvm.getBlock(blockId)).content).toBe('plan in the fork');
      expect(await contents(again)).toEqual(['alpha memory about agents', 'fork-only memory about agents']);
      await expect(again.hvs.retrieveVector(alphaId)).rejects.toMatchObject({ code: 'VECTOR_NOT_FOUND' });
    } finally {
      await again.close();
    }
  });

  it('a fork at a cut starts from that point; forks are listed, and deleting one leaves its parent as it was', async () => {
    const cut = await integ.cut();
    await integ.nvm.updateBlock(blockId, 'after the cut');
    const fork = await integ.fork({ name: 'atcut', asOf: cut });
    try {
      expect((await fork.nvm.getBlock(blockId)).content).toBe('plan in the parent');
    } finally {
      await fork.close();
    }
    expect((await integ.forks()).map((f) => f.name)).toEqual(['whatif', 'atcut']);
    expect((await integ.forks()).find((f) => f.name === 'atcut')?.cut).toEqual(cut);
    await expect(integ.fork({ name: 'atcut' })).rejects.toMatchObject({ code: 'FORK_EXISTS', status: 409 });
    const parentBefore = await integ.cut();
    await integ.deleteFork('atcut');
    expect((await integ.forks()).map((f) => f.name)).toEqual(['whatif']);
    expect(await integ.cut()).toEqual(parentBefore);
    expect((await integ.nvm.getBlock(blockId)).content).toBe('after the cut');
    await expect(integ.deleteFork('default')).rejects.toMatchObject({ code: 'FORK_NOT_FOUND' });
  });

  it('a fork with another encoder re-embeds the content from the log and answers with the new encoder', async () => {
    const small = hashingEncoder(32);
    const progress: number[] = [];
    const fork = await integ.fork({ name: 'reembedded', encoder: small, onProgress: (p) => progress.push(p.done) });
    try {
      expect(fork.encoder).toBe(small);
      expect(fork.hvs.dimension).toBe(32);
      expect(fork.reembedded?.reembedded).toBeGreaterThanOrEqual(3);
      expect(progress.at(-1)).toBeGreaterThan(0);
      expect(await contents(fork)).toEqual(['alpha memory about agents', 'parent-only memory about agents']);
      const hit = (await fork.hvs.semanticSearch(await small.encode('alpha memory about agents'), { k: 1 }))[0]!;
      expect(hit.vector.id).toBe(alphaId);
      expect(hit.distance).toBeLessThan(1e-3);
      // Facts came along and are found with the new encoder.
      expect((await new SharedKnowledgeBase(fork.nvm, fork.hvs, small).queryFacts('sky is blue', 1)).map((f) => f.object)).toEqual([
        'blue',
      ]);
      expect((await integ.forks()).find((f) => f.name === 'reembedded')?.reembedded).toMatchObject({ dimension: 32 });
    } finally {
      await fork.close();
    }
  });

  it('promote points an alias at a fork: clients opening the alias get the fork', async () => {
    expect(await integ.promote('whatif', { alias: 'prod' })).toEqual({ alias: 'prod', world: 'whatif' });
    const prod = await HVSNVMIntegration.open({ ...openOptions(), world: 'prod' });
    try {
      expect(prod.hvs.options.collection).toBe('whatif');
      expect((await prod.nvm.getBlock(blockId)).content).toBe('plan in the fork');
    } finally {
      await prod.close();
    }
  });
});
