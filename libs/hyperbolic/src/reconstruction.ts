// Reconstruction metrics (Nickel & Kiela 2017): mean rank of each node's closure neighbours and mean average precision.
import { InvalidHierarchyError, InvalidHyperbolicOptionError } from './errors.js';
import { buildHierarchy, hasSorted, type Edge, type Hierarchy } from './graph.js';
import { gapFromParts, lift, spatialNorm } from './lorentz.js';
import { seededRandom } from './random.js';

export interface Embedding {
  readonly nodes: ReadonlyArray<string>;
  readonly vectors: ReadonlyArray<ArrayLike<number>>;
}

export interface ReconstructionOptions {
  /** Evaluate this many random nodes (each ranked against all nodes) instead of all of them. */
  readonly sampleSize?: number;
  readonly seed?: number;
  /**
   * Whose distances count as hits for u: `'ancestors'` (the default, Nickel & Kiela's evaluation code: the closure
   * pairs (u, v) with u the child, so u's descendants are among its negatives) or `'closure'` (ancestors and
   * descendants alike).
   */
  readonly relevant?: 'ancestors' | 'closure';
}

export interface ReconstructionResult {
  /** Mean over all (node, neighbour) pairs of 1 + the number of non-neighbours closer than the neighbour. */
  readonly meanRank: number;
  /** Mean over evaluated nodes of the average precision of retrieving their neighbours by distance. */
  readonly map: number;
  /** How many nodes were evaluated. */
  readonly evaluated: number;
}

/**
 * For each evaluated node u (all nodes with a neighbour, or a seeded sample), ranks every other node by hyperbolic
 * distance; u's neighbours are its ancestors and descendants in the transitive closure of `edges`.
 */
export async function reconstruction(
  edges: ReadonlyArray<Edge>,
  embedding: Embedding,
  options: ReconstructionOptions = {},
): Promise<ReconstructionResult> {
  const h = buildHierarchy(edges, embedding.nodes);
  if (h.nodes.length !== embedding.nodes.length || embedding.vectors.length !== embedding.nodes.length)
    throw new InvalidHierarchyError('the embedding must give one vector for every node of the edges');
  const dim = embedding.vectors[0]!.length;
  const dim1 = dim + 1;
  const points = new Float64Array(h.nodes.length * dim1);
  embedding.vectors.forEach((v, i) => {
    if (v.length !== dim) throw new InvalidHierarchyError(`vector ${i} has ${v.length} dimensions, not ${dim}`);
    lift(v, points, i * dim1);
  });
  return evaluate(h, points, dim1, options);
}

/** The metrics on stored hyperboloid points (used by `reconstruction` and by training's progress reports). */
export async function evaluate(
  h: Hierarchy,
  points: Float64Array,
  dim1: number,
  options: ReconstructionOptions = {},
): Promise<ReconstructionResult> {
  const n = h.nodes.length;
  const relevant = options.relevant === 'closure' ? h.neighbours : h.ancestors;
  let candidates = Array.from({ length: n }, (_, i) => i).filter((u) => relevant[u]!.length > 0);
  if (options.sampleSize !== undefined) {
    if (!Number.isInteger(options.sampleSize) || options.sampleSize < 1)
      throw new InvalidHyperbolicOptionError('sampleSize', options.sampleSize, 'a positive integer');
    const random = seededRandom(options.seed ?? 1);
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
    }
    candidates = candidates.slice(0, options.sampleSize).sort((a, b) => a - b);
  }
  const gaps = new Float64Array(n);
  const norms = new Float64Array(n);
  const radii = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    norms[v] = spatialNorm(points, v * dim1, dim1);
    radii[v] = Math.asinh(norms[v]!);
  }
  let rankSum = 0;
  let rankCount = 0;
  let apSum = 0;
  let done = 0;
  for (const u of candidates) {
    const nb = relevant[u]!;
    const iu = u * dim1;
    for (let v = 0; v < n; v++) gaps[v] = gapFromParts(points, iu, norms[u]!, radii[u]!, points, v * dim1, norms[v]!, radii[v]!, dim1);
    // Non-neighbour gaps sorted once; each neighbour's rank is a binary search in it.
    const others = new Float64Array(n - 1 - nb.length);
    let k = 0;
    for (let v = 0; v < n; v++) if (v !== u && !hasSorted(nb, v)) others[k++] = gaps[v]!;
    others.sort();
    const mine = Float64Array.from(nb, (v) => gaps[v]!).sort();
    let ap = 0;
    for (let i = 0; i < mine.length; i++) {
      const closer = lowerBound(others, mine[i]!);
      rankSum += 1 + closer;
      rankCount++;
      ap += (i + 1) / (i + 1 + closer);
    }
    apSum += ap / mine.length;
    if (++done % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  return { meanRank: rankSum / rankCount, map: apSum / candidates.length, evaluated: candidates.length };
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
