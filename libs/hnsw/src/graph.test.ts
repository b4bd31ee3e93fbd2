// The native graph: labels are slots, the view holds the original vectors, searches agree with brute force.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, type Metric } from './index.js';

const DIM = 16;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** mulberry32: reproducible, and unlike a small LCG it does not repeat 16-float rows. */
function random(n: number, seed = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5;
  }
  return out;
}

function graph(metric: Metric, capacity = 16): Graph {
  return new Graph({ metric, dimension: DIM, capacity, M: 16, efConstruction: 100, seed: 7 });
}

function vectorOf(g: Graph, label: number): Float32Array {
  const at = label * g.stride + g.dataOffset;
  return g.vectors().slice(at, at + DIM);
}

describe('Graph', () => {
  for (const metric of ['l2', 'cosine', 'poincare', 'lorentz'] as const) {
    it(`${metric}: keeps every original vector in its slot, across resizes`, () => {
      const data = random(500);
      const g = graph(metric);
      for (let i = 0; i < 500; i++) {
        if (g.count() === g.capacity()) g.resize(g.capacity() * 2);
        g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
      }
      for (let i = 0; i < 500; i++) expect(vectorOf(g, i)).toEqual(data.subarray(i * DIM, (i + 1) * DIM));
      g.setEf(100);
      const hit = g.search(data.subarray(42 * DIM, 43 * DIM), 3);
      expect(hit.count).toBe(3);
      expect(hit.labels[0]).toBe(42);
      expect(hit.distances[0]).toBeCloseTo(0, 5);
      g.dispose();
    });
  }

  it('a resize detaches the old view instead of leaving it over freed memory', () => {
    const g = graph('l2', 4);
    g.add(new Float32Array(DIM).fill(1), 0);
    const before = g.vectors();
    g.resize(1000);
    expect(before.byteLength).toBe(0);
    expect(vectorOf(g, 0)[0]).toBe(1);
    g.dispose();
  });

  it('refuses labels that are not slots, a full graph and non-finite values', () => {
    const g = graph('cosine', 2);
    g.add(new Float32Array(DIM).fill(1), 0);
    expect(() => g.add(new Float32Array(DIM).fill(1), 5)).toThrow(/neither a used slot nor the next one/);
    g.add(new Float32Array(DIM).fill(2), 1);
    expect(() => g.add(new Float32Array(DIM).fill(1), 2)).toThrow(/full/);
    expect(() => g.add(new Float32Array(DIM).fill(Number.NaN), 1)).toThrow(/not finite/);
    expect(() => g.add(new Float32Array(DIM), 1)).toThrow(/zero vector/);
    expect(() => g.add(new Float32Array(DIM + 1), 1)).toThrow(/floats/);
    g.dispose();
  });

  it('cosine keeps vectors of extreme norm exactly and ranks them by angle', () => {
    const g = graph('cosine');
    const huge = new Float32Array(DIM).fill(3e37);
    const tiny = new Float32Array(DIM).fill(-2e-38);
    const plain = new Float32Array(DIM).fill(1);
    plain[0] = 0.5;
    g.add(huge, 0);
    g.add(tiny, 1);
    g.add(plain, 2);
    // The stored element is x·2^−e with e after the vector; scaling back is exact.
    for (const [label, v] of [
      [0, huge],
      [1, tiny],
    ] as const) {
      const at = label * g.stride + g.dataOffset;
      const e = g.vectors()[at + DIM + 1]!;
      expect(e).not.toBe(0);
      expect(vectorOf(g, label).map((x) => x * 2 ** e)).toEqual(v);
    }
    const r = g.search(new Float32Array(DIM).fill(5), 3);
    expect([...r.labels.subarray(0, 3)]).toEqual([0, 2, 1]);
    expect(r.distances[0]).toBeCloseTo(0, 5);
    expect(r.distances[2]).toBeCloseTo(2, 5);
    g.dispose();
  });

  it('a filter sees labels, and an exception it throws reaches the caller', () => {
    const data = random(200, 3);
    const g = graph('l2', 256);
    for (let i = 0; i < 200; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    const r = g.search(data.subarray(0, DIM), 10, (label) => label % 3 === 0);
    expect(r.count).toBe(10);
    for (const l of r.labels.subarray(0, 10)) expect(l % 3).toBe(0);
    expect(() =>
      g.search(data.subarray(0, DIM), 10, () => {
        throw new Error('filter failed');
      }),
    ).toThrow('filter failed');
    g.dispose();
  });

  it('a deleted label is skipped by search and can be added again in its slot', () => {
    const data = random(100, 5);
    const g = graph('l2', 128);
    for (let i = 0; i < 100; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    const q = data.subarray(10 * DIM, 11 * DIM);
    g.markDelete(10);
    expect(g.isDeleted(10)).toBe(true);
    expect([...g.search(q, 5).labels.subarray(0, 5)]).not.toContain(10);
    g.add(q, 10);
    expect(g.isDeleted(10)).toBe(false);
    expect(g.search(q, 1).labels[0]).toBe(10);
    expect(g.count()).toBe(100);
    g.dispose();
  });

  it('save and load round-trip; a file of another layout is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-graph-'));
    dirs.push(dir);
    const data = random(300, 9);
    const g = graph('poincare', 512);
    for (let i = 0; i < 300; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    const file = join(dir, 'g.hnsw');
    g.save(file);
    const h = graph('poincare', 1);
    h.load(file, 400);
    expect(h.count()).toBe(300);
    expect(h.capacity()).toBe(400);
    for (let i = 0; i < 300; i += 37) expect(vectorOf(h, i)).toEqual(vectorOf(g, i));
    const q = data.subarray(7 * DIM, 8 * DIM);
    expect([...h.search(q, 5).labels.subarray(0, 5)]).toEqual([...g.search(q, 5).labels.subarray(0, 5)]);
    expect(() => graph('cosine').load(file, 400)).toThrow(/another layout/);
    g.dispose();
    h.dispose();
  });

  it('openMapped serves a saved file in place: same answers, then updates, deletes and growth past its room', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-graph-'));
    dirs.push(dir);
    const data = random(2000, 21);
    const g = graph('l2', 400);
    for (let i = 0; i < 300; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    g.markDelete(5);
    const file = join(dir, 'g.hnsw');
    g.save(file);
    const bytes = await readFile(file);
    const expected = { deleted: 1, crc32: crc32(bytes), bytes: bytes.byteLength };
    const h = graph('l2', 1);
    h.openMapped(file, 300, expected);
    expect(h.isMapped()).toBe(true);
    expect([h.count(), h.capacity()]).toEqual([300, 300]);
    for (let i = 0; i < 300; i += 13) expect(vectorOf(h, i)).toEqual(vectorOf(g, i));
    g.setEf(64);
    h.setEf(64);
    const q = data.subarray(5 * DIM, 6 * DIM);
    expect([...h.search(q, 10).labels.subarray(0, 10)]).toEqual([...g.search(q, 10).labels.subarray(0, 10)]);
    expect(h.isDeleted(5)).toBe(true);
    // Writes copy pages of the mapping, never the file: an update in place, a delete, a reused slot.
    h.add(data.subarray(900 * DIM, 901 * DIM), 7);
    h.markDelete(8);
    h.add(data.subarray(901 * DIM, 902 * DIM), 5);
    expect(h.search(data.subarray(900 * DIM, 901 * DIM), 1).labels[0]).toBe(7);
    expect(h.search(data.subarray(901 * DIM, 902 * DIM), 1).labels[0]).toBe(5);
    expect(crc32(await readFile(file))).toBe(expected.crc32);
    // Growth within the reserved room, then past it (the elements move to ordinary memory).
    for (let i = 300; i < 2000; i++) {
      if (h.count() === h.capacity()) h.resize(h.capacity() + 100);
      h.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    }
    expect(h.isMapped()).toBe(false);
    expect(h.count()).toBe(2000);
    for (let i = 0; i < 2000; i += 97) {
      if (i === 5 || i === 7 || i === 8) continue;
      expect(h.search(data.subarray(i * DIM, (i + 1) * DIM), 1).labels[0]).toBe(i);
    }
    expect(h.search(data.subarray(8 * DIM, 9 * DIM), 3).labels.subarray(0, 3)).not.toContain(8);
    h.dispose();
    // A damaged or mis-described file is refused before anything in it is used.
    expect(() => graph('l2').openMapped(file, 300, { ...expected, crc32: (expected.crc32 ^ 1) >>> 0 })).toThrow(/CRC-32/);
    expect(() => graph('l2').openMapped(file, 300, { ...expected, bytes: expected.bytes + 1 })).toThrow(/size/);
    expect(() => graph('cosine').openMapped(file, 300, expected)).toThrow(/another layout/);
    const k = graph('l2', 1);
    k.openMapped(file, 0, expected);
    expect(k.count()).toBe(300);
    k.dispose();
    g.dispose();
  });

  it('openMappedAsync opens on a worker thread; a damaged file is refused and the graph is left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-graph-'));
    dirs.push(dir);
    // Over 32 MB, so the CRC-32 is taken in two halves on two threads (where there are two cores).
    const dim = 2048;
    const n = 4200;
    const data = random((n * dim) / DIM, 23);
    const g = new Graph({ metric: 'l2', dimension: dim, capacity: n, M: 4, efConstruction: 16, seed: 7 });
    await g.addBatch(
      data,
      Uint32Array.from({ length: n }, (_, i) => i),
    );
    const file = join(dir, 'big.hnsw');
    g.save(file);
    const bytes = await readFile(file);
    expect(bytes.byteLength).toBeGreaterThan(32 << 20);
    const expected = { deleted: 0, crc32: crc32(bytes), bytes: bytes.byteLength };
    const h = new Graph({ metric: 'l2', dimension: dim, capacity: 1, M: 4, efConstruction: 16, seed: 7 });
    await h.openMappedAsync(file, n, expected);
    expect([h.isMapped(), h.count()]).toEqual([true, n]);
    g.setEf(32);
    h.setEf(32);
    const q = data.subarray(17 * dim, 18 * dim);
    expect([...h.search(q, 10).labels.subarray(0, 10)]).toEqual([...g.search(q, 10).labels.subarray(0, 10)]);
    h.dispose();
    // A flipped byte in either half of the CRC-32's split, a wrong size: refused, the graph still the empty one.
    for (const at of [100, Math.floor(bytes.byteLength * 0.75)]) {
      const damaged = join(dir, `damaged-${at}.hnsw`);
      const copy = Buffer.from(bytes);
      copy[at] = copy[at]! ^ 0x10;
      await writeFile(damaged, copy);
      const k = new Graph({ metric: 'l2', dimension: dim, capacity: 1, M: 4, efConstruction: 16, seed: 7 });
      await expect(k.openMappedAsync(damaged, n, expected)).rejects.toThrow(/CRC-32/);
      expect([k.isMapped(), k.count()]).toEqual([false, 0]);
      k.dispose();
    }
    const k = new Graph({ metric: 'l2', dimension: dim, capacity: 1, M: 4, efConstruction: 16, seed: 7 });
    await expect(k.openMappedAsync(file, n, { ...expected, bytes: expected.bytes - 1 })).rejects.toThrow(/size/);
    k.dispose();
    g.dispose();
  });

  it('after openMapped, a parallel addBatch reuses a deleted slot in place and appends the rest in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvs-graph-'));
    dirs.push(dir);
    const data = random(700, 31);
    const g = graph('l2', 300);
    for (let i = 0; i < 300; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    g.markDelete(12);
    const file = join(dir, 'g.hnsw');
    g.save(file);
    const bytes = await readFile(file);
    const h = new Graph({ metric: 'l2', dimension: DIM, capacity: 1, M: 16, efConstruction: 100, seed: 7, insertThreads: 2 });
    await h.openMappedAsync(file, 500, { deleted: 1, crc32: crc32(bytes), bytes: bytes.byteLength });
    // Slot 12 (deleted) and 200 new slots in one batch: large enough for the parallel path.
    const labels = Uint32Array.from([12, ...Array.from({ length: 200 }, (_, i) => 300 + i)]);
    await h.addBatch(data.subarray(300 * DIM, (300 + labels.length) * DIM), labels);
    expect(h.count()).toBe(500);
    expect(h.isDeleted(12)).toBe(false);
    for (let i = 0; i < labels.length; i += 20) {
      expect(h.search(data.subarray((300 + i) * DIM, (301 + i) * DIM), 1).labels[0]).toBe(labels[i]);
    }
    h.dispose();
    g.dispose();
  });

  it('addBatch inserts on a worker thread while searches go on, and keeps order', async () => {
    const n = 3000;
    const data = random(n, 11);
    const g = graph('cosine', n);
    g.add(data.subarray(0, DIM), 0);
    const labels = Uint32Array.from({ length: n - 1 }, (_, i) => i + 1);
    const done = g.addBatch(data.subarray(DIM), labels);
    expect(g.inFlight).toBe(1);
    let searches = 0;
    while (g.inFlight > 0) {
      const r = g.search(data.subarray(0, DIM), 5);
      expect(r.labels[0]).toBe(0);
      searches++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(searches).toBeGreaterThan(1);
    expect(g.count()).toBe(n);
    for (let i = 0; i < n; i += 97) expect(vectorOf(g, i)).toEqual(data.subarray(i * DIM, (i + 1) * DIM));
    g.setEf(50);
    expect(g.search(data.subarray(2999 * DIM, 3000 * DIM), 1).labels[0]).toBe(2999);
    // A label that is not a slot stops the batch there: what came before it is in.
    const more = random(3, 12);
    await expect(g.addBatch(more, Uint32Array.from([0, 9999, 1]))).rejects.toThrow(/item 1: label 9999/);
    expect(vectorOf(g, 0)).toEqual(more.subarray(0, DIM));
    expect(vectorOf(g, 1)).toEqual(data.subarray(DIM, 2 * DIM));
    expect(() => g.addBatch(more, Uint32Array.from([1]))).toThrow(/need 16 floats/);
    g.dispose();
  });

  it('addBatch with several threads keeps labels as slots, mixes updates in, and stops at a bad item', async () => {
    const n = 1000;
    const data = random(n, 21);
    const g = new Graph({ metric: 'l2', dimension: DIM, capacity: n, M: 16, efConstruction: 100, seed: 7, insertThreads: 3 });
    await g.addBatch(
      data.subarray(0, 400 * DIM),
      Uint32Array.from({ length: 400 }, (_, i) => i),
    );
    // Updates of used slots (10..19) ahead of new ones (400..599), in one chunk and across chunks.
    const again = random(10, 22);
    const mixed = new Float32Array(210 * DIM);
    mixed.set(again, 0);
    mixed.set(data.subarray(400 * DIM, 600 * DIM), 10 * DIM);
    const labels = Uint32Array.from({ length: 210 }, (_, i) => (i < 10 ? 10 + i : 390 + i));
    await g.addBatch(mixed, labels);
    expect(g.count()).toBe(600);
    for (let i = 0; i < 600; i++) {
      const want = i >= 10 && i < 20 ? again.subarray((i - 10) * DIM, (i - 9) * DIM) : data.subarray(i * DIM, (i + 1) * DIM);
      expect(vectorOf(g, i)).toEqual(want);
    }
    g.setEf(100);
    for (let i = 0; i < 600; i += 37) expect(g.search(vectorOf(g, i), 1).labels[0]).toBe(i);
    // A NaN at item 150 of 300: the 150 before it are in, nothing after.
    const bad = data.slice(600 * DIM, 900 * DIM);
    bad[150 * DIM + 3] = Number.NaN;
    await expect(
      g.addBatch(
        bad,
        Uint32Array.from({ length: 300 }, (_, i) => 600 + i),
      ),
    ).rejects.toThrow(/item 150: label 750: element 3/);
    expect(g.count()).toBe(750);
    // A gap in the new labels is refused as one by one would: at the item, with what came before it in.
    const gap = Uint32Array.from({ length: 100 }, (_, i) => (i < 50 ? 750 + i : 900 + i));
    await expect(g.addBatch(data.subarray(0, 100 * DIM), gap)).rejects.toThrow(/item 50: label 950 is neither/);
    expect(g.count()).toBe(800);
    g.dispose();
  });

  it('a disposed graph refuses every call', () => {
    const g = graph('l2');
    g.dispose();
    expect(() => g.count()).toThrow(/disposed/);
  });

  /** Brute-force k nearest labels of `q` among `keep`, by squared l2. */
  function bruteL2(data: Float32Array, n: number, q: Float32Array, k: number, keep: (label: number) => boolean): number[] {
    const d: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      if (!keep(i)) continue;
      let s = 0;
      for (let j = 0; j < DIM; j++) s += (data[i * DIM + j]! - q[j]!) ** 2;
      d.push([s, i]);
    }
    return d
      .sort((a, b) => a[0] - b[0])
      .slice(0, k)
      .map(([, i]) => i);
  }

  it('an allow-list bitset restricts search natively, before the JS filter, and excludes labels past its end', () => {
    const n = 2000;
    const data = random(n, 3);
    const g = graph('l2', n);
    for (let i = 0; i < n; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    g.setEf(200);
    const keep = (label: number) => label % 10 === 3;
    const allow = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) if (keep(i)) allow[i >> 3]! |= 1 << (i & 7);
    let recalled = 0;
    for (let q = 0; q < 20; q++) {
      const query = data.subarray(q * DIM, (q + 1) * DIM);
      const hit = g.search(query, 10, undefined, false, allow);
      const got = [...hit.labels.subarray(0, hit.count)];
      expect(got.every(keep)).toBe(true);
      const truth = bruteL2(data, n, query, 10, keep);
      recalled += got.filter((l) => truth.includes(l)).length;
    }
    expect(recalled / 200).toBeGreaterThan(0.95);
    // Both apply: the JS filter only sees labels the bitset allows.
    const seen: number[] = [];
    const both = g.search(data.subarray(0, DIM), 10, (l) => (seen.push(l), l % 20 === 3), false, allow);
    expect(seen.every(keep)).toBe(true);
    expect([...both.labels.subarray(0, both.count)].every((l) => l % 20 === 3)).toBe(true);
    // A bitset shorter than the graph excludes every label past its end.
    const short = g.search(data.subarray(0, DIM), 5, undefined, false, new Uint8Array([0xff]));
    expect([...short.labels.subarray(0, short.count)].every((l) => l < 8)).toBe(true);
    expect(() => g.search(data.subarray(0, DIM), 5, undefined, false, new Uint32Array(4) as unknown as Uint8Array)).toThrow(TypeError);
    g.dispose();
  });

  it('scan ranks exactly the candidates given, skipping deleted labels and labels past count()', () => {
    const n = 500;
    const data = random(n, 5);
    const g = graph('l2', n);
    for (let i = 0; i < n; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
    g.markDelete(7);
    const candidates = new Uint32Array([...Array.from({ length: 100 }, (_, i) => i * 5 + 2), 7, 9999]);
    const query = data.subarray(10 * DIM, 11 * DIM);
    const hit = g.scan(query, candidates, candidates.length, 10);
    const allowed = new Set([...candidates].filter((l) => l !== 7 && l < n));
    expect([...hit.labels.subarray(0, hit.count)]).toEqual(bruteL2(data, n, query, 10, (l) => allowed.has(l)));
    for (let i = 1; i < hit.count; i++) expect(hit.distances[i]!).toBeGreaterThanOrEqual(hit.distances[i - 1]!);
    // count bounds the candidates read; fewer live candidates than k return fewer hits.
    expect(g.scan(query, candidates, 3, 10).count).toBe(2); // 2, 12 (7 is deleted)
    expect(g.scan(query, candidates, 0, 10).count).toBe(0);
    expect(() => g.scan(query, candidates, candidates.length + 1, 10)).toThrow(RangeError);
    g.dispose();
  });

  it('gather sums in float64 exactly as a JavaScript loop in element order, and copies the original vectors', () => {
    const n = 40;
    const data = random(n, 9);
    // An extreme norm makes cosine store a scaled vector: its copy must still be the original.
    data.subarray(3 * DIM, 4 * DIM).fill(3e37);
    const query = data.subarray(11 * DIM, 12 * DIM);
    const labels = new Uint32Array([3, 0, 11, 39, 5, 6, 7, 8, 9, 10, 12]);
    for (const metric of ['l2', 'cosine', 'poincare'] as const) {
      const g = graph(metric, n);
      for (let i = 0; i < n; i++) g.add(data.subarray(i * DIM, (i + 1) * DIM), i);
      const sums = new Float64Array(2 * labels.length).fill(-7);
      const vectors = new Float32Array(labels.length * DIM);
      g.gather(query, labels, labels.length, sums, vectors);
      labels.forEach((label, i) => {
        const x = vectorOf(g, label);
        let s = 0;
        let dot = 0;
        let n2 = 0;
        for (let j = 0; j < DIM; j++) {
          const t = x[j]! - query[j]!;
          s += t * t;
          dot += x[j]! * query[j]!;
          n2 += x[j]! * x[j]!;
        }
        if (metric === 'l2') expect(sums[i]).toBe(s);
        if (metric === 'cosine') expect([sums[2 * i], sums[2 * i + 1]]).toEqual([dot, n2]);
        expect(vectors.subarray(i * DIM, (i + 1) * DIM)).toEqual(data.subarray(label * DIM, (label + 1) * DIM));
      });
      if (metric === 'poincare') expect(sums.every((v) => v === -7)).toBe(true);
      // The vectors are optional; counts and labels are checked.
      g.gather(query, labels, 2, sums);
      expect(() => g.gather(query, labels, labels.length + 1, sums)).toThrow(RangeError);
      expect(() => g.gather(query, new Uint32Array([n]), 1, sums)).toThrow(RangeError);
      expect(() => g.gather(query, labels, labels.length, sums, new Float32Array(DIM))).toThrow(RangeError);
      g.dispose();
    }
  });
});
