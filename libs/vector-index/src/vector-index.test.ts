// Tests of the vector index: recall against exact search in each geometry, filters, deletes, upserts, snapshots and bad input.
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, InvalidIdError, InvalidVectorError } from './errors.js';
import type { Geometry } from './geometry.js';
import type { SearchHit } from './index-options.js';
import { crc32Of } from '@hvs-nvm/files';
import { LORENTZ64_MAX_DIMENSION, VectorIndex } from './vector-index.js';
import { deepTreeData, gaussian, rng, treeData } from '../testing/hyperbolic-data.js';

const DIM = 16;
const N = 10_000;
const QUERIES = 100;

function gaussianData(n: number, seed: number, sigma = 1): Float32Array[] {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => g() * sigma));
}

function build(geometry: Geometry, data: Float32Array[], extra: Partial<ConstructorParameters<typeof VectorIndex>[0]> = {}): VectorIndex {
  const index = new VectorIndex({ dimension: DIM, geometry, ...extra });
  index.upsertBatch(data.map((vector, i) => ({ id: `v${i}`, vector })));
  return index;
}

function recallAt10(index: VectorIndex, queries: Float32Array[], filter?: (id: string) => boolean): number {
  let hits = 0;
  let total = 0;
  for (const q of queries) {
    const truth = new Set(index.exactSearch(q, 10, filter).map((h) => h.id));
    const got = index.search(q, 10, filter ? { filter } : {});
    expect(got.length).toBe(truth.size);
    for (const h of got) if (truth.has(h.id)) hits++;
    total += truth.size;
  }
  return hits / total;
}

function isAscending(hits: SearchHit[]): boolean {
  return hits.every((h, i) => i === 0 || hits[i - 1]!.distance <= h.distance);
}

describe('VectorIndex recall@10 against exact search on 10k vectors', () => {
  it('euclidean, Gaussian data: ≥ 0.95', () => {
    const data = gaussianData(N + QUERIES, 1);
    const index = build('euclidean', data.slice(0, N));
    expect(recallAt10(index, data.slice(N))).toBeGreaterThanOrEqual(0.95);
  });

  it('spherical, Gaussian data: ≥ 0.95, with exact angles as distances', () => {
    const data = gaussianData(N + QUERIES, 2);
    const index = build('spherical', data.slice(0, N));
    expect(recallAt10(index, data.slice(N))).toBeGreaterThanOrEqual(0.95);
    const [top] = index.search(data[0]!, 1);
    expect(top).toMatchObject({ id: 'v0', distance: expect.closeTo(0, 6) as number });
  });

  it('hyperboloid, tree embedding out to radius 18: ≥ 0.95', () => {
    const data = treeData(N + QUERIES, 3);
    const radii = data.map((x) => Math.asinh(Math.hypot(...x)));
    expect(Math.max(...radii)).toBeGreaterThan(15);
    const index = build('hyperboloid', data.slice(0, N));
    expect(recallAt10(index, data.slice(N))).toBeGreaterThanOrEqual(0.95);
  });

  it('hyperboloid, Gaussian data: ≥ 0.95', () => {
    const data = gaussianData(N + QUERIES, 4, 2);
    const index = build('hyperboloid', data.slice(0, N));
    expect(recallAt10(index, data.slice(N))).toBeGreaterThanOrEqual(0.95);
  });
});

describe('VectorIndex filtered search', () => {
  const data = gaussianData(N + QUERIES, 5);
  const queries = data.slice(N);
  const everyNth = (n: number) => (id: string) => Number(id.slice(1)) % n === 0;

  it('at 1% selectivity keeps recall@10 ≥ 0.95 and returns only matches', () => {
    const index = build('euclidean', data.slice(0, N));
    expect(recallAt10(index, queries, everyNth(100))).toBeGreaterThanOrEqual(0.95);
    for (const h of index.search(queries[0]!, 10, { filter: everyNth(100) })) expect(everyNth(100)(h.id)).toBe(true);
  });

  it('at 10% selectivity through the graph keeps recall@10 ≥ 0.95', () => {
    const index = build('euclidean', data.slice(0, N), { exactFilterMaxMatches: 0 });
    expect(recallAt10(index, queries, everyNth(10))).toBeGreaterThanOrEqual(0.95);
  });

  it('at 10% selectivity in hyperboloid geometry keeps recall@10 ≥ 0.95', () => {
    const tree = treeData(N + QUERIES, 6);
    const index = build('hyperboloid', tree.slice(0, N), { exactFilterMaxMatches: 0 });
    expect(recallAt10(index, tree.slice(N), everyNth(10))).toBeGreaterThanOrEqual(0.95);
  });

  it('returns k results whenever k vectors match, and all matches when fewer do', () => {
    const index = build('euclidean', data.slice(0, N));
    expect(index.search(queries[0]!, 10, { filter: (id) => Number(id.slice(1)) < 12 })).toHaveLength(10);
    expect(
      index
        .search(queries[0]!, 10, { filter: (id) => id === 'v7' || id === 'v9' })
        .map((h) => h.id)
        .sort(),
    ).toEqual(['v7', 'v9']);
    expect(index.search(queries[0]!, 10, { filter: () => false })).toEqual([]);
  });
});

