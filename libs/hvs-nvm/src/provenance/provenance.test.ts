// Provenance and invalidation against a real nats-server: cache entries stop being served once a source changes, in
// every process; memories and facts record what they came from; provenance walks the links both ways.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { BlockClass, InvalidArgumentError } from '@hvs-nvm/nvm';
import { HVSNVMIntegration } from '../integration.js';
import { SemanticCache } from '../patterns/semantic-cache.js';
import { SharedKnowledgeBase } from '../patterns/knowledge-base.js';
import { UnknownSourceError } from './sources.js';
import { ProvenanceSubjectNotFoundError } from './provenance-index.js';

const encoder = hashingEncoder(64);
let srv: TempNatsServer;
let dir: string;
let n = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-provenance-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An integration on the test server; `name` picks the collection and namespace, so two may share stores. */
function open(name: string): Promise<HVSNVMIntegration> {
  n++;
  return HVSNVMIntegration.open({
    hvsPath: join(dir, `h${n}`),
    nvmPath: join(dir, `n${n}`),
    natsUrl: srv.url,
    encoder,
    collection: name,
    namespace: name,
  });
}

const cacheOf = (integ: HVSNVMIntegration) => new SemanticCache(integ.nvm, integ.hvs, { encoder, threshold: 0.99 });

function doc(integ: HVSNVMIntegration, name: string) {
  return integ.nvm.createBlock({ name, blockClass: BlockClass.DOCUMENTATION, content: `text of ${name}` });
}

