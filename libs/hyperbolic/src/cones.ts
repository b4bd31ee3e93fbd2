// The combinatorial layout for d ≥ 3: a Sarkar-style cone construction of the spanning tree in the hyperplane
// H^{d−1}, each node then lifted off it along the normal by its own skeleton radius (Fermi coordinates).
//
// Why: with node u at height t_u above skeleton point X_u, cosh d(u,w) = cosh(t_u−t_w) + cosh t_u cosh t_w (cosh D − 1)
// with D the skeleton distance, so d(u,w) is monotone in t_u + t_w + 2 log sinh(D/2) ≈ t_u + t_w + D. Taking t = s
// (the skeleton distance from the root) makes every ancestor a of u score ≈ 2 s_u and every non-ancestor w, which
// branches off at some p, score ≈ 2 s_u + 2 (s_w − s_p) > 2 s_u: the tree's ancestor relation is read off distances
// without radii doubling per level, which a plain tree embedding (Sarkar 2011; Sala et al. 2018) would need.
import type { Hierarchy } from './graph.js';
import { gaussian, type Random } from './random.js';

export interface ConeOptions {
  /** Extra skeleton edge length beyond what the children's angular separation needs. */
  readonly margin: number;
  /** Candidates drawn per child when spreading children (farthest-point selection among them). */
  readonly candidatesPerChild: number;
  /** Room a child subtree needs, relative to its siblings' separation (the step is log(capFactor / minSep) + margin). */
  readonly capFactor: number;
}

/** The spanning tree: each node's primary parent is its deepest parent (−1 for roots); children lists. */
export function spanningTree(h: Hierarchy): { parent: Int32Array; children: number[][] } {
  const n = h.nodes.length;
  const parent = new Int32Array(n).fill(-1);
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let u = 0; u < n; u++) {
    for (const p of h.parents[u]!) if (parent[u]! < 0 || h.depth[p]! > h.depth[parent[u]!]!) parent[u] = p;
    if (parent[u]! >= 0) children[parent[u]!]!.push(u);
  }
  return { parent, children };
}

/** Spreads k points in the unit ball of R^m (on the sphere when `onSphere`), maximin over random candidates. */
function spread(k: number, m: number, onSphere: boolean, random: Random, perChild: number): { points: Float64Array; minSep: number } {
  const out = new Float64Array(k * m);
  if (k === 1 && !onSphere) return { points: out, minSep: 2 };
  const c = Math.max(k * perChild, 16);
  const cand = new Float64Array(c * m);
  for (let i = 0; i < c; i++) {
    let r2 = 0;
    for (let j = 0; j < m; j++) {
      const g = gaussian(random);
      cand[i * m + j] = g;
      r2 += g * g;
    }
    // Uniform in the ball: radius U^{1/m}; on the sphere: radius 1.
    const scale = (onSphere ? 1 : Math.pow(random(), 1 / m)) / (Math.sqrt(r2) || 1);
    for (let j = 0; j < m; j++) cand[i * m + j]! *= scale;
  }
  const best = new Float64Array(c).fill(Infinity);
  let pick = 0;
  let minSep = Infinity;
  for (let s = 0; s < k; s++) {
    if (s > 0) {
      let far = -1;
      for (let i = 0; i < c; i++) if (far < 0 || best[i]! > best[far]!) far = i;
      minSep = Math.min(minSep, Math.sqrt(best[far]!));
      pick = far;
    }
    for (let j = 0; j < m; j++) out[s * m + j] = cand[pick * m + j]!;
    for (let i = 0; i < c; i++) {
      let d2 = 0;
      for (let j = 0; j < m; j++) d2 += (cand[i * m + j]! - cand[pick * m + j]!) ** 2;
      if (d2 < best[i]!) best[i] = d2;
    }
  }
  return { points: out, minSep: k === 1 ? 2 : minSep };
}