describe('VectorIndex writes', () => {
  const data = gaussianData(3000, 7);

  it('never returns a removed id, and reuses its slot for the next insert', () => {
    const index = build('euclidean', data.slice(0, 2000));
    for (let i = 0; i < 2000; i += 2) expect(index.remove(`v${i}`)).toBe(true);
    expect(index.remove('v0')).toBe(false);
    expect(index.size).toBe(1000);
    expect(index.has('v0')).toBe(false);
    expect(index.get('v0')).toBeUndefined();
    for (const q of data.slice(0, 50)) {
      const hits = index.search(q, 20);
      expect(hits).toHaveLength(20);
      for (const h of hits) expect(Number(h.id.slice(1)) % 2).toBe(1);
    }
    const before = index.stats();
    index.upsertBatch(data.slice(2000, 2500).map((vector, i) => ({ id: `new${i}`, vector })));
    expect(index.stats()).toMatchObject({ slots: before.slots, free: before.free - 500, live: 1500 });
    expect(index.search(data[2100]!, 1)[0]).toMatchObject({ id: 'new100', distance: 0 });
  });

  it('upsert of an existing id replaces its vector', () => {
    const index = build('hyperboloid', data.slice(0, 1000));
    index.upsert('v5', data[2999]!);
    expect(index.size).toBe(1000);
    expect(index.get('v5')).toEqual(data[2999]);
    expect(index.search(data[2999]!, 1)[0]).toMatchObject({ id: 'v5', distance: 0 });
    expect(index.search(data[5]!, 1)[0]!.id).not.toBe('v5');
  });

  it('returns every live vector, ascending, when k exceeds the size', () => {
    const index = build('spherical', data.slice(0, 30));
    index.remove('v3');
    const hits = index.search(data[0]!, 1000);
    expect(hits).toHaveLength(29);
    expect(isAscending(hits)).toBe(true);
    expect(new VectorIndex({ dimension: DIM, geometry: 'euclidean' }).search(data[0]!, 5)).toEqual([]);
  });

  it('grows past its initial capacity and keeps the original vectors', () => {
    const index = new VectorIndex({ dimension: DIM, geometry: 'hyperboloid', initialCapacity: 8 });
    for (let i = 0; i < 500; i++) index.upsert(`v${i}`, data[i]!);
    expect(index.stats().capacity).toBeGreaterThanOrEqual(500);
    expect(index.get('v499')).toEqual(data[499]);
    expect([...index.ids()]).toHaveLength(500);
  });

  it('gives back every stored vector bit for bit in each geometry, also at extreme norms', () => {
    for (const geometry of ['euclidean', 'spherical', 'hyperboloid'] as const) {
      const index = new VectorIndex({ dimension: DIM, geometry });
      const extreme = [new Float32Array(DIM).fill(3e37), new Float32Array(DIM).fill(-1e-39), data[7]!];
      extreme.forEach((v, i) => index.upsert(`x${i}`, v));
      extreme.forEach((v, i) => expect(index.get(`x${i}`)).toEqual(v));
      // Search results are ranked by exact distance even where the graph's float arithmetic is coarse.
      const hits = index.search(data[7]!, 3, { exact: true });
      expect(hits[0]!.id).toBe('x2');
      expect(hits[0]!.distance).toBe(0);
      index.dispose();
    }
  });

  it('graph search distances are the exact ones bit for bit, and `vectors` gives copies of the hits', () => {
    for (const geometry of ['euclidean', 'spherical'] as const) {
      const index = build(geometry, data.slice(0, 3000));
      // A near-duplicate of the query: the spherical angle then comes from the chord, not arccos.
      index.upsert(
        'twin',
        Float32Array.from(data[5]!, (x, i) => (i === 0 ? x * (1 + 1e-6) : x)),
      );
      const blocks: Float32Array[] = [];
      const hits = index.search(data[5]!, 10, { vectors: (floats) => blocks[blocks.push(new Float32Array(floats)) - 1]! });
      const exact = new Map(index.exactSearch(data[5]!, 3001).map((h) => [h.id, h.distance]));
      expect(hits).toHaveLength(10);
      expect(blocks).toHaveLength(1);
      expect(hits.map((h) => h.id)).toContain('twin');
      for (const h of hits) {
        expect(h.distance).toBe(exact.get(h.id));
        expect(h.data).toEqual(index.get(h.id));
        expect(h.data!.buffer).toBe(blocks[0]!.buffer);
      }
      expect(isAscending(hits)).toBe(true);
      index.dispose();
    }
  });

  it('rejects bad input with typed errors and changes nothing', () => {
    const index = build('spherical', data.slice(0, 10));
    expect(() => index.upsert('x', new Float32Array(DIM + 1))).toThrow(DimensionMismatchError);
    expect(() => index.upsert('x', new Float32Array(DIM).fill(NaN))).toThrow(InvalidVectorError);
    expect(() => index.upsert('x', new Float32Array(DIM))).toThrow(/zero vector/);
    expect(() => index.upsert('', data[0]!)).toThrow(InvalidIdError);
    expect(() =>
      index.upsertBatch([
        { id: 'ok', vector: data[0]! },
        { id: 'bad', vector: new Float32Array(3) },
      ]),
    ).toThrow(DimensionMismatchError);
    expect(index.has('ok')).toBe(false);
    expect(() => index.search(data[0]!, 0)).toThrow(InvalidArgumentError);
    expect(() => index.search(data[0]!, 1.5)).toThrow(/k must be a positive integer, got 1.5/);
    expect(() => index.search(new Float32Array(2), 1)).toThrow(DimensionMismatchError);
    expect(() => new VectorIndex({ dimension: 0, geometry: 'euclidean' })).toThrow(InvalidArgumentError);
    expect(index.size).toBe(10);
  });
});

