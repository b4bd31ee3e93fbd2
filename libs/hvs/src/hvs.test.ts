import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { TempNatsServer } from '@hvs-nvm/runtime';
import {
  DimensionMismatchError,
  HVS,
  HVSError,
  InvalidIdError,
  InvalidMetadataError,
  InvalidVectorError,
  PayloadTooLargeError,
  VectorNotFoundError,
  CollectionMismatchError,
} from './index.js';

let srv: TempNatsServer;
let dir: string;
let n = 0;
const open = (opts: Parameters<typeof HVS.open>[0] = {}) =>
  HVS.open({ storagePath: join(dir, `c${n}`), natsUrl: srv.url, dimension: 12, collection: `c${n}`, ...opts });
const randn = (d: number) => Array.from({ length: d }, () => Math.random() * 2 - 1);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-test-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('HVS (seed: Basic HVS Usage and Testing Patterns)', () => {
  it('stores, retrieves and searches as the seed does', async () => {
    n++;
    await using hvs = await open();
    const vector = randn(12);
    const id = await hvs.storeVector(vector, { source: 'example', type: 'document' });
    expect(typeof id).toBe('string');
    const retrieved = await hvs.retrieveVector(id);
    expect(retrieved.data).toBeInstanceOf(Float32Array);
    retrieved.data.forEach((x, i) => expect(x).toBeCloseTo(vector[i]!, 5));
    expect(retrieved.metadata).toEqual({ source: 'example', type: 'document' });
    expect(retrieved.createdAt).toBeInstanceOf(Date);
    const results = await hvs.semanticSearch(randn(12), { k: 5 });
    expect(results).toHaveLength(1);
    expect(results[0]!.vector.id).toBe(id);
  });

  it('returns k results sorted by distance (test_semantic_search)', async () => {
    n++;
    await using hvs = await open();
    for (let i = 0; i < 100; i++) await hvs.storeVector(randn(12));
    const results = await hvs.semanticSearch(randn(12), { k: 10 });
    expect(results).toHaveLength(10);
    for (let i = 1; i < results.length; i++) expect(results[i - 1]!.distance).toBeLessThanOrEqual(results[i]!.distance);
    for (const r of results) expect(r.score).toBeCloseTo(1 / (1 + r.distance), 10);
  });

  it('hands out copies: writing into returned data changes neither the index nor other results', async () => {
    n++;
    await using hvs = await open();
    const ids = await hvs.batchStoreVectors([0, 1, 2].map((i) => ({ vector: randn(12), metadata: { i } })));
    const query = (await hvs.retrieveVector(ids[0]!)).data;
    const original = Array.from(query);
    const first = await hvs.semanticSearch(query, { k: 3 });
    expect(first[0]!.vector.id).toBe(ids[0]);
    expect(first[0]!.distance).toBe(0);
    for (const r of first) r.vector.data.fill(99);
    (await hvs.retrieveVector(ids[1]!)).data.fill(-99);
    const again = await hvs.semanticSearch(Float32Array.from(original), { k: 3 });
    expect(again.map((r) => r.vector.id)).toEqual(first.map((r) => r.vector.id));
    expect(Array.from(again[0]!.vector.data)).toEqual(original);
    expect(again[1]!.vector.data).not.toContain(-99);
    expect(again.every((r, i) => i === 0 || r.vector.data !== again[0]!.vector.data)).toBe(true);
  });

  it('batch stores and batch retrieves in order, null where missing', async () => {
    n++;
    await using hvs = await open();
    const ids = await hvs.batchStoreVectors(Array.from({ length: 500 }, (_, i) => ({ vector: randn(12), metadata: { i } })));
    expect(new Set(ids).size).toBe(500);
    const got = await hvs.batchRetrieveVectors([ids[3]!, 'missing-id', ids[499]!]);
    expect(got[0]!.metadata).toEqual({ i: 3 });
    expect(got[1]).toBeNull();
    expect(got[2]!.metadata).toEqual({ i: 499 });
    expect(await hvs.count()).toBe(500);
  });

  it('upserts by id and never returns a deleted vector', async () => {
    n++;
    await using hvs = await open();
    await hvs.storeVector(randn(12), { v: 1 }, { id: 'doc-1' });
    await hvs.storeVector(randn(12), { v: 2 }, { id: 'doc-1' });
    expect((await hvs.retrieveVector('doc-1')).metadata).toEqual({ v: 2 });
    expect(await hvs.count()).toBe(1);
    const q = randn(12);
    await hvs.storeVector(q, {}, { id: 'near' });
    expect((await hvs.semanticSearch(q, { k: 1 }))[0]!.vector.id).toBe('near');
    expect(await hvs.deleteVector('near')).toBe(true);
    expect(await hvs.deleteVector('near')).toBe(false);
    const after = await hvs.semanticSearch(q, { k: 10 });
    expect(after.map((r) => r.vector.id)).not.toContain('near');
    await expect(hvs.retrieveVector('near')).rejects.toBeInstanceOf(VectorNotFoundError);
    await expect(hvs.retrieveVector('near')).rejects.toBeInstanceOf(HVSError);
  });

  it('filters search by metadata and returns k whenever k match', async () => {
    n++;
    await using hvs = await open();
    await hvs.batchStoreVectors(
      Array.from({ length: 300 }, (_, i) => ({
        vector: randn(12),
        metadata: { type: i % 30 === 0 ? 'fact' : 'doc', n: i, tags: { lang: i % 2 ? 'en' : 'de' } },
      })),
    );
    const facts = await hvs.semanticSearch(randn(12), { k: 10, filter: { type: 'fact' } });
    expect(facts).toHaveLength(10);
    expect(facts.every((r) => r.vector.metadata['type'] === 'fact')).toBe(true);
    const ranged = await hvs.semanticSearch(randn(12), { k: 20, filter: { n: { $gte: 10, $lt: 20 }, 'tags.lang': 'en' } });
    expect(ranged.map((r) => r.vector.metadata['n']).sort((a, b) => Number(a) - Number(b))).toEqual([11, 13, 15, 17, 19]);
    const exact = await hvs.semanticSearch(randn(12), { k: 5, filter: { $or: [{ n: 1 }, { n: 2 }] }, exact: true });
    expect(exact).toHaveLength(2);
  });

  it('refuses bad input with typed errors and publishes nothing', async () => {
    n++;
    await using hvs = await open({ maxMetadataBytes: 1024 });
    await hvs.storeVector(randn(12));
    await hvs.sync();
    const head = hvs.stats().position;
    const bad: [() => Promise<unknown>, new (...a: never[]) => Error][] = [
      [() => hvs.storeVector(randn(11)), DimensionMismatchError],
      [() => hvs.storeVector([...randn(11), Number.NaN]), InvalidVectorError],
      [() => hvs.storeVector([...randn(11), Infinity]), InvalidVectorError],
      [() => hvs.storeVector(randn(12), { f: () => 1 } as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), { x: Number.NaN }), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), [1, 2] as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), { big: 'x'.repeat(2000) }), PayloadTooLargeError],
      [() => hvs.storeVector(randn(12), {}, { id: 'bad id with spaces' }), InvalidIdError],
      [() => hvs.storeVector(randn(12), {}, { id: '' }), InvalidIdError],
      [() => hvs.storeVector(randn(12), '' as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), 0 as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), { m: new Map([[1, 2]]) } as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), { s: new Set([1]) } as never), InvalidMetadataError],
      [() => hvs.storeVector(randn(12), JSON.parse('{"a": {"__proto__": {"x": 1}}}') as never), InvalidMetadataError],
      [() => hvs.semanticSearch(randn(12), { filter: JSON.parse(`${'{"$not":'.repeat(5000)}{}${'}'.repeat(5000)}`) as never }), HVSError],
      [() => hvs.batchStoreVectors([{ vector: randn(12) }, { vector: randn(3) }]), DimensionMismatchError],
      [() => hvs.semanticSearch(randn(5)), DimensionMismatchError],
      [() => hvs.semanticSearch(randn(12), { filter: { a: { $bogus: 1 } } as never }), HVSError],
      [() => hvs.semanticSearch(randn(12), { k: 0 }), HVSError],
    ];
    for (const [call, type] of bad) await expect(call()).rejects.toBeInstanceOf(type);
    await hvs.sync();
    expect(hvs.stats().position).toBe(head);
    expect(await hvs.count()).toBe(1);
  });

  it('rejects the zero vector in spherical geometry', async () => {
    n++;
    await using hvs = await open({ geometry: 'spherical' });
    await expect(hvs.storeVector(new Array(12).fill(0))).rejects.toBeInstanceOf(InvalidVectorError);
    const id = await hvs.storeVector([1, ...new Array(11).fill(0)]);
    const [r] = await hvs.semanticSearch([0, 1, ...new Array(10).fill(0)], { k: 1 });
    expect(r!.vector.id).toBe(id);
    expect(r!.distance).toBeCloseTo(Math.PI / 2, 5);
    expect(r!.score).toBeCloseTo(0, 5);
  });

  it('lets another client see a write after sync, and keeps the cache coherent', async () => {
    n++;
    const collection = `c${n}`;
    await using a = await open({ collection });
    await using b = await HVS.open({ storagePath: join(dir, `c${n}-b`), natsUrl: srv.url, dimension: 12, collection });
    const id = await a.storeVector(randn(12), { v: 1 });
    await b.sync();
    expect((await b.retrieveVector(id)).metadata).toEqual({ v: 1 });
    expect(await b.prefetch([id])).toBe(1);
    await b.retrieveVector(id);
    expect(b.cacheStats().hits).toBeGreaterThan(0);
    await a.storeVector(randn(12), { v: 2 }, { id });
    await b.sync();
    expect((await b.retrieveVector(id)).metadata).toEqual({ v: 2 });
    b.invalidateCache();
    expect(b.cacheStats().entries).toBe(0);
  });

  it('reopens from its snapshot and replays only the tail', async () => {
    n++;
    const first = await open();
    const ids = await first.batchStoreVectors(Array.from({ length: 200 }, () => ({ vector: randn(12) })));
    const snapshotAt = await first.snapshot();
    await first.batchStoreVectors(Array.from({ length: 50 }, () => ({ vector: randn(12) })));
    await first.deleteVector(ids[0]!);
    await first.close();
    await using again = await open();
    expect(again.stats().restoredFrom).toBeGreaterThanOrEqual(snapshotAt);
    expect(await again.count()).toBe(249);
    await expect(again.retrieveVector(ids[0]!)).rejects.toBeInstanceOf(VectorNotFoundError);
    expect((await again.retrieveVector(ids[1]!)).id).toBe(ids[1]);
  });

  it('after a restore, updates, deletes, reused slots and a second checkpoint keep every entry (parsed or not)', async () => {
    n++;
    const first = await open();
    const ids = await first.batchStoreVectors(Array.from({ length: 60 }, (_, i) => ({ vector: randn(12), metadata: { i } })));
    const created = (await first.retrieveVector(ids[3]!)).createdAt;
    await first.deleteVector(ids[9]!);
    await first.snapshot();
    await first.close();
    const second = await open();
    expect(second.stats().restoredFrom).toBeGreaterThan(0);
    await second.storeVector(randn(12), { i: 'updated' }, { id: ids[1]! });
    await second.deleteVector(ids[2]!);
    const fresh = await second.storeVector(randn(12), { i: 'fresh' });
    await second.snapshot();
    await second.close();
    await using third = await open();
    expect(third.stats().restoredFrom).toBeGreaterThan(0);
    expect(await third.count()).toBe(59);
    expect((await third.retrieveVector(ids[1]!)).metadata).toEqual({ i: 'updated' });
    expect((await third.retrieveVector(fresh)).metadata).toEqual({ i: 'fresh' });
    await expect(third.retrieveVector(ids[2]!)).rejects.toBeInstanceOf(VectorNotFoundError);
    const kept = await third.retrieveVector(ids[3]!);
    expect([kept.metadata, kept.createdAt]).toEqual([{ i: 3 }, created]);
    expect((await third.retrieveVector(ids[59]!)).metadata).toEqual({ i: 59 });
    const hits = await third.semanticSearch(randn(12), { k: 5, filter: { i: { $gte: 50 } } });
    expect(hits.length).toBe(5);
  });

  it('restores a checkpoint written before entries.ends, and refuses one whose entries.ends was damaged', async () => {
    n++;
    const first = await open();
    const ids = await first.batchStoreVectors(Array.from({ length: 30 }, (_, i) => ({ vector: randn(12), metadata: { i } })));
    await first.deleteVector(ids[4]!);
    expect(await first.snapshot()).toBeGreaterThan(0);
    await first.close();
    const folder = join(dir, `c${n}`, 'projection', `c${n}-euclidean-12`);
    const ends = readFileSync(join(folder, 'entries.ends'));
    const position = readFileSync(join(folder, 'position.json'), 'utf8');
    // As written before the ends file existed: no file, no CRC-32 for it.
    const { entriesEndsCrc32: _, ...older } = JSON.parse(position) as Record<string, unknown>;
    rmSync(join(folder, 'entries.ends'));
    writeFileSync(join(folder, 'position.json'), JSON.stringify(older));
    const second = await open();
    expect(second.stats().restoredFrom).toBeGreaterThan(0);
    expect(await second.count()).toBe(29);
    expect((await second.retrieveVector(ids[7]!)).metadata).toEqual({ i: 7 });
    await expect(second.retrieveVector(ids[4]!)).rejects.toBeInstanceOf(VectorNotFoundError);
    await second.close();
    // The ends file back, one offset off: its CRC-32 no longer matches, the log rebuilds the view.
    ends[0] = ends[0]! ^ 1;
    writeFileSync(join(folder, 'entries.ends'), ends);
    writeFileSync(join(folder, 'position.json'), position);
    await using third = await open();
    expect(third.stats().restoredFrom).toBe(0);
    expect((await third.retrieveVector(ids[7]!)).metadata).toEqual({ i: 7 });
  });

  it('does not restore a checkpoint whose entries file was damaged: it rebuilds from the log', async () => {
    n++;
    const first = await open();
    const [id] = await first.batchStoreVectors([{ vector: randn(12), metadata: { owner: 'alice' } }]);
    expect(await first.snapshot()).toBeGreaterThan(0);
    await first.close();
    // Still valid JSON with the right count, so only the checkpoint's CRC-32 can tell.
    const entries = join(dir, `c${n}`, 'projection', `c${n}-euclidean-12`, 'entries.jsonl');
    writeFileSync(entries, readFileSync(entries, 'utf8').replace('alice', 'mallo'));
    await using again = await open();
    expect(again.stats().restoredFrom).toBe(0);
    expect((await again.retrieveVector(id!)).metadata).toEqual({ owner: 'alice' });
  });

  it('parks a foreign message on its stream and keeps projecting', async () => {
    n++;
    const collection = `c${n}`;
    await using hvs = await open({ collection });
    const nc = await connect({ servers: srv.url });
    await jetstream(nc).publish(`hvs.${collection}.vec.junk`, new TextEncoder().encode('not an event'));
    await nc.close();
    const id = await hvs.storeVector(randn(12));
    await hvs.sync();
    expect((await hvs.retrieveVector(id)).id).toBe(id);
    expect(hvs.parked.length).toBe(1);
  });
});

