// Hyperboloid k-NN search over a graph built in the Poincaré ball: certified by searching shifted Euclidean balls.
import type { Coordinates } from '@hvs-nvm/hnsw';
import { distanceFrom } from './geometry.js';

/** Hyperboloid search: widening rounds before accepting the best candidates found. */
const MAX_BALL_ROUNDS = 5;

/** What the search needs of the index: its size, its element memory and a Euclidean k-NN of the graph. */
export interface BallGraph {
  readonly dimension: number;
  /** Live vectors. */
  live(): number;
  /** The graph's element memory, zero-copy (taken per search: a resize replaces it); float32 in a poincare graph. */
  arena(): Float32Array | Float64Array;
  /** Where label's vector starts in the arena. */
  offset(label: number): number;
  /** Labels nearest first (views reused by the next call). `ball`: the query is a Poincaré-ball point. */
  knn(
    point: Coordinates,
    k: number,
    ef: number,
    labelFilter: ((label: number) => boolean) | undefined,
    ball: boolean,
    allow?: Uint8Array,
  ): { labels: Uint32Array; count: number };
}

/**
 * Returns every label found with its exact distance (the caller keeps the k best).
 *
 * Hyperboloid. The graph lives in the Poincaré ball, which is conformal but scales distances by
 * 2/(1−|p|²): around a query, Euclidean order favours deeper points, so plain l2 + re-rank needs
 * hundreds of candidates. But a hyperbolic ball B(q, s) IS a Euclidean ball of the Poincaré model,
 * with centre c = q(1−t²)/(1−t²|q|²) and radius ρ = t(1−|q|²)/(1−t²|q|²), t = tanh(s/2).
 * So: (1) a few l2 neighbours of q give an upper bound s on the k-th distance; (2) the l2
 * neighbours of the shifted centre c are, in order, the points of that hyperbolic ball; (3) if
 * the Euclidean ball reached around c contains the hyperbolic ball of the current k-th distance,
 * the answer is certified (up to hnswlib's own l2 recall); else widen and repeat.
 */
export function searchHyperboloid(
  g: BallGraph,
  query: Float32Array,
  k: number,
  ef: number,
  labelFilter: ((label: number) => boolean) | undefined,
  scratch: Float32Array,
  queryScratch: Float64Array,
  allow?: Uint8Array,
): Map<number, number> {
  const dim = g.dimension;
  const live = g.live();
  let qn2 = 0;
  for (let i = 0; i < dim; i++) qn2 += query[i]! * query[i]!;
  const q0 = Math.sqrt(1 + qn2);
  const pf = 1 / (1 + q0); // Poincaré coordinates of q are query · pf
  const oneMinusQ2 = 2 / (1 + q0); // 1 − |p_q|², without cancellation near the boundary
  const pqNorm = Math.sqrt(qn2) * pf;
  const dist = distanceFrom('hyperboloid', query, queryScratch);
  const found = new Map<number, number>();

  const collect = (centreScale: number, count: number): { complete: boolean; reach: number } => {
    for (let i = 0; i < dim; i++) scratch[i] = query[i]! * pf * centreScale;
    const { labels, count: hits } = g.knn(scratch, count, Math.max(ef, count), labelFilter, true, allow);
    const arena = g.arena();
    let reach2 = 0;
    for (let h = 0; h < hits; h++) {
      const label = labels[h]!;
      const off = g.offset(label);
      if (!found.has(label)) found.set(label, dist(arena, off));
      // Euclidean distance from the centre to this point's Poincaré coordinates, in float64.
      let xn2 = 0;
      for (let i = 0; i < dim; i++) xn2 += arena[off + i]! ** 2;
      const xf = 1 / (1 + Math.sqrt(1 + xn2));
      let e2 = 0;
      for (let i = 0; i < dim; i++) {
        const t = arena[off + i]! * xf - scratch[i]!;
        e2 += t * t;
      }
      if (e2 > reach2) reach2 = e2;
    }
    return { complete: hits < count, reach: Math.sqrt(reach2) };
  };
  const kthDistance = (): number => {
    const ds = [...found.values()].sort((a, b) => a - b);
    return ds[Math.min(k, ds.length) - 1] ?? Infinity;
  };
  const ball = (s: number): { scale: number; radius: number } => {
    const t = Math.tanh(s / 2);
    const c = Math.cosh(s / 2);
    const oneMinusT2 = 1 / (c * c);
    const den = oneMinusT2 + t * t * oneMinusQ2;
    return { scale: oneMinusT2 / den, radius: (t * oneMinusQ2) / den };
  };

  let count = Math.min(live, Math.max(k + 8, 16));
  if (collect(1, count).complete || found.size < k) return found;
  count = Math.min(live, Math.max(2 * k, count));
  for (let round = 0; round < MAX_BALL_ROUNDS; round++) {
    const searched = ball(kthDistance());
    const { complete, reach } = collect(searched.scale, count);
    if (complete) break;
    const target = ball(kthDistance());
    const offset = pqNorm * Math.abs(target.scale - searched.scale);
    if (offset + target.radius <= reach) break;
    if (count >= live) break;
    count = Math.min(live, count * 2);
  }
  return found;
}
