// NVM across restarts: replay of the tail, other clients, the embedded default, and checkpoints tied to one log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvmNames, streamIds } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { BlockClass, BlockExistsError, BlockNotFoundError, NVM } from './index.js';
import { NvmTestServer, encoder } from '../testing/nvm-server.js';

let t: NvmTestServer;
let srv: NvmTestServer['srv'];
let probe: NvmTestServer['probe'];
const tmp = () => t.tmp();
const freshNamespace = () => t.freshNamespace();
const open = (...args: Parameters<NvmTestServer['open']>) => t.open(...args);
const storeOf = (namespace: string) => t.storeOf(namespace);

beforeAll(async () => {
  t = await NvmTestServer.start();
  srv = t.srv;
  probe = t.probe;
});
afterAll(() => t?.stop());

describe('NVM restart and projection', () => {
  it('close + open on the same storagePath keeps everything and replays only the tail', async () => {
    const ns = freshNamespace();
    const storagePath = tmp();
    const first = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace: ns });
    expect(first.restoredFromPosition).toBe(0);
    const doc = await first.createBlock({
      name: 'doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'hyperbolic geometry notes',
    });
    await first.updateBlock(doc.id, 'hyperbolic geometry notes, revised');
    const gone = await first.createBlock({
      name: 'gone',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'bye',
    });
    await first.deleteBlock(gone.id);
    await first.semanticQuery('geometry');
    const checkpointed = first.position;
    await first.close();

    // Written while the first client was away: the tail it must replay.
    await using other = await open(ns);
    const later = await other.createBlock({
      name: 'later',
      blockClass: BlockClass.KNOWLEDGE_GRAPH,
      content: 'written while closed',
    });

    await using again = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace: ns });
    expect(again.restoredFromPosition).toBeGreaterThan(0);
    expect(again.restoredFromPosition).toBe(checkpointed);
    expect((await again.getBlock(doc.id)).content).toBe('hyperbolic geometry notes, revised');
    expect((await again.blockHistory(doc.id)).map((h) => h.version)).toEqual([1, 2]);
    await expect(again.getBlock(gone.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await again.getBlockByName('later'))?.id).toBe(later.id);
    expect((await again.semanticQuery('hyperbolic geometry', { k: 1 }))[0]!.block.id).toBe(doc.id);
    await expect(again.createBlock({ name: 'doc', blockClass: BlockClass.DOCUMENTATION, content: 'dup' })).rejects.toBeInstanceOf(
      BlockExistsError,
    );
  });

  it('other clients see writes after sync(); facts and foreign messages in the store do not break the view', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const store = await storeOf(ns);
    await store.appendToStream(streamIds.fact('f1'), [
      {
        type: 'FactAdded',
        data: {
          factId: 'f1',
          subject: 'HVS',
          predicate: 'provides',
          object: 'vectors',
          source: 'spec',
          timestamp: 1,
        },
      },
    ]);
    probe.nc.publish(`${nvmNames(ns).prefix}.block.garbage`, new TextEncoder().encode('not an event'));
    await probe.nc.flush();
    const block = await a.createBlock({
      name: 'seen',
      blockClass: BlockClass.SHARED_KNOWLEDGE,
      content: 'shared',
    });
    await b.sync();
    expect((await b.getBlock(block.id)).content).toBe('shared');
    expect((await b.listBlocks()).map((x) => x.name)).toEqual(['seen']);
    expect(await b.listBlocks({ filter: { missing: true } })).toEqual([]);
  });
});

describe('NVM embedded default', () => {
  it('opens with only a storagePath (private nats-server, default encoder) and keeps blocks across reopen', async () => {
    const storagePath = tmp();
    {
      await using nvm = await NVM.open({ storagePath });
      await nvm.createBlock({
        name: 'example_doc',
        blockClass: BlockClass.DOCUMENTATION,
        content: '# Example',
        readonly: true,
      });
    }
    await using nvm = await NVM.open({ storagePath });
    expect((await nvm.getBlockByName('example_doc'))?.readonly).toBe(true);
    expect((await nvm.semanticQuery('What is the example?'))[0]!.block.name).toBe('example_doc');
  });
});

describe('NVM checkpoints belong to one log', () => {
  it('does not restore a checkpoint of another server: no ghost blocks, and new blocks survive a reopen', async () => {
    const namespace = freshNamespace();
    const storagePath = tmp();
    const other = await TempNatsServer.start();
    try {
      const a = await NVM.open({ storagePath, natsUrl: other.url, encoder, namespace });
      for (let i = 0; i < 5; i++) await a.createBlock({ name: `b${i}`, blockClass: BlockClass.DOCUMENTATION, content: `old ${i}` });
      await a.close();
    } finally {
      await other.stop();
    }
    {
      await using b = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace });
      expect(await b.listBlocks()).toEqual([]);
      expect(await b.getBlockByName('b0')).toBeNull();
      await b.createBlock({ name: 'b0', blockClass: BlockClass.DOCUMENTATION, content: 'new' });
    }
    await using c = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace });
    expect(c.restoredFromPosition).toBeGreaterThan(0);
    expect((await c.getBlockByName('b0'))?.content).toBe('new');
    expect((await c.listBlocks()).map((x) => x.name)).toEqual(['b0']);
  });
});
