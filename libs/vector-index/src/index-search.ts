// A search of the vector index, from its options to its hits: payload candidates, the planner's choice between the
// graph walk and an exact scan, and the finishing of the graph's ranked labels (see hit-finishers.ts). It reads the
// index through a small interface (its slots, its graph's searches), so it holds no slot bookkeeping of its own.
import type { Coordinates } from '@hvs-nvm/hnsw';
import { checkVector, distanceFrom } from './geometry.js';
import { HitFinisher, type SlotReader, type VectorBlock } from './hit-finishers.js';
import { searchHyperboloid, type BallGraph } from './hyperboloid-search.js';
import type { SearchHit, SearchOptions } from './index-options.js';
import type { PayloadCandidates, PayloadIndex } from './payload-index.js';
import { planCandidates, type SearchPlanner } from './search-planner.js';
import { checkK, checkPositiveInteger, topHits } from './slots.js';
import { TopK } from './top-k.js';

/** Candidates past k that a lorentz search rescores exactly (see searchDirect). */
const LORENTZ_RESCORE = 4;

/** What a search reads of the index besides its slots: the graph's searches, its counts, its payload index. */
export interface SearchableSlots extends SlotReader, BallGraph {
  readonly dimension: number;
  /** Slots ever used (labels below it may be live). */
  slotCount(): number;
  payload(): PayloadIndex;
  /** The graph's k nearest of `labels[0..count)` by its own metric, nearest first (views reused by the next call). */
  scan(query: Coordinates, labels: Uint32Array, count: number, k: number): { labels: Uint32Array; count: number };
}

export class IndexSearch {
  private readonly finisher: HitFinisher;
  /** Query buffer for ball-centre searches (hyperboloid). */
  private readonly scratch: Float32Array;
  /** The prepared query of the search under way (see distanceFrom). */
  private readonly queryScratch: Float64Array;

  constructor(
    private readonly slots: SearchableSlots,
    private readonly planner: SearchPlanner,
    /** The default ef. */
    private readonly ef: number,
  ) {
    this.scratch = new Float32Array(slots.dimension);
    this.queryScratch = new Float64Array(slots.dimension);
    this.finisher = new HitFinisher(slots, this.queryScratch);
  }

  search(query: Coordinates, k: number, opts: SearchOptions = {}): SearchHit[] {
    const slots = this.slots;
    checkK(k);
    checkVector(query, slots.dimension, slots.geometry);
    if (opts.ef !== undefined) checkPositiveInteger('ef', opts.ef);
    const live = slots.live();
    if (live === 0) return [];
    let labelFilter = opts.labelFilter;
    if (!labelFilter && opts.filter) {
      const filter = opts.filter;
      const ids = slots.ids();
      labelFilter = (label) => {
        const id = ids.at(label);
        return id !== undefined && filter(id);
      };
    }
    const want = Math.min(k, live);
    const ef = Math.max(opts.ef ?? this.ef, want);
    if (opts.payload) {
      const candidates = slots.payload().candidates(opts.payload, slots.slotCount());
      if (candidates) {
        const residual = candidates.exact && opts.payloadExact ? undefined : labelFilter;
        return this.searchCandidates(query, k, ef, candidates, residual, opts.exact === true, opts.vectors);
      }
    }
    if (opts.exact) return this.exactScan(query, k, labelFilter);
    if (labelFilter && this.planner.scanInstead(labelFilter, live, ef, slots.slotCount(), slots.ids())) {
      return this.exactScan(query, k, labelFilter);
    }
    const hits =
      slots.space === 'poincare'
        ? topHits(slots.ids(), searchHyperboloid(slots, float32(query), want, ef, labelFilter, this.scratch, this.queryScratch), want)
        : this.searchDirect(query, want, ef, labelFilter, undefined, opts.vectors);
    // The graph can miss matches (a very selective filter, a graph torn by deletes): k hits are a promise.
    if (hits.length < want) return this.exactScan(query, k, labelFilter);
    return hits;
  }

  /** Brute force over the stored vectors with exact distances, ascending. */
  exactSearch(query: Coordinates, k: number, filter?: (id: string) => boolean): SearchHit[] {
    checkK(k);
    checkVector(query, this.slots.dimension, this.slots.geometry);
    const ids = this.slots.ids();
    return this.exactScan(query, k, filter && ((label) => filter(ids.at(label)!)));
  }

