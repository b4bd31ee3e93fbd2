// The search planner: whether a filtered search walks the graph or scans every vector, from a sampled selectivity.
import type { LabelIds } from './slots.js';

/** Below this many live vectors a filtered search is a scan: cheaper than sampling and graph search. */
const SMALL_INDEX = 2000;
const SELECTIVITY_SAMPLE = 200;
/** Cost of one filtered graph visit (N-API callback + distance) in units of one scanned vector, as measured. */
const GRAPH_VISIT_COST = 10;
export const DEFAULT_EXACT_FILTER_SELECTIVITY = 0.002;
export const DEFAULT_EXACT_FILTER_MAX_MATCHES = 500;

export class SearchPlanner {
  private rng: number;

  constructor(
    seed: number,
    /** A filter matching a smaller share of the vectors than this is answered by exact search. */
    private readonly exactFilterSelectivity: number,
    /** A filter expected to match at most this many vectors is answered by exact search. */
    private readonly exactFilterMaxMatches: number,
  ) {
    this.rng = seed >>> 0 || 0x9e3779b9;
  }

  /** True when scanning the `live` vectors is cheaper than a graph walk for `ef` matches of `filter`. */
  scanInstead(filter: (label: number) => boolean, live: number, ef: number, nextLabel: number, labelToId: LabelIds): boolean {
    if (live <= SMALL_INDEX) return true;
    const selectivity = this.estimateSelectivity(filter, nextLabel, labelToId);
    // hnswlib admits only matching labels to its result list and walks on until it holds ef of them,
    // so recall needs no larger ef, but the walk visits ~ef/selectivity nodes at a JS callback each.
    // A scan costs ~1/GRAPH_VISIT_COST of a visit per vector: take whichever is cheaper.
    return (
      selectivity < this.exactFilterSelectivity ||
      selectivity * live <= this.exactFilterMaxMatches ||
      live <= (GRAPH_VISIT_COST * ef) / selectivity
    );
  }

  /** Share of live vectors a filter admits, from a deterministic sample of live labels. */
  private estimateSelectivity(filter: (label: number) => boolean, nextLabel: number, labelToId: LabelIds): number {
    let sampled = 0;
    let matched = 0;
    for (let attempt = 0; attempt < SELECTIVITY_SAMPLE * 20 && sampled < SELECTIVITY_SAMPLE; attempt++) {
      const label = Math.floor(this.random() * nextLabel);
      if (labelToId.at(label) === undefined) continue;
      sampled++;
      if (filter(label)) matched++;
    }
    return sampled === 0 ? 0 : matched / sampled;
  }

  /** xorshift32: reproducible sampling without touching Math.random's global state. */
  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 4294967296;
  }
}

/** Candidate counts up to this are always scanned: a scan of them costs less than the graph's entry descent. */
const ALWAYS_SCAN = 256;
/**
 * Cost of a graph search per unit of ef, in scanned candidates. Measured by CPU time per query in one process (bench
 * mixture, 128-d, 10 % filter, 50k vectors, the graph opened from its snapshot, 2-core machine, 2026-12-02 17:30 UTC):
 * the native scan of the 5,000 candidates took 100 µs (20 ns each), the allow-list walk at ef 80 107 µs, at ef 64
 * 96 µs: ~67 candidates per unit of ef. 64 puts the switch at 5,120 candidates for ef 80: up to ~51k vectors at 10 %
 * scans (exactly, recall 1), 100k at 10 % (10,000) walks the graph (recall 0.997). (The earlier 40 came from wall-clock
 * runs on a loaded machine; it had 50k walk at ~7 % more CPU than the scan.)
 */
const GRAPH_COST_PER_EF = 64;
/**
 * The beam must reach ~W·k/s nearest nodes to hold the k nearest admitted ones at selectivity s. Measured on the
 * bench mixture (uniformly spread filter, k 10): at 25k, s = 10 % needs ef ≈ 96 for recall 0.95 (0.933 at 64); at
 * 100k, ef 64 already gives 0.989 at 10 % and 0.976 at 5 %. W = 0.8 (ef 80 at 10 %) with the scan taking everything
 * up to 64·ef candidates keeps the graph to sizes where that holds (at 10 %: from 52k vectors up; ef 80 gave recall
 * 0.938 at 25k, 0.988 at 35k, 0.999 at 50k).
 */
const WIDENING = 0.8;

/**
 * How to search `matches` known candidate slots of `live`: undefined to scan them exactly, else the graph walk with
 * them as a native allow-list and the ef to use. The walk steers by the whole graph and keeps admitted nodes, so
 * (ACORN's observation) a sparse allow-list needs a wider beam: at selectivity s the k nearest admitted nodes are
 * among the ~k/s nearest, and ef is raised to WIDENING·k/s. Whichever costs less wins: a scan of `matches`, or
 * ef·GRAPH_COST_PER_EF.
 */
export function planCandidates(matches: number, live: number, ef: number, k: number): { ef: number } | undefined {
  if (matches <= Math.max(ALWAYS_SCAN, k)) return undefined;
  const s = Math.min(1, matches / Math.max(1, live));
  const widened = Math.max(ef, k, Math.ceil((WIDENING * k) / s));
  if (matches <= GRAPH_COST_PER_EF * widened) return undefined;
  return { ef: widened };
}