/** Returns n × (d+1) hyperboloid points (d ≥ 3). */
export function coneLayout(h: Hierarchy, dim: number, random: Random, options: ConeOptions): Float64Array {
  const n = h.nodes.length;
  const m = dim - 1; // skeleton directions live in R^m
  const { children } = spanningTree(h);
  const radius = new Float64Array(n);
  const dir = new Float64Array(n * m);
  const placed = new Uint8Array(n);
  const queue: number[] = [];
  for (const u of h.order) if (h.parents[u]!.length === 0) queue.push(u);
  const basis = new Float64Array(m * m);
  for (let qi = 0; qi < queue.length; qi++) {
    const p = queue[qi]!;
    placed[p] = 1;
    const kids = children[p]!.filter((c) => placed[c] === 0);
    if (kids.length === 0) continue;
    const isRoot = h.parents[p]!.length === 0;
    if (isRoot) {
      const { points, minSep } = spread(kids.length, m, true, random, options.candidatesPerChild);
      const step = stepLength(kids.length, minSep, options);
      kids.forEach((c, i) => {
        radius[c] = step;
        for (let j = 0; j < m; j++) dir[c * m + j] = points[i * m + j]!;
      });
    } else {
      // Orthonormal basis of the tangent space ⊥ n_p (Gram–Schmidt on random vectors), then offsets in its ball.
      const np = dir.subarray(p * m, (p + 1) * m);
      const { points, minSep } = spread(kids.length, m - 1, false, random, options.candidatesPerChild);
      orthoBasis(np, m, basis, random);
      const step = stepLength(kids.length, minSep, options);
      const tilt = Math.exp(-radius[p]!);
      kids.forEach((c, i) => {
        radius[c] = radius[p]! + step;
        let norm = 0;
        for (let j = 0; j < m; j++) {
          let v = np[j]!;
          for (let b = 0; b < m - 1; b++) v += tilt * points[i * (m - 1) + b]! * basis[b * m + j]!;
          dir[c * m + j] = v;
          norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (let j = 0; j < m; j++) dir[c * m + j]! /= norm;
      });
    }
    for (const c of kids) queue.push(c);
  }
  // Lift: P = cosh t · X + sinh t · N with X = (cosh s, sinh s · n, 0), N = (0, …, 0, 1), t = s.
  const dim1 = dim + 1;
  const out = new Float64Array(n * dim1);
  for (let u = 0; u < n; u++) {
    const s = radius[u]!;
    const t = s;
    const ct = Math.cosh(t);
    out[u * dim1] = ct * Math.cosh(s);
    for (let j = 0; j < m; j++) out[u * dim1 + 1 + j] = ct * Math.sinh(s) * dir[u * m + j]!;
    out[u * dim1 + dim] = Math.sinh(t);
  }
  return out;
}

/**
 * Skeleton edge length below a node: room for the children's cones, log(capFactor / minSep), and never less than
 * log 2 — a child one step s out must score t + 2 log sinh(s/2) above its parent's root distance, which needs e^s > 2.
 */
function stepLength(children: number, minSep: number, options: ConeOptions): number {
  const room = children === 1 ? 0 : Math.log(options.capFactor / minSep);
  return Math.max(room, Math.LN2) + options.margin;
}

/** Fills `basis` (rows) with m−1 orthonormal vectors orthogonal to unit vector `n`. */
function orthoBasis(n: Float64Array, m: number, basis: Float64Array, random: Random): void {
  for (let b = 0; b < m - 1; b++) {
    for (;;) {
      for (let j = 0; j < m; j++) basis[b * m + j] = gaussian(random);
      const project = (row: ArrayLike<number>, off: number) => {
        let dot = 0;
        for (let j = 0; j < m; j++) dot += basis[b * m + j]! * row[off + j]!;
        for (let j = 0; j < m; j++) basis[b * m + j]! -= dot * row[off + j]!;
      };
      project(n, 0);
      for (let a = 0; a < b; a++) project(basis, a * m);
      let norm = 0;
      for (let j = 0; j < m; j++) norm += basis[b * m + j]! ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let j = 0; j < m; j++) basis[b * m + j]! /= norm;
        break;
      }
    }
  }
}
