// NVM under racing writers: optimistic concurrency on block revisions, and cache TTL expiry raced by two clients.
import { describe, expect, it } from 'vitest';
import { streamIds } from '@hvs-nvm/events';
import { BlockClass, BlockNotFoundError, ConcurrencyError, NVM } from './index.js';
import { useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open, storeOf } = useNvmTestServer();

describe('NVM cache TTL', () => {
  it('an expired cache block reads as absent and its expiry is recorded once, even with two clients racing', async () => {
    const ns = freshNamespace();
    // Both clients read one clock, moved forward instead of sleeping through the TTL.
    let skewMs = 0;
    const clock = () => Date.now() + skewMs;
    await using a = await open(ns, { expirySweepMs: 200, clock });
    await using b = await open(ns, { expirySweepMs: 200, clock });
    const byOption = await a.createBlock({
      name: 'c1',
      blockClass: BlockClass.CACHE,
      content: 'cached answer',
      ttlSeconds: 1,
    });
    const byMetadata = await a.createBlock({
      name: 'semantic_cache',
      blockClass: BlockClass.CACHE,
      content: { entries: {} },
      metadata: { ttl_seconds: 1 },
    });
    expect(byMetadata.expiresAt).toBeInstanceOf(Date);
    expect((await b.getBlock(byOption.id)).content).toBe('cached answer');
    skewMs = 1300;
    for (const nvm of [a, b]) {
      await expect(nvm.getBlock(byOption.id)).rejects.toBeInstanceOf(BlockNotFoundError);
      expect(await nvm.getBlockByName('semantic_cache')).toBeNull();
      expect(await nvm.listBlocks({ blockClass: BlockClass.CACHE })).toEqual([]);
      expect(await nvm.semanticQuery('cached answer')).toEqual([]);
    }
    await expect(a.updateBlock(byOption.id, 'late')).rejects.toBeInstanceOf(BlockNotFoundError);
    // Expired means absent for every read of the block, its past versions too; only its history still shows them.
    await expect(a.getBlock(byOption.id, { version: 1 })).rejects.toBeInstanceOf(BlockNotFoundError);
    await expect(a.getBlock(byOption.id, { asOf: byOption.createdAt })).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await a.blockHistory(byOption.id))[0]!.content).toBe('cached answer');
    // Both clients' sweeps and reads race to record the expiry; once it is recorded, closing them waits for every
    // attempt still under way, and the log holds it once per block.
    const store = await storeOf(ns);
    const typesOf = async (id: string) => (await store.readStream(streamIds.block(id))).map((e) => e.type);
    for (const id of [byOption.id, byMetadata.id]) {
      await expect.poll(() => typesOf(id), { timeout: 30_000 }).toContain('BlockExpired');
    }
    await a.close();
    await b.close();
    for (const id of [byOption.id, byMetadata.id]) expect(await typesOf(id)).toEqual(['BlockCreated', 'BlockExpired']);
    // The name of an expired block is free again.
    await using c = await open(ns, { clock });
    await using d = await open(ns, { clock });
    const again = await c.createBlock({
      name: 'semantic_cache',
      blockClass: BlockClass.CACHE,
      content: 'new',
      ttlSeconds: 60,
    });
    expect((await d.getBlockByName('semantic_cache'))?.id).toBe(again.id);
  });
});

describe('NVM concurrency', () => {
  it('twenty read-modify-write loops with expectedVersion on one counter never lose an update', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const counter = await a.createBlock({
      name: 'counter',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { n: 0 },
    });
    let conflicts = 0;
    const increment = async (nvm: NVM) => {
      for (;;) {
        const block = await nvm.getBlock(counter.id);
        const { n } = JSON.parse(block.content) as { n: number };
        try {
          await nvm.updateBlock(counter.id, { n: n + 1 }, { expectedVersion: block.version });
          return;
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
          expect(err).toMatchObject({ code: 'CONCURRENCY', status: 412 });
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a : b)));
    // The last write may have come from b: a sees it once it has caught up with the head.
    await a.sync();
    const final = await a.getBlock(counter.id);
    expect(JSON.parse(final.content)).toEqual({ n: 20 });
    expect(final.version).toBe(21);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('twenty function updates without expectedVersion are retried on fresh state and all count', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const counter = await a.createBlock({
      name: 'counter',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { n: 0 },
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).updateBlock(counter.id, (current) => ({
          n: (JSON.parse(current.content) as { n: number }).n + 1,
        })),
      ),
    );
    await b.sync();
    expect(JSON.parse((await b.getBlock(counter.id)).content)).toEqual({ n: 20 });
  });

  it('an update pinned to a stale version is a ConcurrencyError and appends nothing', async () => {
    await using nvm = await open(freshNamespace());
    const block = await nvm.createBlock({
      name: 'pinned',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'a',
    });
    await nvm.updateBlock(block.id, 'b', { expectedVersion: 1 });
    const err = await nvm.updateBlock(block.id, 'c', { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as Error).message).toContain(block.id);
    expect(await nvm.getBlock(block.id)).toMatchObject({ content: 'b', version: 2 });
  });
});
