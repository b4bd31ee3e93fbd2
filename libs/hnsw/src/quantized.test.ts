// Quantized graphs: codes in the graph, exact rescoring from the raw store, recall on gaussian data, save/load.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Metric, type Quantization } from './index.js';

const DIM = 32;
const N = 2000;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Standard normal rows (Box–Muller over mulberry32), reproducible. */
function gaussian(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / (2 ** 32 + 1);
  };
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

function exactDistance(metric: Metric, x: Float32Array, z: Float32Array): number {
  let dot = 0;
  let xx = 0;
  let zz = 0;
  let l2 = 0;
  for (let i = 0; i < DIM; i++) {
    const a = x[i] ?? 0;
    const b = z[i] ?? 0;
    dot += a * b;
    xx += a * a;
    zz += b * b;
    l2 += (a - b) ** 2;
  }
  return metric === 'cosine' ? 1 - dot / Math.sqrt(xx * zz) : l2;
}

function truth(metric: Metric, data: Float32Array, q: Float32Array, k: number): number[] {
  const d: [number, number][] = [];
  for (let i = 0; i < N; i++) d.push([exactDistance(metric, q, data.subarray(i * DIM, (i + 1) * DIM)), i]);
  return d
    .sort((a, b) => a[0] - b[0])
    .slice(0, k)
    .map((p) => p[1]);
}

async function built(metric: Metric, quantization: Quantization, data: Float32Array, rescoreFactor?: number) {
  const g = new Graph({ metric, dimension: DIM, capacity: N, M: 16, efConstruction: 100, seed: 7, quantization, rescoreFactor });
  g.setEf(64);
  await g.addBatch(
    data,
    Uint32Array.from({ length: N }, (_, i) => i),
  );
  return g;
}

function recall(g: Graph, metric: Metric, data: Float32Array, queries: Float32Array, k = 10): number {
  let hit = 0;
  const nq = queries.length / DIM;
  for (let j = 0; j < nq; j++) {
    const q = queries.subarray(j * DIM, (j + 1) * DIM);
    const want = new Set(truth(metric, data, q, k));
    const got = g.search(q, k);
    for (let i = 0; i < got.count; i++) if (want.has(got.labels[i] ?? -1)) hit++;
  }
  return hit / (nq * k);
}