describe('VectorIndex snapshots', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-index-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a loaded snapshot answers searches exactly as the original', async () => {
    const data = treeData(3000, 8);
    const index = build('hyperboloid', data.slice(0, 2900));
    for (let i = 0; i < 100; i++) index.remove(`v${i * 7}`);
    const dir = await tempDir();
    await index.writeSnapshot(dir);
    const options = { dimension: DIM, geometry: 'hyperboloid' as const };
    const loaded = await VectorIndex.loadSnapshot(dir, options);
    expect(loaded).toBeDefined();
    expect(loaded!.size).toBe(index.size);
    expect(loaded!.get('v1')).toEqual(index.get('v1'));
    for (const q of data.slice(2900)) expect(loaded!.search(q, 10)).toEqual(index.search(q, 10));
    // Labels freed before the snapshot are still reused after loading.
    loaded!.upsert('after', data[2950]!);
    expect(loaded!.stats().slots).toBe(index.stats().slots);
  });

  it('a snapshot of version 2 (its ids a JSON list) still opens, answers, and is rewritten as version 3', async () => {
    const data = gaussianData(600, 21);
    const index = build('euclidean', data.slice(0, 500));
    for (let i = 0; i < 20; i++) index.remove(`v${i * 3}`);
    const dir = await tempDir();
    await index.writeSnapshot(dir);
    // Version 2 as it was written: the same graph file, the ids as a JSON list (null for a free slot), no idsCrc32.
    const manifestFile = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    const list = JSON.stringify(Array.from({ length: index.stats().slots }, (_, label) => index.idAt(label) ?? null));
    await rm(join(dir, `ids-${manifest.generation as string}.bin`));
    await writeFile(join(dir, `ids-${manifest.generation as string}.json`), list);
    const { idsCrc32: _, ...older } = manifest;
    await writeFile(manifestFile, JSON.stringify({ ...older, version: 2, idsBytes: Buffer.byteLength(list) }));
    const options = { dimension: DIM, geometry: 'euclidean' as const };
    const loaded = (await VectorIndex.loadSnapshot(dir, options))!;
    expect(loaded.size).toBe(480);
    for (const q of data.slice(500, 520)) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    // The lowest free slot is taken first, as before.
    expect(loaded.upsert('after', data[550]!)).toBe(0);
    await loaded.writeSnapshot(dir);
    expect((JSON.parse(await readFile(manifestFile, 'utf8')) as { version: number }).version).toBe(3);
    const again = (await VectorIndex.loadSnapshot(dir, options))!;
    expect(again.size).toBe(481);
    expect(again.get('after')).toEqual(data[550]);
  });

  it('a hyperboloid snapshot of the Poincaré-ball layout (written before the lorentz space) still opens and answers', async () => {
    const data = treeData(2100, 12);
    const options = { dimension: DIM, geometry: 'hyperboloid' as const };
    const old = new VectorIndex(options, 'poincare');
    old.upsertBatch(data.slice(0, 2000).map((vector, i) => ({ id: `v${i}`, vector })));
    const dir = await tempDir();
    await old.writeSnapshot(dir);
    // Older writers recorded no metric.
    const manifestFile = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    expect(manifest.metric).toBe('poincare');
    delete manifest.metric;
    await writeFile(manifestFile, JSON.stringify(manifest));
    const loaded = await VectorIndex.loadSnapshot(dir, options);
    expect(loaded).toBeDefined();
    const fresh = new VectorIndex(options);
    fresh.upsertBatch(data.slice(0, 2000).map((vector, i) => ({ id: `v${i}`, vector })));
    let found = 0;
    for (const q of data.slice(2000)) {
      const truth = new Set(loaded!.search(q, 10, { exact: true }).map((h) => h.id));
      const a = loaded!.search(q, 10);
      const b = fresh.search(q, 10);
      found += a.filter((h) => truth.has(h.id)).length + b.filter((h) => truth.has(h.id)).length;
      // Both layouts rescore in float64: a hit they share has the same distance.
      for (const h of b) {
        const same = a.find((x) => x.id === h.id);
        if (same) expect(same.distance).toBe(h.distance);
      }
    }
    expect(found / (2 * 10 * 100)).toBeGreaterThanOrEqual(0.99);
    // A new snapshot of the old graph keeps its layout.
    await loaded!.writeSnapshot(dir);
    expect((JSON.parse(await readFile(manifestFile, 'utf8')) as { metric: string }).metric).toBe('poincare');
    expect((await VectorIndex.loadSnapshot(dir, options))!.size).toBe(2000);
    old.dispose();
    fresh.dispose();
  });

  it('a hyperboloid index keeps float64 coordinates: at radius ~30 one search finds the exact 10 nearest, also after a snapshot', async () => {
    const data = deepTreeData(3100, 21);
    const maxRadius = Math.max(...data.map((p) => Math.asinh(Math.hypot(...p))));
    expect(maxRadius).toBeGreaterThan(28);
    const options = { dimension: DIM, geometry: 'hyperboloid' as const };
    const index = new VectorIndex(options);
    await index.insertFresh(data.slice(0, 1500).map((vector, i) => ({ id: `v${i}`, vector })));
    index.upsertBatch(data.slice(1500, 3000).map((vector, i) => ({ id: `v${1500 + i}`, vector })));
    const queries = data.slice(3000);
    const recall = (ix: VectorIndex): number => {
      let found = 0;
      for (const q of queries) {
        const truth = new Set(ix.search(q, 10, { exact: true }).map((h) => h.id));
        found += ix.search(q, 10).filter((h) => truth.has(h.id)).length;
      }
      return found / (10 * queries.length);
    };
    expect(recall(index)).toBeGreaterThanOrEqual(0.99);
    // The exact nearest of a stored point is itself at 0, then a neighbour at the tree's own distances (edges of 4.5).
    const [self, next] = index.search(data[7]!, 2, { exact: true });
    expect(self!.id).toBe('v7');
    expect(self!.distance).toBe(0);
    expect(next!.distance).toBeLessThan(9);
    const dir = await tempDir();
    await index.writeSnapshot(dir);
    expect((JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { metric: string }).metric).toBe('lorentz64');
    const loaded = await VectorIndex.loadSnapshot(dir, options);
    expect(loaded).toBeDefined();
    for (const q of queries.slice(0, 20)) expect(loaded!.search(q, 10)).toEqual(index.search(q, 10));
    loaded!.dispose();
    index.dispose();
  });

  it('a float32 lorentz snapshot (written before lorentz64) still opens, keeps its layout and answers', async () => {
    const data = treeData(1100, 14);
    const options = { dimension: DIM, geometry: 'hyperboloid' as const };
    const old = new VectorIndex(options, 'lorentz');
    old.upsertBatch(data.slice(0, 1000).map((vector, i) => ({ id: `v${i}`, vector })));
    const dir = await tempDir();
    await old.writeSnapshot(dir);
    const loaded = await VectorIndex.loadSnapshot(dir, options);
    expect(loaded).toBeDefined();
    for (const q of data.slice(1000, 1020)) expect(loaded!.search(q, 10)).toEqual(old.search(q, 10));
    await loaded!.writeSnapshot(dir);
    expect((JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { metric: string }).metric).toBe('lorentz');
    loaded!.dispose();
    old.dispose();
  });

  it('wide hyperboloid indexes keep float32 coordinates (lorentz), narrow ones float64 (lorentz64); both layouts reopen as written', async () => {
    for (const [dimension, metric] of [
      [LORENTZ64_MAX_DIMENSION, 'lorentz64'],
      [LORENTZ64_MAX_DIMENSION + 1, 'lorentz'],
    ] as const) {
      const random = rng(dimension);
      const g = gaussian(random);
      const data = Array.from({ length: 200 }, () => Float32Array.from({ length: dimension }, () => g()));
      const options = { dimension, geometry: 'hyperboloid' as const };
      const index = new VectorIndex(options);
      index.upsertBatch(data.map((vector, i) => ({ id: `v${i}`, vector })));
      const dir = await tempDir();
      await index.writeSnapshot(dir);
      expect((JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { metric: string }).metric).toBe(metric);
      const loaded = await VectorIndex.loadSnapshot(dir, options);
      expect(loaded).toBeDefined();
      expect(loaded!.search(data[3]!, 1)[0]).toMatchObject({ id: 'v3', distance: 0 });
      for (const q of data.slice(0, 10)) expect(loaded!.search(q, 5)).toEqual(index.search(q, 5));
      loaded!.dispose();
      index.dispose();
    }
  });

  it('a second snapshot replaces the first and leaves one generation of files', async () => {
    const data = gaussianData(200, 9);
    const index = build('euclidean', data.slice(0, 100));
    const dir = await tempDir();
    await index.writeSnapshot(dir);
    index.upsertBatch(data.slice(100).map((vector, i) => ({ id: `w${i}`, vector })));
    await index.writeSnapshot(dir);
    // The graph, the ids, the payload index and the manifest of the second snapshot only.
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(4);
    expect(names.filter((n) => n !== 'manifest.json').every((n) => n.includes(names.find((m) => m.startsWith('ids-'))!.slice(4, 20)))).toBe(
      true,
    );
    expect((await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean' }))!.size).toBe(200);
  });

  it('loads as undefined when absent, built with other options, or damaged', async () => {
    const data = gaussianData(100, 10);
    const index = build('euclidean', data);
    const dir = await tempDir();
    expect(await VectorIndex.loadSnapshot(join(dir, 'nothing'), { dimension: DIM, geometry: 'euclidean' })).toBeUndefined();
    await index.writeSnapshot(dir);
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'spherical' })).toBeUndefined();
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM + 1, geometry: 'euclidean' })).toBeUndefined();
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean', M: 32 })).toBeUndefined();
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean' })).toBeDefined();
    // A flipped byte in the graph file (same size) and a truncated id file are both refused.
    const graphFile = join(
      dir,
      (await readdir(dir)).find((f) => f.startsWith('index-'))!,
    );
    const bytes = await readFile(graphFile);
    bytes[40] = bytes[40]! ^ 0xff;
    await writeFile(graphFile, bytes);
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean' })).toBeUndefined();
    bytes[40] = bytes[40]! ^ 0xff;
    await writeFile(graphFile, bytes);
    const idsFile = (await readdir(dir)).find((f) => f.startsWith('ids-'))!;
    await truncate(join(dir, idsFile), 10);
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean' })).toBeUndefined();
  });

  it('parses the payload index when first used, and hands a payload it cannot parse to its owner to rebuild', async () => {
    const index = build('euclidean', gaussianData(50, 11));
    for (let label = 0; label < 50; label++) index.payload.add(label, { even: label % 2 === 0 });
    const dir = await tempDir();
    await index.writeSnapshot(dir);
    const options = { dimension: DIM, geometry: 'euclidean' as const };
    const loaded = (await VectorIndex.loadSnapshot(dir, options))!;
    expect(loaded.payloadFromSnapshot).toBe(true);
    expect(loaded.payload.candidates({ op: 'terms', path: ['even'], values: [true] }, 50)).toBeDefined();
    // Bytes that pass the manifest's size and CRC-32 but are no payload index: the owner rebuilds an empty one.
    const payloadFile = join(
      dir,
      (await readdir(dir)).find((f) => f.startsWith('payload-'))!,
    );
    const garbage = Buffer.alloc((await readFile(payloadFile)).byteLength, 7);
    await writeFile(payloadFile, garbage);
    const manifestFile = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestFile, JSON.stringify({ ...manifest, payloadCrc32: crc32Of(garbage) }));
    const damaged = (await VectorIndex.loadSnapshot(dir, options))!;
    let rebuilt = 0;
    damaged.onPayloadLost = () => rebuilt++;
    expect(damaged.payloadFromSnapshot).toBe(true);
    void damaged.payload;
    void damaged.payload;
    expect(rebuilt).toBe(1);
    expect(damaged.payloadFromSnapshot).toBe(false);
  });
});
