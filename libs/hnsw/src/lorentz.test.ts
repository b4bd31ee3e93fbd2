// The lorentz space: cosh d − 1 between hyperboloid points, against a float64 reference at any radius, and recall.
import { describe, expect, it } from 'vitest';
import { Graph } from './index.js';

const DIM = 8;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** cosh d − 1 in float64 from the float32 coordinates, split so that nothing cancels: 2 sinh²(Δr/2) + |x||y||x̂ − ŷ|²/2. */
function reference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let a2 = 0;
  let b2 = 0;
  for (let i = 0; i < x.length; i++) {
    a2 += x[i]! * x[i]!;
    b2 += y[i]! * y[i]!;
  }
  const a = Math.sqrt(a2);
  const b = Math.sqrt(b2);
  const sh = Math.sinh((Math.asinh(a) - Math.asinh(b)) / 2);
  let chord2 = 0;
  if (a > 0 && b > 0) for (let i = 0; i < x.length; i++) chord2 += (x[i]! / a - y[i]! / b) ** 2;
  return 2 * sh * sh + (a * b * chord2) / 2;
}

/** A point at hyperbolic radius r in a random direction, and a neighbour of it: moved by ~`step` radially and angularly. */
function pointAt(random: () => number, r: number): Float32Array {
  const v = Float64Array.from({ length: DIM }, () => random() - 0.5);
  const n = Math.hypot(...v);
  return Float32Array.from(v, (c) => (c / n) * Math.sinh(r));
}

/** A random tree in the hyperboloid: each child at hyperbolic distance `edge` from its parent (spatial parts). */
function tree(n: number, random: () => number, edge = 1): Float32Array[] {
  const nodes: Float64Array[] = [Float64Array.from({ length: DIM + 1 }, (_, i) => (i === 0 ? 1 : 0))];
  for (let head = 0; nodes.length < n; head++) {
    const parent = nodes[head]!;
    for (let c = 0; c < 3 && nodes.length < n; c++) {
      const w = Float64Array.from({ length: DIM + 1 }, () => random() - 0.5);
      let ip = -parent[0]! * w[0]!;
      for (let i = 1; i <= DIM; i++) ip += parent[i]! * w[i]!;
      for (let i = 0; i <= DIM; i++) w[i] = w[i]! + ip * parent[i]!;
      let norm = -w[0]! * w[0]!;
      for (let i = 1; i <= DIM; i++) norm += w[i]! * w[i]!;
      norm = Math.sqrt(norm);
      const child = new Float64Array(DIM + 1);
      let s = 0;
      for (let i = 1; i <= DIM; i++) {
        child[i] = Math.cosh(edge) * parent[i]! + (Math.sinh(edge) * w[i]!) / norm;
        s += child[i]! ** 2;
      }
      child[0] = Math.sqrt(1 + s);
      nodes.push(child);
    }
  }
  return nodes.map((p) => Float32Array.from(p.subarray(1)));
}

/**
 * A random tree far out, in float64 and without cancellation: each child `edge` from its parent on a geodesic that
 * leaves at an angle φ ≤ `spread` from the outward ray. The child's radius follows from the hyperbolic law of
 * cosines, its angle α from the origin by the law of sines, its direction u cos α + w sin α (w ⊥ u).
 */
function deepTree(n: number, random: () => number, edge: number, spread = 0.6): Float64Array[] {
  const unit = (v: Float64Array): Float64Array => {
    const norm = Math.hypot(...v);
    return v.map((c) => c / norm);
  };
  const nodes: { r: number; u: Float64Array }[] = [{ r: 0, u: unit(Float64Array.from({ length: DIM }, () => random() - 0.5)) }];
  for (let head = 0; nodes.length < n; head++) {
    const { r, u } = nodes[head]!;
    for (let c = 0; c < 3 && nodes.length < n; c++) {
      const phi = r === 0 ? 0 : random() * spread;
      const child = Math.acosh(Math.cosh(r) * Math.cosh(edge) + Math.sinh(r) * Math.sinh(edge) * Math.cos(phi));
      const w = Float64Array.from({ length: DIM }, () => random() - 0.5);
      let dot = 0;
      for (let i = 0; i < DIM; i++) dot += w[i]! * u[i]!;
      const wt = unit(w.map((x, i) => x - dot * u[i]!));
      const alpha = r === 0 ? Math.PI / 2 : Math.asin((Math.sinh(edge) * Math.sin(phi)) / Math.sinh(child));
      const direction = r === 0 ? wt : unit(u.map((x, i) => x * Math.cos(alpha) + wt[i]! * Math.sin(alpha)));
      nodes.push({ r: child, u: direction });
    }
  }
  return nodes.map(({ r, u }) => u.map((c) => c * Math.sinh(r)));
}

