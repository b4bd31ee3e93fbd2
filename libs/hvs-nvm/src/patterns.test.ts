// Integration tests of HVSNVMIntegration and the five patterns against a real nats-server and the default encoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, ReservedMetadataError, type Geometry } from '@hvs-nvm/hvs';
import { storeReservedVectors } from '@hvs-nvm/hvs/internal';
import { ContentTooLargeError, InvalidArgumentError, NVM, NVMError, PermissionDeniedError, ReadOnlyBlockError } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import {
  DEFAULT_SENTENCE_ENCODER_THRESHOLD,
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

async function stores(geometry: Geometry = 'spherical') {
  n++;
  const hvs = await HVS.open({
    storagePath: join(dir, `hvs${n}`),
    natsUrl: srv.url,
    collection: `p${n}`,
    dimension: encoder.dimension,
    geometry,
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

/** A fresh integration on the test server: its own paths, collection and namespace. */
function openIntegration(): Promise<HVSNVMIntegration> {
  n++;
  return HVSNVMIntegration.open({
    hvsPath: join(dir, `ih${n}`),
    nvmPath: join(dir, `in${n}`),
    natsUrl: srv.url,
    encoder,
    collection: `i${n}`,
    namespace: `i${n}`,
  });
}

describe('HVSNVMIntegration (seed: Integrated HVS-NVM Usage)', () => {
  it('stores content in both systems and finds it by meaning', async () => {
    await using integ = await openIntegration();
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
    // The seed's shape: kb['facts'] holds every fact.
    const kbContent = JSON.parse(block.content) as { facts: Fact[]; relations: unknown[] };
    expect(kbContent.facts.map((f) => f.subject)).toEqual(['HyperSync', 'HVS', 'NVM']);
    expect(kbContent.relations).toEqual([]);
  });

  it('SemanticCache: the seed example hits with the defaults, an unrelated question misses, and entries expire', async () => {
    // Euclidean, the seed's default geometry: the threshold is a cosine of the queries, whatever HVS ranks by.
    for (const geometry of ['euclidean', 'spherical'] as const) {
      await using s = await stores(geometry);
      // Hits and misses on a cache whose entries outlive the test; expiry on one whose entries last a second, so
      // that no hit can come too late on a slow machine.
      const cache = new SemanticCache(s.nvm, s.hvs, { encoder });
      const shortLived = new SemanticCache(s.nvm, s.hvs, { ttlSeconds: 1, encoder, name: 'short_lived' });
      const vectorOfQuestion = await encoder.encode('What is HyperSync?');
      expect(cache.threshold).toBe(DEFAULT_SENTENCE_ENCODER_THRESHOLD);
      expect(await cache.get('What is HyperSync?')).toBeNull();
      await cache.set('What is HyperSync?', { answer: 'a coordination system' });
      expect(await cache.get('What is HyperSync?'), geometry).toEqual({ answer: 'a coordination system' });
      expect(await cache.get('Tell me about HyperSync'), geometry).toEqual({ answer: 'a coordination system' });
      expect(await cache.get('How do I bake bread?'), geometry).toBeNull();
      expect(await cache.get('What is the capital of France?'), geometry).toBeNull();
      // A caller's own threshold still applies.
      expect(await cache.get('Tell me about HyperSync', { threshold: 0.95 })).toBeNull();
      await shortLived.set('What is HyperSync?', { answer: 'soon gone' });
      const entries = () => s.hvs.semanticSearch([...vectorOfQuestion], { k: 10, filter: { type: 'cache_entry' } });
      expect(await entries()).toHaveLength(2);
      await expect.poll(() => shortLived.get('What is HyperSync?'), { timeout: 10_000, interval: 200 }).toBeNull();
      // The expired entry is deleted once read: only the long-lived cache's entry is left in HVS.
      expect(await entries()).toHaveLength(1);
    }
  });
});

describe('SemanticCache default threshold', () => {
  const cosine = async (a: string, b: string) => {
    const [x, y] = await encoder.encodeBatch([a, b]);
    return x!.reduce((sum, v, i) => sum + v * y![i]!, 0);
  };
  it('separates paraphrases from unrelated questions with the default encoder', async () => {
    const paraphrases: [string, string][] = [
      ['What is HyperSync?', 'Tell me about HyperSync'],
      ['How do I reset my password?', 'How can I change my password?'],
      ['Who wrote Hamlet?', 'Who is the author of Hamlet?'],
      ['How far is the moon from earth?', 'What is the distance between the earth and the moon?'],
      ['How do I cancel my subscription?', 'How can I stop my subscription?'],
    ];
    const unrelated: [string, string][] = [
      ['What is HyperSync?', 'How do I bake bread?'],
      ['What is HyperSync?', 'What is NATS?'],
      ['How do I install nats-server?', 'How do I install Python?'],
      ['Why is the sky blue?', 'Why is grass green?'],
      ['How far is the moon from earth?', 'How old is the universe?'],
    ];
    for (const [a, b] of paraphrases) expect(await cosine(a, b), `${a} / ${b}`).toBeGreaterThanOrEqual(DEFAULT_SENTENCE_ENCODER_THRESHOLD);
    for (const [a, b] of unrelated) expect(await cosine(a, b), `${a} / ${b}`).toBeLessThan(DEFAULT_SENTENCE_ENCODER_THRESHOLD);
  });
});

describe('SharedKnowledgeBase bounds and failures', () => {
  it('keeps every fact in its block, each added by one small patch (the log never stores the list again)', async () => {
    await using s = await stores();
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder);
    // Concurrent adds all land: a patch that lost a race is applied again to the fresh block.
    await Promise.all(Array.from({ length: 8 }, (_, i) => kb.addFact(`agent ${i}`, 'observed', `event number ${i}`, 'test')));
    const block = await s.nvm.getBlock(await kb.getKbBlockId());
    const content = JSON.parse(block.content) as { facts: Fact[] };
    expect(content.facts.map((f) => f.subject).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `agent ${i}`));
    const events = await s.nvm.eventStore.readStream(`block.${block.id}`);
    expect(events.map((e) => e.type)).toEqual(['BlockCreated', ...Array.from({ length: 8 }, () => 'BlockPatched')]);
    for (const e of events.slice(1))
      expect((e.data as { patch: { op: string; path: string }[] }).patch).toEqual([
        expect.objectContaining({ op: 'add', path: '/facts/-' }),
      ]);
    expect((await kb.history()).map((f) => f.subject).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `agent ${i}`));
  });

  it('refuses a blank, oversize or non-string fact with a typed error, before anything is written', async () => {
    await using s = await stores();
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder, { maxFactBytes: 1024 });
    await kb.addFact('HVS', 'provides', 'vector storage', 'spec');
    const head = await s.nvm.eventStore.headPosition();
    const vectors = await s.hvs.count();
    const bad: [string, () => Promise<unknown>, new (...a: never[]) => NVMError][] = [
      ['empty subject', () => kb.addFact('', 'uses', 'x', 'doc'), InvalidArgumentError],
      ['blank predicate', () => kb.addFact('a', '  ', 'x', 'doc'), InvalidArgumentError],
      ['object not a string', () => kb.addFact('a', 'b', { toString: '' } as never, 'doc'), InvalidArgumentError],
      ['oversize', () => kb.addFact('a', 'b', 'x'.repeat(2000), 'doc'), ContentTooLargeError],
      ['blank query', () => kb.queryFacts(' '), InvalidArgumentError],
    ];
    for (const [label, call, type] of bad) await expect(call(), label).rejects.toBeInstanceOf(type);
    expect(await s.nvm.eventStore.headPosition()).toBe(head);
    expect(await s.hvs.count()).toBe(vectors);
    expect(() => new SharedKnowledgeBase(s.nvm, s.hvs, encoder, { maxFactBytes: -1 })).toThrow(InvalidArgumentError);
  });

  it('a subscriber whose handler throws is told: caughtUp rejects with the error and onError receives it', async () => {
    await using s = await stores();
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder);
    await kb.addFact('HyperSync', 'uses', 'hyperbolic geometry', 'documentation');
    const boom = new Error('handler failed');
    // During catch-up: caughtUp rejects (it would otherwise never resolve) and onError hears of it.
    const errors: unknown[] = [];
    const early = kb.subscribe(() => Promise.reject(boom), { since: 1, onError: (e) => errors.push(e) });
    await expect(early.caughtUp).rejects.toBe(boom);
    expect(errors).toEqual([boom]);
    await early.stop();
    // Live: caughtUp has resolved already, so onError is how the subscriber learns it stopped.
    const live: unknown[] = [];
    const late = kb.subscribe(
      () => {
        throw boom;
      },
      { onError: (e) => live.push(e) },
    );
    await late.caughtUp;
    await kb.addFact('HVS', 'provides', 'vector storage', 'specification');
    await expect.poll(() => live).toEqual([boom]);
    await late.stop();
    // Without onError the failure is logged, and still rejects a pending caughtUp.
    await expect(kb.subscribe(() => Promise.reject(boom), { since: 1 }).caughtUp).rejects.toBe(boom);
  });
});