  /**
   * A search restricted to the payload index's candidates: an exact scan of them when they are few (natively for the
   * graph's own metrics), else the graph walk with them as a native allow-list, widened when they are sparse.
   */
  private searchCandidates(
    query: Coordinates,
    k: number,
    ef: number,
    candidates: PayloadCandidates,
    residual: ((label: number) => boolean) | undefined,
    exact: boolean,
    vectors: VectorBlock | undefined,
  ): SearchHit[] {
    const slots = this.slots;
    const matches = candidates.labels.length;
    if (matches === 0) return [];
    const want = Math.min(k, matches);
    const plan = exact ? undefined : planCandidates(matches, slots.live(), ef, want);
    if (!plan) return this.scanCandidates(query, k, candidates.labels, residual, vectors);
    const allow = candidates.bitset();
    const hits =
      slots.space === 'poincare'
        ? topHits(
            slots.ids(),
            searchHyperboloid(slots, float32(query), want, plan.ef, residual, this.scratch, this.queryScratch, allow),
            want,
          )
        : this.searchDirect(query, want, plan.ef, residual, allow, vectors);
    // Fewer than k: the graph missed some (or fewer match the residual filter): the candidates are few enough to scan.
    if (hits.length < want) return this.scanCandidates(query, k, candidates.labels, residual, vectors);
    return hits;
  }

  /** Exact k nearest among `labels` (live slots, ascending) that pass `filter`. */
  private scanCandidates(
    query: Coordinates,
    k: number,
    labels: Uint32Array,
    filter?: (label: number) => boolean,
    vectors?: VectorBlock,
  ): SearchHit[] {
    const slots = this.slots;
    let list = labels;
    if (filter) {
      const kept = new Uint32Array(labels.length);
      let n = 0;
      for (let i = 0; i < labels.length; i++) if (filter(labels[i]!)) kept[n++] = labels[i]!;
      list = kept.subarray(0, n);
    }
    if (list.length === 0) return [];
    const want = Math.min(k, list.length);
    if (slots.geometry !== 'hyperboloid') {
      // hnswlib's metric orders like the exact one here: rank natively, recompute the k distances exactly.
      const found = slots.scan(query, list, list.length, want);
      return this.finisher.ranked(query, found.labels, found.count, vectors);
    }
    const dist = distanceFrom(slots.geometry, query, this.queryScratch);
    const arena = slots.arena();
    const ids = slots.ids();
    const top = new TopK(want);
    for (let i = 0; i < list.length; i++) {
      const label = list[i]!;
      if (ids.has(label)) top.offer(label, dist(arena, slots.offset(label)));
    }
    return top.sorted().map(([label, distance]) => ({ id: ids.at(label)!, label, distance }));
  }

  private exactScan(query: Coordinates, k: number, filter?: (label: number) => boolean): SearchHit[] {
    const slots = this.slots;
    const dist = distanceFrom(slots.geometry, query, this.queryScratch);
    const arena = slots.arena();
    const ids = slots.ids();
    const end = slots.slotCount();
    const top = new TopK(Math.min(k, slots.live()));
    for (let label = 0; label < end; label++) {
      if (!ids.has(label) || (filter && !filter(label))) continue;
      top.offer(label, slots.quantized ? dist(...slots.elementOf(label)) : dist(arena, slots.offset(label)));
    }
    return top.sorted().map(([label, distance]) => ({ id: ids.at(label)!, label, distance }));
  }

  /**
   * hnswlib's metric orders like the exact one (all but `poincare`); only the distance values are recomputed. The
   * lorentz space rounds cosh d − 1 to float32: a few more of the beam's nearest are rescored exactly in float64, so
   * that near-ties at the k-th place come out in exact order.
   */
  private searchDirect(
    query: Coordinates,
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
    allow?: Uint8Array,
    vectors?: VectorBlock,
  ): SearchHit[] {
    const lorentz = this.slots.space === 'lorentz' || this.slots.space === 'lorentz64';
    const wide = lorentz ? Math.max(k, Math.min(ef, k + LORENTZ_RESCORE)) : k;
    const { labels, count } = this.slots.knn(query, wide, ef, labelFilter, false, allow);
    return lorentz ? this.finisher.lorentz(query, k, labels, count, vectors) : this.finisher.ranked(query, labels, count, vectors);
  }
}

/** A poincare graph's query (its elements are float32; only lorentz64 graphs take float64 coordinates). */
function float32(query: Coordinates): Float32Array {
  return query instanceof Float32Array ? query : Float32Array.from(query);
}
