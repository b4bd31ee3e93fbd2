// The starting layout: a top-down construction on a spanning tree (each node under its deepest parent), each child
// one geodesic step further from the origin than its parent and turned by a random angle, so subtrees start in
// narrowing cones as in Sarkar's construction; training then fixes the non-tree links and the spacing.
import type { Hierarchy } from './graph.js';
import { expMapInPlace } from './lorentz.js';
import { gaussian, type Random } from './random.js';

export interface ConstructOptions {
  /** Geodesic length of the outward part of each tree step. */
  readonly radialStep: number;
  /** Geodesic length of the sideways (random) part of each tree step. */
  readonly spread: number;
}

/** Returns n × (d+1) hyperboloid points laid out along the spanning tree. */
export function construct(h: Hierarchy, dim: number, random: Random, options: ConstructOptions): Float64Array {
  const dim1 = dim + 1;
  const points = new Float64Array(h.nodes.length * dim1);
  const v = new Float64Array(dim1);
  for (const u of h.order) {
    const at = u * dim1;
    const parents = h.parents[u]!;
    let primary = -1;
    for (const p of parents) if (primary < 0 || h.depth[p]! > h.depth[primary]!) primary = p;
    if (primary < 0) {
      // A root: near the origin.
      points[at] = 1;
      v.fill(0);
      for (let k = 1; k < dim1; k++) v[k] = 0.01 * gaussian(random);
      expMapInPlace(points, at, v, dim1);
      continue;
    }
    const pa = primary * dim1;
    for (let k = 0; k < dim1; k++) points[at + k] = points[pa + k]!;
    // Outward unit tangent at the parent: (sinh r, cosh r · n) for the parent at (cosh r, sinh r · n).
    let r2 = 0;
    for (let k = 1; k < dim1; k++) r2 += points[pa + k]! * points[pa + k]!;
    const sinhR = Math.sqrt(r2);
    const coshR = points[pa]!;
    v.fill(0);
    const side = new Float64Array(dim1);
    for (let k = 1; k < dim1; k++) side[k] = gaussian(random);
    if (sinhR > 1e-9) {
      v[0] = sinhR;
      for (let k = 1; k < dim1; k++) v[k] = (coshR * points[pa + k]!) / sinhR;
      // Remove the outward component from the random direction, and its time part (tangency at the parent).
      let dot = 0;
      for (let k = 1; k < dim1; k++) dot += (side[k]! * points[pa + k]!) / sinhR;
      for (let k = 1; k < dim1; k++) side[k]! -= (dot * points[pa + k]!) / sinhR;
      let s2 = 0;
      for (let k = 1; k < dim1; k++) s2 += side[k]! * side[k]!;
      const s = Math.sqrt(s2) || 1;
      for (let k = 0; k < dim1; k++) v[k] = options.radialStep * v[k]! + (options.spread * side[k]!) / s;
      // The sideways part of a tangent vector at p must satisfy ⟨p, side⟩_L = 0: its time part is (x·side)/p0.
      let xs = 0;
      for (let k = 1; k < dim1; k++) xs += points[pa + k]! * side[k]!;
      v[0]! += (options.spread * (xs / s)) / coshR;
    } else {
      let s2 = 0;
      for (let k = 1; k < dim1; k++) s2 += side[k]! * side[k]!;
      const s = Math.sqrt(s2) || 1;
      for (let k = 1; k < dim1; k++) v[k] = ((options.radialStep + options.spread) * side[k]!) / s;
    }
    expMapInPlace(points, at, v, dim1);
  }
  return points;
}