describe('typed errors at the patterns edge', () => {
  it('integration.store and query refuse empty or non-text input with an NVMError and write nothing', async () => {
    await using integ = await openIntegration();
    const head = await integ.nvm.eventStore.headPosition();
    for (const content of ['', '   ', 42, { toString: '' }, null]) {
      await expect(integ.store(content as never), String(typeof content)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(integ.store('fine', { persist: 'yes' } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(integ.query('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(integ.query('x', { k: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await integ.nvm.eventStore.headPosition()).toBe(head);
    expect(await integ.hvs.count()).toBe(0);
  });

  it('a model state view cannot be made for another model from a view acting as an agent', async () => {
    await using s = await stores();
    expect(() => new ModelStatePersistence(s.nvm.as('model_a'), 'model_b')).toThrow(PermissionDeniedError);
    const own = new ModelStatePersistence(s.nvm.as('model_a'), 'model_a');
    await own.setState('k', 1);
    expect(await own.getState('k')).toBe(1);
  });
});

describe('the patterns trust only their own entries, and only in the right shape', () => {
  it('an entry with the reserved key but the wrong shape is skipped, never returned; one without the key is not theirs', async () => {
    await using s = await stores();
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder);
    const cache = new SemanticCache(s.nvm, s.hvs, { encoder });
    const real = await kb.addFact('HyperSync', 'uses', 'hyperbolic geometry', 'doc');
    const vector = await encoder.encode('HyperSync uses hyperbolic geometry');
    // Through the internal path (a bug, or an older writer): the shape is still checked.
    await storeReservedVectors(s.hvs, [{ vector, metadata: { type: 'fact', fact: 'abc', _hvsnvm: { kind: 'fact' } } }]);
    await expect(s.hvs.storeVector(vector, { type: 'fact', fact: 'abc', _hvsnvm: { kind: 'fact' } })).rejects.toBeInstanceOf(
      ReservedMetadataError,
    );
    await s.hvs.storeVector(vector, { type: 'fact', fact: { ...real, factId: 'forged', source: 'bob' } });
    expect((await kb.queryFacts('hyperbolic geometry')).map((f) => f.factId)).toEqual([real.factId]);

    const question = 'What is HyperSync?';
    const cacheId = await cache.getCacheId();
    const qv = await encoder.encode(question);
    await storeReservedVectors(s.hvs, [
      { vector: qv, metadata: { type: 'cache_entry', cache_id: cacheId, entry: 'abc', _hvsnvm: { kind: 'cache_entry' } } },
    ]);
    const now = Date.now() / 1000;
    await s.hvs.storeVector(qv, {
      type: 'cache_entry',
      cache_id: cacheId,
      entry: { key: question, value: 'poisoned', createdAt: now, expiresAt: now + 60 },
    });
    expect(await cache.get(question)).toBeNull();
    await cache.set(question, 'a coordination system');
    expect(await cache.get(question)).toBe('a coordination system');
  });

  it('system patterns need the owner NVM, and their block comes back when it is deleted', async () => {
    await using s = await stores();
    expect(() => new SharedKnowledgeBase(s.nvm.as('model_a'), s.hvs, encoder)).toThrow(InvalidArgumentError);
    const kb = new SharedKnowledgeBase(s.nvm, s.hvs, encoder);
    await kb.addFact('a', 'b', 'c', 'x');
    const first = await kb.getKbBlockId();
    await expect(s.nvm.as('model_a').deleteBlock(first)).rejects.toBeInstanceOf(PermissionDeniedError);
    await s.nvm.deleteBlock(first);
    await kb.addFact('d', 'e', 'f', 'x');
    const second = await kb.getKbBlockId();
    expect(second).not.toBe(first);
    // Made again from the fact log: both facts, each once.
    const content = JSON.parse((await s.nvm.getBlock(second)).content) as { facts: Fact[] };
    expect(content.facts.map((f) => f.subject)).toEqual(['a', 'd']);
  });
});