/** Hyperbolic distance from cosh d − 1, stably for small values. */
const fromCosh = (c: number): number => Math.acosh(1 + c);

function graph(capacity: number, metric: 'lorentz' | 'lorentz64' = 'lorentz'): Graph {
  return new Graph({ metric, dimension: DIM, capacity, M: 16, efConstruction: 200, seed: 3, insertThreads: 1 });
}

/** Recall@10 of one graph search per query against the float64 reference over `points`. */
function recallAt10(g: Graph, points: readonly ArrayLike<number>[], queries: readonly (Float32Array | Float64Array)[]): number {
  g.setEf(64);
  let found = 0;
  for (const q of queries) {
    const truth = points
      .map((p, i) => [reference(q, p), i] as const)
      .sort((a, b) => a[0] - b[0])
      .slice(0, 10)
      .map(([, i]) => i);
    const { labels } = g.search(q, 10);
    const got = new Set(labels.subarray(0, 10));
    found += truth.filter((i) => got.has(i)).length;
  }
  return found / (10 * queries.length);
}

describe('lorentz metric', () => {
  it('gives cosh d − 1 to 2e-4 against a float64 reference, near and far, out to radius 18', () => {
    const random = rng(5);
    const points: Float32Array[] = [];
    for (const r of [0, 0.5, 3, 8, 12, 16, 18]) {
      const p = pointAt(random, r);
      points.push(p);
      // Neighbours: the same ray (deeper and shallower), a sibling at the same radius, and a nudge of both.
      for (const [dr, angle] of [
        [1, 0],
        [-0.3, 0],
        [0, 1e-3],
        [0.7, 0.4],
        [0, 0],
      ] as const) {
        const q = pointAt(random, 1);
        const n = Math.hypot(...p) || 1;
        const scale = Math.sinh(Math.max(0, r + dr)) / n;
        const moved = Float32Array.from(p, (c, i) => c * scale + q[i]! * angle * Math.exp(-r) * Math.sinh(Math.max(0, r + dr)));
        points.push(r === 0 ? q : moved);
      }
    }
    const g = graph(points.length);
    points.forEach((p, i) => g.add(p, i));
    const all = Uint32Array.from(points.keys());
    for (let i = 0; i < points.length; i++) {
      const { labels, distances, count } = g.scan(points[i]!, all, all.length, points.length);
      expect(count).toBe(points.length);
      for (let h = 0; h < count; h++) {
        const want = reference(points[i]!, points[labels[h]!]!);
        expect(Math.abs(distances[h]! - want)).toBeLessThanOrEqual(2e-4 * want + 1e-30);
      }
    }
    g.dispose();
  });

  it('one graph search finds the exact 10 nearest of a random tree (recall@10 ≥ 0.99)', () => {
    const random = rng(11);
    const points = tree(3000, random);
    const queries = points.splice(0, 100);
    const g = graph(points.length);
    points.forEach((p, i) => g.add(p, i));
    g.setEf(64);
    let found = 0;
    for (const q of queries) {
      const truth = points
        .map((p, i) => [reference(q, p), i] as const)
        .sort((a, b) => a[0] - b[0])
        .slice(0, 10)
        .map(([, i]) => i);
      const { labels } = g.search(q, 10);
      const got = new Set(labels.subarray(0, 10));
      found += truth.filter((i) => got.has(i)).length;
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.99);
    g.dispose();
  });
});

