// NVM block names, versions, history and deletion against a real nats-server.
import { describe, expect, it } from 'vitest';
import { streamIds } from '@hvs-nvm/events';
import { BlockClass, BlockExistsError, BlockNotFoundError } from './index.js';
import { sleep, useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open, storeOf } = useNvmTestServer();

describe('NVM names, history and deletion', () => {
  it('block names are unique until the block is deleted', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const first = await a.createBlock({
      name: 'shared',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'one',
    });
    const err = await b.createBlock({ name: 'shared', blockClass: BlockClass.CACHE, content: 'two' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockExistsError);
    expect(err).toMatchObject({ code: 'BLOCK_EXISTS', status: 409 });
    await a.deleteBlock(first.id);
    await expect(a.getBlock(first.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect(await a.getBlockByName('shared')).toBeNull();
    const second = await b.createBlock({
      name: 'shared',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'two',
    });
    expect((await a.getBlockByName('shared'))?.id).toBe(second.id);
    const store = await storeOf(ns);
    const nameEvents = await store.readStream(streamIds.blockName('shared'));
    expect(nameEvents.map((e) => e.type)).toEqual(['BlockNameClaimed', 'BlockNameReleased', 'BlockNameClaimed']);
  });

  it('concurrent creators of one name: exactly one wins', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).createBlock({
          name: 'race',
          blockClass: BlockClass.PROGRAM_STATE,
          content: String(i),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BlockExistsError);
  });

  it('keeps every version: blockHistory, getBlock by version and asOf return old content', async () => {
    await using root = await open(freshNamespace());
    const nvm = root.as('model_a');
    const v1 = await nvm.createBlock({
      name: 'doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'first',
      metadata: { rev: 1 },
    });
    await sleep(20);
    const v2 = await nvm.updateBlock(v1.id, 'second');
    await sleep(20);
    const v3 = await root.as('model_b').updateBlock(v1.id, 'third', { metadata: { rev: 3 } });
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(v3.metadata).toEqual({ rev: 3 });

    expect((await nvm.getBlock(v1.id, { version: 1 })).content).toBe('first');
    expect((await nvm.getBlock(v1.id, { version: 2 })).content).toBe('second');
    expect((await nvm.getBlock(v1.id, { asOf: v1.updatedAt })).content).toBe('first');
    expect((await nvm.getBlock(v1.id, { asOf: new Date(v2.updatedAt.getTime() + 5) })).content).toBe('second');
    expect((await nvm.getBlock(v1.id, { asOf: new Date() })).content).toBe('third');
    await expect(nvm.getBlock(v1.id, { asOf: new Date(v1.createdAt.getTime() - 1000) })).rejects.toBeInstanceOf(BlockNotFoundError);
    await expect(nvm.getBlock(v1.id, { version: 9 })).rejects.toBeInstanceOf(BlockNotFoundError);

    await nvm.deleteBlock(v1.id);
    const history = await nvm.blockHistory(v1.id);
    expect(history.map((h) => [h.version, h.type, h.content, h.actor])).toEqual([
      [1, 'BlockCreated', 'first', 'model_a'],
      [2, 'BlockUpdated', 'second', 'model_a'],
      [3, 'BlockUpdated', 'third', 'model_b'],
      [4, 'BlockDeleted', 'third', 'model_a'],
    ]);
    expect(history[0]!.metadata).toEqual({ rev: 1 });
    expect(history[0]!.at).toBeInstanceOf(Date);
    // A deleted block is gone now, but its past is still readable.
    await expect(nvm.getBlock(v1.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await nvm.getBlock(v1.id, { version: 2 })).content).toBe('second');
  });
});
