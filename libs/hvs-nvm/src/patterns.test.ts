import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { NVM, ReadOnlyBlockError } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import {
  DocumentStore,
  HVSNVMIntegration,
  ModelCommunicationHub,
  ModelStatePersistence,
  SemanticCache,
  SharedKnowledgeBase,
  type Fact,
} from './index.js';

let srv: TempNatsServer;
let dir: string;
let encoder: Encoder;
let n = 0;

async function stores() {
  n++;
  const hvs = await HVS.open({
    storagePath: join(dir, `hvs${n}`),
    natsUrl: srv.url,
    collection: `p${n}`,
    dimension: encoder.dimension,
    geometry: 'spherical',
  });
  const nvm = await NVM.open({ storagePath: join(dir, `nvm${n}`), natsUrl: srv.url, namespace: `p${n}`, encoder });
  return {
    hvs,
    nvm,
    [Symbol.asyncDispose]: async () => {
      await nvm.close();
      await hvs.close();
    },
  };
}

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-patterns-'));
  encoder = await defaultEncoder();
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('HVSNVMIntegration (seed: Integrated HVS-NVM Usage)', () => {
  it('stores content in both systems and finds it by meaning', async () => {
    n++;
    await using integ = await HVSNVMIntegration.open({
      hvsPath: join(dir, `ih${n}`),
      nvmPath: join(dir, `in${n}`),
      natsUrl: srv.url,
      encoder,
      collection: `i${n}`,
      namespace: `i${n}`,
    });
    const id = await integ.store('HyperSync is a distributed AI coordination system.', { persist: true });
    await integ.store('Bananas are yellow and rich in potassium.', { persist: false });
    const results = await integ.query('distributed AI');
    expect(results[0]!.id).toBe(id);
    expect(results[0]!.source).toBe('hvs');
    expect(results[0]!.content).toContain('HyperSync');
    expect(results.find((r) => r.content.startsWith('Bananas'))).toBeDefined();
  });
});

describe('the five patterns', () => {
  it('DocumentStore stores documents and searches them semantically', async () => {
    await using s = await stores();
    const store = new DocumentStore(s.hvs, s.nvm, encoder);
    const stored = await store.storeDocument('doc1', 'HyperSync uses hyperbolic geometry to embed hierarchies.');
    await store.storeDocument('doc2', 'The recipe needs two eggs and a cup of flour.');
    expect(stored).toMatchObject({ docId: 'doc1' });
    expect(typeof stored.hvsId).toBe('string');
    expect(typeof stored.blockId).toBe('string');
    const results = await store.searchDocuments('geometry');
    expect(results[0]!.docId).toBe('doc1');
    expect(results[0]!.content).toContain('hyperbolic');
  });

  it('ModelStatePersistence keeps state, checkpoints read-only and restores', async () => {
    await using s = await stores();
    const state = new ModelStatePersistence(s.nvm, 'model_a');
    await state.setState('conversation_count', 42);
    const checkpointId = await state.checkpoint();
    await state.setState('conversation_count', 43);
    expect(await state.getState('conversation_count')).toBe(43);
    await expect(s.nvm.updateBlock(checkpointId, '{}')).rejects.toBeInstanceOf(ReadOnlyBlockError);
    await state.restore(checkpointId);
    expect(await state.getState('conversation_count')).toBe(42);
    // A second instance finds the same state block by name.
    const again = new ModelStatePersistence(s.nvm, 'model_a');
    expect(await again.getState('conversation_count')).toBe(42);
  });

  it('ModelStatePersistence loses no key under concurrent setState', async () => {
    await using s = await stores();
    const state = new ModelStatePersistence(s.nvm, 'model_c');
    await Promise.all(Array.from({ length: 10 }, (_, i) => state.setState(`k${i}`, i)));
    const all = (await state.getState()) as Record<string, number>;
    for (let i = 0; i < 10; i++) expect(all[`k${i}`]).toBe(i);
  });

  it('ModelCommunicationHub sends, broadcasts with exclusions and finds similar states', async () => {
    await using s = await stores();
    const hub = new ModelCommunicationHub(s.hvs);
    for (const m of ['model_a', 'model_b', 'model_c']) await hub.registerModel(m);
    await hub.sendMessage('model_a', 'model_b', { task: 'analyze', data: 'xyz' });
    const messages = await hub.receiveMessages('model_b');
    expect(messages.map((m) => m.body)).toEqual([{ task: 'analyze', data: 'xyz' }]);
    expect((await hub.broadcast('model_a', { ping: 1 }, ['model_c'])).sort()).toEqual(['model_b']);
    expect(await hub.receiveMessages('model_b')).toHaveLength(1);
    expect(await hub.receiveMessages('model_c')).toHaveLength(0);
    const base = await encoder.encode('planning a trip to the mountains');
    await hub.publishState('model_a', base);
    await hub.publishState('model_b', await encoder.encode('planning a hiking trip in the alps'));
    await hub.publishState('model_c', await encoder.encode('quarterly tax accounting spreadsheet'));
    const similar = await hub.querySimilarStates('model_a', base, 5);
    expect(similar.map((r) => r.vector.metadata['model_id'])).toEqual(['model_b', 'model_c']);
  });

  it('SharedKnowledgeBase adds, queries, subscribes from a position exactly once, and keeps the block in step', async () => {
    await using s = await stores();
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder);
    await kb.addFact('HyperSync', 'uses', 'hyperbolic geometry', 'documentation');
    await kb.addFact('HVS', 'provides', 'vector storage', 'specification');
    const facts = await kb.queryFacts('geometry');
    expect(facts[0]).toMatchObject({ subject: 'HyperSync', predicate: 'uses', object: 'hyperbolic geometry' });
    const history = await kb.history();
    expect(history.map((f) => f.subject)).toEqual(['HyperSync', 'HVS']);
    const seen: Fact[] = [];
    const sub = kb.subscribe((f) => void seen.push(f), { since: history[1]!.position });
    await sub.caughtUp;
    await kb.addFact('NVM', 'stores', 'memory blocks', 'specification');
    await expect.poll(() => seen.length).toBe(2);
    expect(seen.map((f) => f.subject)).toEqual(['HVS', 'NVM']);
    await sub.stop();
    const block = await s.nvm.getBlock(await kb.getKbBlockId());
    expect((JSON.parse(block.content) as { facts: Fact[] }).facts).toHaveLength(3);
  });

  it('SemanticCache misses, hits on a similar query, and expires', async () => {
    await using s = await stores();
    const cache = new SemanticCache(s.nvm, s.hvs, { ttlSeconds: 1, encoder });
    expect(await cache.get('What is HyperSync?')).toBeNull();
    await cache.set('What is HyperSync?', { answer: 'a coordination system' });
    expect(await cache.get('What is HyperSync?')).toEqual({ answer: 'a coordination system' });
    expect(await cache.get('what is hypersync', { threshold: 0.8 })).toEqual({ answer: 'a coordination system' });
    expect(await cache.get('How do I bake bread?', { threshold: 0.8 })).toBeNull();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get('What is HyperSync?')).toBeNull();
    expect(await s.hvs.semanticSearch(await encoder.encode('What is HyperSync?'), { filter: { type: 'cache_entry' } })).toHaveLength(0);
  });
});