describe('lorentz64 metric (float64 coordinates)', () => {
  it('gives the hyperbolic distance to float64’s own resolution out to radius 32, near points included', () => {
    const random = rng(7);
    const points: Float64Array[] = [];
    for (const r of [0, 3, 12, 18, 24, 30, 32]) {
      const u = Float64Array.from({ length: DIM }, () => random() - 0.5);
      const un = Math.hypot(...u);
      for (const [dr, angle] of [
        [0, 0],
        [1, 0],
        [-0.5, 0],
        [0, 1],
        [0, 0.01],
        [0.7, 0.4],
      ] as const) {
        // A tangent step of hyperbolic length ~angle at radius r: an angle of ~angle/sinh r.
        const w = Float64Array.from({ length: DIM }, () => random() - 0.5);
        const radius = Math.max(0, r + dr);
        const p = Float64Array.from(u, (c, i) => c / un + (w[i]! * angle) / Math.sinh(Math.max(r, 1)));
        const pn = Math.hypot(...p);
        points.push(Float64Array.from(p, (c) => (c / pn) * Math.sinh(radius)));
      }
    }
    const g = graph(points.length, 'lorentz64');
    points.forEach((p, i) => g.add(p, i));
    const all = Uint32Array.from(points.keys());
    for (let i = 0; i < points.length; i++) {
      const { labels, distances, count } = g.scan(points[i]!, all, all.length, points.length);
      expect(count).toBe(points.length);
      for (let h = 0; h < count; h++) {
        const other = points[labels[h]!]!;
        const want = reference(points[i]!, other);
        // float64 itself resolves directions at radius r to ~2^-52·sinh r of hyperbolic length (~0.01 at 32).
        const resolution = 2 ** -52 * Math.max(Math.hypot(...points[i]!), Math.hypot(...other));
        expect(Math.abs(fromCosh(distances[h]!) - fromCosh(want))).toBeLessThanOrEqual(1e-6 + 8 * resolution);
      }
    }
    g.dispose();
  });

  it('at radius ~30 one graph search finds the exact 10 nearest (recall@10 ≥ 0.99), where float32 coordinates fail', () => {
    const random = rng(13);
    // Three children per node, 4.5 apart: 7 levels reach radius ~30.
    const points = deepTree(3000, random, 4.5);
    const maxRadius = Math.max(...points.map((p) => Math.asinh(Math.hypot(...p))));
    expect(maxRadius).toBeGreaterThan(28);
    const queries = points.splice(0, 100);
    const g = graph(points.length, 'lorentz64');
    points.forEach((p, i) => g.add(p, i));
    expect(recallAt10(g, points, queries)).toBeGreaterThanOrEqual(0.99);
    g.dispose();
    // The same points rounded to float32 lose their neighbours (the reference stays float64).
    const g32 = graph(points.length, 'lorentz');
    points.forEach((p, i) => g32.add(Float32Array.from(p), i));
    expect(
      recallAt10(
        g32,
        points,
        queries.map((q) => Float32Array.from(q)),
      ),
    ).toBeLessThan(0.9);
    g32.dispose();
  });

  it('adds in batches from a Float64Array, keeps the doubles in vectors64(), and takes float32 too', async () => {
    const random = rng(17);
    const points = deepTree(500, random, 3);
    const g = graph(points.length + 1, 'lorentz64');
    const data = new Float64Array(points.length * DIM);
    points.forEach((p, i) => data.set(p, i * DIM));
    await g.addBatch(data, Uint32Array.from(points.keys()));
    const view = g.vectors64();
    for (const label of [0, 17, 499]) {
      const at = label * g.stride + g.dataOffset;
      expect(Array.from(view.subarray(at, at + DIM))).toEqual(Array.from(points[label]!));
    }
    expect(() => g.vectors()).toThrow(/vectors64/);
    g.add(Float32Array.from(points[3]!), points.length);
    const { labels, count } = g.search(points[3]!, 2);
    expect(count).toBe(2);
    expect(new Set(labels.subarray(0, 2))).toEqual(new Set([3, points.length]));
    g.dispose();
  });

  it('keeps far pairs (d past 89, where cosh d − 1 overflows float32) finite and in order', () => {
    const random = rng(23);
    const points = Array.from({ length: 40 }, (_, i) => {
      const u = Float64Array.from({ length: DIM }, () => random() - 0.5);
      const n = Math.hypot(...u);
      return u.map((c) => (c / n) * Math.sinh(40 + i / 4));
    });
    const g = graph(points.length, 'lorentz64');
    points.forEach((p, i) => g.add(p, i));
    const all = Uint32Array.from(points.keys());
    const { labels, distances, count } = g.scan(points[0]!, all, all.length, points.length);
    expect(count).toBe(points.length);
    const d = (l: number) => Math.asinh(Math.hypot(...points[0]!)) + Math.asinh(Math.hypot(...points[l]!)); // ~ the log scale
    expect(d(labels[count - 1]!)).toBeGreaterThan(89);
    const exact = Array.from(labels.subarray(0, count), (l) => fromCosh(reference(points[0]!, points[l]!)));
    for (let h = 1; h < count; h++) {
      expect(Number.isFinite(distances[h]!)).toBe(true);
      expect(distances[h]!).toBeGreaterThanOrEqual(distances[h - 1]!);
      expect(exact[h]!).toBeGreaterThanOrEqual(exact[h - 1]! - 1e-9);
    }
    g.dispose();
  });

  it('refuses float64 coordinates in a float32 graph, and quantization', () => {
    const g = graph(4, 'lorentz');
    expect(() => g.add(new Float64Array(DIM), 0)).toThrow(/Float32Array/);
    g.dispose();
    expect(
      () => new Graph({ metric: 'lorentz64', dimension: DIM, capacity: 4, M: 16, efConstruction: 50, seed: 1, quantization: 'int8' }),
    ).toThrow(/lorentz64/);
  });
});