describe('HVS against its log', () => {
  it('keeps user keys shaped like vector references ($f32) in metadata and message bodies', async () => {
    n++;
    await using hvs = await open();
    const metadata = { $f32: [0, 2], nested: { $$f32: 'x' } };
    const id = await hvs.storeVector(randn(12), metadata);
    expect((await hvs.retrieveVector(id)).metadata).toEqual(metadata);
    await hvs.sendMessage('a', 'b', { $f32: [0, 0], text: 'hi' });
    const [m] = await hvs.receiveMessages('b');
    expect(m!.body).toEqual({ $f32: [0, 0], text: 'hi' });
    expect(hvs.stats().parked).toBe(0);
  });

  it('refuses to open a collection with another dimension or geometry, and writes nothing', async () => {
    n++;
    const collection = `c${n}`;
    await using first = await open({ collection });
    await first.storeVector(randn(12));
    await first.sync();
    const head = (await first.projectionStats()).position;
    await expect(open({ collection, dimension: 8, storagePath: join(dir, `c${n}-b`) })).rejects.toBeInstanceOf(CollectionMismatchError);
    await expect(open({ collection, geometry: 'spherical', storagePath: join(dir, `c${n}-c`) })).rejects.toThrow(/geometry euclidean/);
    await first.sync();
    expect((await first.projectionStats()).position).toBe(head);
  });

  it('does not restore a snapshot of another log: a fresh server starts from nothing and sees its own writes', async () => {
    n++;
    const path = join(dir, `c${n}`);
    const other = await TempNatsServer.start();
    try {
      const a = await HVS.open({ storagePath: path, natsUrl: other.url, dimension: 12, collection: 'moved' });
      for (let i = 0; i < 10; i++) await a.storeVector(randn(12));
      await a.snapshot();
      await a.close();
    } finally {
      await other.stop();
    }
    await using b = await HVS.open({ storagePath: path, natsUrl: srv.url, dimension: 12, collection: 'moved' });
    expect(b.stats().restoredFrom).toBe(0);
    expect(await b.count()).toBe(0);
    const id = await b.storeVector(randn(12));
    expect((await b.retrieveVector(id)).id).toBe(id);
  });

  it('deletes a vector that another client stored a moment ago', async () => {
    n++;
    await using writer = await open();
    await using deleter = await open({ storagePath: join(dir, `c${n}-deleter`) });
    let deleted = 0;
    for (let i = 0; i < 20; i++) {
      const id = await writer.storeVector(randn(12));
      if (await deleter.deleteVector(id)) deleted++;
    }
    expect(deleted).toBe(20);
    expect(await deleter.deleteVector('never-stored')).toBe(false);
    await writer.sync();
    expect(await writer.count()).toBe(0);
  });

  it('a batch holding a deleted id appends each item exactly once', async () => {
    n++;
    await using hvs = await open();
    await hvs.storeVector(randn(12), {}, { id: 'x' });
    await hvs.deleteVector('x');
    await hvs.sync();
    const before = (await hvs.projectionStats()).position;
    await hvs.batchStoreVectors([{ id: 'x', vector: randn(12) }, ...Array.from({ length: 5 }, () => ({ vector: randn(12) }))]);
    await hvs.sync();
    expect((await hvs.projectionStats()).position - before).toBe(6);
    expect(await hvs.count()).toBe(6);
  });

  it('two clients of one process on one path can snapshot at the same time', async () => {
    n++;
    const collection = `c${n}`;
    const path = join(dir, `c${n}`);
    await using a = await open({ collection, storagePath: path });
    await using b = await open({ collection, storagePath: path });
    for (let i = 0; i < 50; i++) await a.storeVector(randn(12));
    await b.sync();
    await Promise.all([a.snapshot(), b.snapshot(), a.snapshot(), b.snapshot()]);
    await using c = await open({ collection, storagePath: path });
    expect(c.stats().restoredFrom).toBeGreaterThan(0);
    expect(await c.count()).toBe(50);
  });
});
