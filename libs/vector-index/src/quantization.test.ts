// A quantized vector index: exact distances from the raw store, recall, snapshot round trip, bad options.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import type { Geometry } from './geometry.js';
import { VectorIndex } from './vector-index.js';
import { gaussian, rng } from '../testing/hyperbolic-data.js';

const DIM = 16;
const N = 3000;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function gaussianData(n: number, seed: number): Float32Array[] {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => g()));
}

async function built(geometry: Geometry, quantization: 'int8' | 'binary', data: Float32Array[], rescoreFactor?: number) {
  const index = new VectorIndex({ dimension: DIM, geometry, quantization, rescoreFactor, ef: 128 });
  const out = await index.insertFresh(data.map((vector, i) => ({ id: `v${i}`, vector })));
  expect(out.every((r) => typeof r === 'number')).toBe(true);
  return index;
}

function recall(index: VectorIndex, queries: Float32Array[]): number {
  let hits = 0;
  for (const q of queries) {
    const truth = new Set(index.exactSearch(q, 10).map((h) => h.id));
    for (const h of index.search(q, 10)) if (truth.has(h.id)) hits++;
  }
  return hits / (queries.length * 10);
}

describe('quantized VectorIndex', () => {
  const data = gaussianData(N, 5);
  const queries = gaussianData(40, 77);
  for (const [geometry, quantization, rescore, floor] of [
    ['euclidean', 'int8', undefined, 0.95],
    ['spherical', 'int8', undefined, 0.95],
    ['spherical', 'binary', 40, 0.8],
  ] as const) {
    it(`${geometry} ${quantization}: recall@10 ≥ ${floor}, vectors returned exactly`, async () => {
      const index = await built(geometry, quantization, data, rescore);
      expect(recall(index, queries)).toBeGreaterThanOrEqual(floor);
      expect(Array.from(index.get('v7')!)).toEqual(Array.from(data[7]!));
      const exact = index.exactSearch(queries[0]!, 1)[0]!;
      expect(index.search(queries[0]!, 1, { exact: true })[0]).toEqual(exact);
      // Hits with their vectors: read back from the raw store, equal to what was stored.
      for (const h of index.search(queries[1]!, 5, { vectors: (n) => new Float32Array(n) })) {
        expect(Array.from(h.data!)).toEqual(Array.from(data[Number(h.id.slice(1))]!));
      }
      index.dispose();
    });
  }

  it('a snapshot keeps the quantizer and the vectors; other quantization starts over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-vi-quant-'));
    dirs.push(dir);
    const index = await built('euclidean', 'int8', data);
    const before = index.search(queries[0]!, 10);
    await index.writeSnapshot(dir);
    index.dispose();
    expect((await readdir(dir)).some((f) => f.endsWith('.hnsw.raw'))).toBe(true);
    const loaded = await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean', quantization: 'int8', ef: 128 });
    expect(loaded).toBeDefined();
    expect(loaded!.search(queries[0]!, 10)).toEqual(before);
    expect(Array.from(loaded!.get('v9')!)).toEqual(Array.from(data[9]!));
    loaded!.dispose();
    expect(await VectorIndex.loadSnapshot(dir, { dimension: DIM, geometry: 'euclidean', ef: 128 })).toBeUndefined();
  });

  it('refuses quantization it cannot serve', () => {
    expect(() => new VectorIndex({ dimension: DIM, geometry: 'euclidean', quantization: 'binary' })).toThrow(InvalidArgumentError);
    expect(() => new VectorIndex({ dimension: DIM, geometry: 'hyperboloid', quantization: 'int8' })).toThrow(InvalidArgumentError);
    expect(() => new VectorIndex({ dimension: DIM, geometry: 'spherical', quantization: 'int4' as 'int8' })).toThrow(InvalidArgumentError);
  });
});