describe('cache invalidation by sources', () => {
  it('an entry is served until a source block is updated, then missed, and deleted', async () => {
    await using integ = await open('inv1');
    await using cache = cacheOf(integ);
    const block = await doc(integ, 'pricing');
    const id = await cache.set('what does it cost?', { answer: 42 }, { sources: [block.id] });
    expect(await cache.get('what does it cost?')).toEqual({ answer: 42 });
    await integ.nvm.updateBlock(block.id, 'new prices');
    // Read-your-writes: the projection catches up with the log before answering, so the very next get misses.
    expect(await cache.get('what does it cost?')).toBeNull();
    await expect(integ.hvs.retrieveVector(id)).rejects.toThrow();
  });

  it('deleting a source vector invalidates; an entry without sources is untouched', async () => {
    await using integ = await open('inv2');
    await using cache = cacheOf(integ);
    const vectorId = await integ.hvs.storeVector(
      Array.from({ length: 64 }, (_, i) => Math.cos(i)),
      { note: 'x' },
    );
    await cache.set('derived from a vector', 'v-answer', { sources: [vectorId] });
    await cache.set('derived from nothing', 'plain');
    expect(await cache.get('derived from a vector')).toBe('v-answer');
    await integ.hvs.deleteVector(vectorId);
    expect(await cache.get('derived from a vector')).toBeNull();
    expect(await cache.get('derived from nothing')).toBe('plain');
  });

  it('a second process on the same stores stops serving an entry within a second of a change made elsewhere', async () => {
    await using a = await open('inv3');
    await using b = await open('inv3');
    await using cacheA = cacheOf(a);
    await using cacheB = cacheOf(b);
    const block = await doc(a, 'shared-source');
    await cacheA.set('a shared question', 'old answer', { sources: [block.id] });
    await expect.poll(() => cacheB.get('a shared question')).toBe('old answer');
    // B's projection follows the log; the update is written through A.
    const t0 = performance.now();
    await a.nvm.updateBlock(block.id, 'changed');
    await expect.poll(() => cacheB.get('a shared question'), { timeout: 1000, interval: 20 }).toBeNull();
    console.log(`invalidation seen by another process after ${(performance.now() - t0).toFixed(1)} ms`);
    expect(await cacheA.get('a shared question')).toBeNull();
  });

  it('a change made while no cache was open is caught on get()', async () => {
    let blockId: string;
    {
      await using a = await open('inv4');
      await using cache = cacheOf(a);
      blockId = (await doc(a, 'offline-source')).id;
      await cache.set('asked before the restart', 'cached', { sources: [blockId] });
      expect(await cache.get('asked before the restart')).toBe('cached');
    }
    {
      await using writer = await open('inv4');
      await writer.nvm.updateBlock(blockId, 'changed while the cache was closed');
    }
    await using b = await open('inv4');
    await using cache = cacheOf(b);
    expect(await cache.get('asked before the restart')).toBeNull();
  });

  it('a version pinned at set() that is already old makes the entry a miss; a future one is refused', async () => {
    await using integ = await open('inv5');
    await using cache = cacheOf(integ);
    const block = await doc(integ, 'pinned');
    await integ.nvm.updateBlock(block.id, 'v2');
    await cache.set('computed from v1', 'old', { sources: [{ id: block.id, version: 1 }] });
    expect(await cache.get('computed from v1')).toBeNull();
    await cache.set('computed from v2', 'new', { sources: [{ id: block.id, version: 2 }] });
    expect(await cache.get('computed from v2')).toBe('new');
    await expect(cache.set('from the future', 'x', { sources: [{ id: block.id, version: 3 }] })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('bad sources are typed 400 errors and write nothing', async () => {
    await using integ = await open('inv6');
    await using cache = cacheOf(integ);
    const head = await integ.hvs.eventStore.headPosition();
    const unknown = cache.set('k', 'v', { sources: ['no-such-thing'] });
    await expect(unknown).rejects.toBeInstanceOf(UnknownSourceError);
    await expect(unknown).rejects.toMatchObject({ code: 'UNKNOWN_SOURCE', status: 400 });
    for (const bad of [['has space'], [''], 'x', [42], [{ id: 'a', version: 0 }], [{ id: 'a', extra: 1 }]]) {
      await expect(cache.set('k', 'v', { sources: bad as never })).rejects.toMatchObject({ status: 400 });
    }
    await expect(integ.store('text', { sources: ['nope'] })).rejects.toBeInstanceOf(UnknownSourceError);
    const kb = new SharedKnowledgeBase(integ.nvm, integ.hvs, encoder);
    await expect(kb.addFact('a', 'b', 'c', 'test', { sources: ['nope'] })).rejects.toBeInstanceOf(UnknownSourceError);
    expect(await integ.hvs.eventStore.headPosition()).toBe(head);
  });
});

describe('provenance', () => {
  it('memories, facts and cache entries record their sources; provenance walks the links both ways', async () => {
    await using integ = await open('prov1');
    await using cache = cacheOf(integ);
    const kb = new SharedKnowledgeBase(integ.nvm, integ.hvs, encoder);
    const source = await doc(integ, 'report');
    const memory = await integ.store('A summary of the report.', { sources: [source.id] });
    const fact = await kb.addFact('report', 'mentions', 'prices', 'reader', { sources: [source.id, memory] });
    expect(fact.sources).toEqual(
      expect.arrayContaining([
        { id: source.id, kind: 'block', version: 1 },
        { id: memory, kind: 'vector', version: 1 },
      ]),
    );
    const entry = await cache.set('what does the report mention?', 'prices', { sources: [fact.factId] });

    const ofMemory = await integ.provenance(memory);
    expect(ofMemory.derivedFrom).toEqual([{ id: source.id, kind: 'block', version: 1, current: true }]);
    expect(ofMemory.derivatives).toEqual([{ id: fact.factId, kind: 'fact' }]);
    const ofSource = await integ.provenance(source.id);
    expect(ofSource.derivedFrom).toEqual([]);
    expect(ofSource.derivatives).toEqual(
      expect.arrayContaining([
        { id: memory, kind: 'memory' },
        { id: fact.factId, kind: 'fact' },
      ]),
    );
    const ofFact = await integ.provenance(fact.factId);
    expect(ofFact.derivatives).toEqual([{ id: entry, kind: 'cache_entry' }]);
    // The memory brought its own block along as a source of the fact.
    expect(ofFact.derivedFrom.map((l) => l.kind).sort()).toEqual(['block', 'block', 'vector']);
    expect((await integ.provenance(entry)).derivedFrom).toEqual([{ id: fact.factId, kind: 'fact', version: 1, current: true }]);

    await integ.nvm.updateBlock(source.id, 'revised');
    expect((await integ.provenance(memory)).derivedFrom).toEqual([{ id: source.id, kind: 'block', version: 1, current: false }]);
    await integ.nvm.deleteBlock(source.id);
    expect((await integ.provenance(memory)).derivedFrom).toEqual([
      { id: source.id, kind: 'block', version: 1, current: false, deleted: true },
    ]);
    await expect(integ.provenance('never-was')).rejects.toBeInstanceOf(ProvenanceSubjectNotFoundError);
  });

  it('an agent does not see the blocks it may not read', async () => {
    await using integ = await open('prov2');
    const secret = await integ.nvm.createBlock({
      name: 'secret',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'classified',
      permissions: { read: ['alice'], write: ['alice'] },
    });
    const memory = await integ.store('derived from a secret', { sources: [secret.id] });
    expect((await integ.provenance(memory, { actor: 'alice' })).derivedFrom).toHaveLength(1);
    expect((await integ.provenance(memory, { actor: 'bob' })).derivedFrom).toEqual([]);
    await expect(integ.provenance(secret.id, { actor: 'bob' })).rejects.toMatchObject({ status: 403 });
  });
});
