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
function reference(x: Float32Array, y: Float32Array): number {
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

function graph(capacity: number): Graph {
  return new Graph({ metric: 'lorentz', dimension: DIM, capacity, M: 16, efConstruction: 200, seed: 3, insertThreads: 1 });
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