describe('quantized Graph', () => {
  const data = gaussian(N, 3);
  const queries = gaussian(50, 99);
  // 32 sign bits say little about a 32-d gaussian: binary needs a wide rescore here (it is meant for 384-d and up).
  for (const [metric, quantization, rescore, floor] of [
    ['l2', 'int8', undefined, 0.95],
    ['cosine', 'int8', undefined, 0.95],
    ['cosine', 'binary', 40, 0.85],
  ] as const) {
    it(`${metric} ${quantization}: recall@10 ≥ ${floor} with exact distances`, async () => {
      const g = await built(metric, quantization, data, rescore);
      expect(recall(g, metric, data, queries)).toBeGreaterThanOrEqual(floor);
      const q = queries.subarray(0, DIM);
      const top = g.search(q, 3);
      for (let i = 0; i < top.count; i++) {
        const label = top.labels[i] ?? 0;
        const exact = exactDistance(metric, q, data.subarray(label * DIM, (label + 1) * DIM));
        expect(top.distances[i]).toBeCloseTo(exact, 3);
      }
      const scanned = g.scan(q, Uint32Array.from([5, 6, 7]), 3, 1);
      const best = Math.min(...[5, 6, 7].map((l) => exactDistance(metric, q, data.subarray(l * DIM, (l + 1) * DIM))));
      expect(scanned.distances[0]).toBeCloseTo(best, 3);
      expect(() => g.vectors()).toThrow(/quantized/);
      g.dispose();
    });
  }

  it('int8 added one by one: the quantizer retrains on the first 256 and keeps recall', () => {
    const g = new Graph({ metric: 'l2', dimension: DIM, capacity: N, M: 16, efConstruction: 100, seed: 7, quantization: 'int8' });
    g.setEf(64);
    for (let i = 0; i < N; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    expect(recall(g, 'l2', data, queries)).toBeGreaterThanOrEqual(0.95);
    g.dispose();
  });

  it('save/load keeps the codes, the quantizer and the raw vectors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-quant-'));
    dirs.push(dir);
    const g = await built('l2', 'int8', data);
    const q = queries.subarray(0, DIM);
    const before = Array.from(g.search(q, 10).labels.slice(0, 10));
    g.save(join(dir, 'g.hnsw'));
    g.dispose();
    const h = new Graph({ metric: 'l2', dimension: DIM, capacity: 1, M: 16, efConstruction: 100, seed: 7, quantization: 'int8' });
    h.load(join(dir, 'g.hnsw'), N);
    h.setEf(64);
    expect(Array.from(h.search(q, 10).labels.slice(0, 10))).toEqual(before);
    expect(recall(h, 'l2', data, queries)).toBeGreaterThanOrEqual(0.95);
    const other = new Graph({ metric: 'l2', dimension: DIM, capacity: 1, M: 16, efConstruction: 100, seed: 7 });
    expect(() => other.load(join(dir, 'g.hnsw'), N)).toThrow(/layout/);
    h.dispose();
    other.dispose();
  });

  it('a batch into a quantized graph inserts on several threads, updates and re-adds included', async () => {
    for (const quantization of ['int8', 'binary'] as const) {
      const g = new Graph({
        metric: 'cosine',
        dimension: DIM,
        capacity: N,
        M: 16,
        efConstruction: 100,
        seed: 7,
        quantization,
        rescoreFactor: 40,
        insertThreads: 4,
      });
      g.setEf(64);
      const half = N / 2;
      await g.addBatch(
        data.subarray(0, half * DIM),
        Uint32Array.from({ length: half }, (_, i) => i),
      );
      g.markDelete(3);
      // One batch: label 3 (deleted) and 4 updated to other rows' vectors, then the rest as new slots.
      const rest = new Float32Array((half + 2) * DIM);
      rest.set(data.subarray(5 * DIM, 6 * DIM), 0);
      rest.set(data.subarray(6 * DIM, 7 * DIM), DIM);
      rest.set(data.subarray(half * DIM), 2 * DIM);
      await g.addBatch(rest, Uint32Array.from([3, 4, ...Array.from({ length: half }, (_, i) => half + i)]));
      expect(g.count()).toBe(N);
      expect(g.isDeleted(3)).toBe(false);
      const out = new Float32Array(g.elementFloats);
      g.readElement(4, out);
      expect(Array.from(out.subarray(0, DIM))).toEqual(Array.from(data.subarray(6 * DIM, 7 * DIM)));
      // Every stored vector finds its own slot first (labels 3 and 4 hold rows 5 and 6 now: ties either way).
      for (const label of [0, 1, 2, 7, half - 1, half, N - 1]) {
        expect(g.search(data.subarray(label * DIM, (label + 1) * DIM), 1).labels[0], `${quantization} ${label}`).toBe(label);
      }
      expect(new Set(Array.from(g.search(data.subarray(5 * DIM, 6 * DIM), 2).labels.subarray(0, 2)))).toEqual(new Set([3, 5]));
      g.dispose();
    }
  });

  it('deletes, updates and re-adds by slot, also after load (no label table is kept)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-quant-'));
    dirs.push(dir);
    const g = await built('l2', 'int8', data);
    const row = (i: number) => data.subarray(i * DIM, (i + 1) * DIM);
    g.save(join(dir, 'g.hnsw'));
    for (const h of [
      g,
      new Graph({ metric: 'l2', dimension: DIM, capacity: 1, M: 16, efConstruction: 100, seed: 7, quantization: 'int8' }),
    ]) {
      if (h === g) h.resize(N + 1);
      else h.load(join(dir, 'g.hnsw'), N + 1);
      h.setEf(64);
      h.markDelete(10);
      expect(h.isDeleted(10)).toBe(true);
      expect(Array.from(h.search(row(10), 5).labels.subarray(0, 5))).not.toContain(10);
      expect(() => h.markDelete(10)).toThrow(/already deleted/);
      expect(() => h.markDelete(N + 5)).toThrow(/not found/);
      h.add(row(11), 10); // a deleted slot taken again, with another vector
      expect(h.isDeleted(10)).toBe(false);
      expect(new Set(Array.from(h.search(row(11), 2).labels.subarray(0, 2)))).toEqual(new Set([10, 11]));
      h.add(row(12), N); // the next slot
      expect(h.count()).toBe(N + 1);
      expect(() => h.add(row(12), N + 2)).toThrow(/next one/);
      expect(new Set(Array.from(h.search(row(12), 2).labels.subarray(0, 2)))).toEqual(new Set([12, N]));
      h.dispose();
    }
  });

  it('refuses a bad quantization', () => {
    const base = { dimension: DIM, capacity: 4, M: 16, efConstruction: 100, seed: 7 } as const;
    expect(() => new Graph({ ...base, metric: 'l2', quantization: 'binary' })).toThrow(RangeError);
    expect(() => new Graph({ ...base, metric: 'l2', quantization: 'int4' as Quantization })).toThrow(RangeError);
    expect(() => new Graph({ ...base, metric: 'l2', quantization: 'int8', rescoreFactor: 0 })).toThrow(RangeError);
  });
});
