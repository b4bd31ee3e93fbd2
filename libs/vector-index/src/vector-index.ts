// The vector index: an hnswlib graph that also holds the original vectors (slots by label, ids), exact distances,
// and the search entry point (the planner picks graph or scan; the hyperboloid has its own search).
// Over 400 lines on purpose: the slot bookkeeping (labels, free list, arena view, capacity, payload index) is private state every
// operation here shares; the parts that need none of it live beside it (planner, hyperboloid search, snapshot, top-k).
// The ways hits are finished (native gather, lorentz rescore, quantized read-back) read the same slot state.
import { Graph, type Metric, type Quantization } from '@hvs-nvm/hnsw';
import { InvalidArgumentError, VectorIndexError } from './errors.js';
import { checkVector, distanceFrom, sphericalFromSums, type Geometry } from './geometry.js';
import { searchHyperboloid, type BallGraph } from './hyperboloid-search.js';
import { DEFAULT_EXACT_FILTER_MAX_MATCHES, DEFAULT_EXACT_FILTER_SELECTIVITY, planCandidates, SearchPlanner } from './search-planner.js';
import { PayloadIndex, type PayloadCandidates } from './payload-index.js';
import { checkedSnapshotFiles, graphFileOf, readManifest, writeSnapshotFiles } from './snapshot.js';
import { TopK } from './top-k.js';
import { byDistance, checkId, checkK, checkPositiveInteger, topHits } from './slots.js';
import { IdTable } from './id-table.js';
import { resolveIndexOptions, type SearchHit, type SearchOptions, type VectorIndexOptions } from './index-options.js';

/** Candidates past k that a lorentz search rescores exactly (see searchDirect). */
const LORENTZ_RESCORE = 4;

export class VectorIndex {
  readonly dimension: number;
  readonly geometry: Geometry;
  /** Threads `insertFresh` builds with (see VectorIndexOptions.insertThreads). */
  readonly insertThreads: number;
  private readonly M: number;
  private readonly efConstruction: number;
  private readonly ef: number;
  /** The ef hnswlib was last given. */
  private currentEf: number;
  private readonly planner: SearchPlanner;
  private graph: Graph;
  private capacity: number;
  /**
   * The graph's element memory, zero-copy: the original vector of label L starts at L·stride + dataOffset. Taken
   * again after every resize or load (the old view is detached then).
   */
  private arena: Float32Array;
  private readonly quantization: Quantization;
  /** Quantized: the scratch element `elementOf` reads into. */
  private readonly element: Float32Array;
  private stride: number;
  private dataOffset: number;
  /**
   * Labels by id. After a snapshot load it is built on first use (a write, or a lookup by id): a search needs only
   * `labelToId`, and at 1M ids the map alone would cost a restart ~0.2 s before its first answer.
   */
  private idMap?: Map<string, number> = new Map<string, number>();
  /** Live vectors of the snapshot while `idMap` is not built. */
  private restoredLive = 0;
  private labelToId = new IdTable();
  /** Labels of deleted vectors; re-adding a marked-deleted label makes hnswlib reuse its slot. */
  private freeLabels: number[] = [];
  /** Labels ever used; hnswlib holds exactly this many slots. */
  private nextLabel = 0;
  /** Query buffer for ball-centre searches (hyperboloid). */
  private readonly scratch: Float32Array;
  /** The prepared query of the search under way (see distanceFrom). */
  private readonly queryScratch: Float64Array;
  /** The float64 sums `gather` returns for a search's hits (two per hit at most). */
  private sums = new Float64Array(128);
  /** What the hyperboloid search reads of this index. */
  private readonly ballGraph: BallGraph;
  private payloadIndex = new PayloadIndex();
  /** Whether `payload` came whole from a snapshot (else its owner rebuilds it from the documents it keeps). */
  private payloadRestored = false;
  /** The snapshot's payload index, not parsed yet (see `payload`): a first answer rarely needs it. */
  private payloadBytes?: Buffer;

  /** The graph's space: hyperboloid graphs are `lorentz`, or `poincare` when opened from an older snapshot. */
  private readonly space: Metric;

  /** `space`: the graph's metric when it is not the geometry's default (a snapshot's recorded one). */
  constructor(options: VectorIndexOptions, space?: Metric) {
    const o = resolveIndexOptions(options);
    this.insertThreads = o.insertThreads;
    this.dimension = o.dimension;
    this.geometry = o.geometry;
    this.M = o.M;
    this.efConstruction = o.efConstruction;
    this.ef = o.ef;
    this.planner = new SearchPlanner(
      o.seed,
      o.exactFilterSelectivity ?? DEFAULT_EXACT_FILTER_SELECTIVITY,
      o.exactFilterMaxMatches ?? DEFAULT_EXACT_FILTER_MAX_MATCHES,
    );
    this.space = space ?? VectorIndex.metricOf(this.geometry);
    this.capacity = o.initialCapacity;
    this.scratch = new Float32Array(this.dimension);
    this.queryScratch = new Float64Array(this.dimension);
    try {
      this.graph = new Graph({
        metric: this.space,
        dimension: this.dimension,
        capacity: this.capacity,
        M: this.M,
        efConstruction: this.efConstruction,
        seed: o.seed,
        insertThreads: o.insertThreads,
        quantization: o.quantization,
        rescoreFactor: o.rescoreFactor,
      });
      this.graph.setEf(this.ef);
      this.currentEf = this.ef;
    } catch (err) {
      throw new VectorIndexError('initialisation', err);
    }
    this.stride = this.graph.stride;
    this.dataOffset = this.graph.dataOffset;
    this.quantization = o.quantization;
    this.element = new Float32Array(this.quantization === 'none' ? 0 : this.graph.elementFloats);
    this.arena = this.view();
    this.ballGraph = {
      dimension: this.dimension,
      live: () => this.size,
      arena: () => this.arena,
      offset: (label) => this.offset(label),
      knn: (point, k, ef, labelFilter, ball, allow) => this.knn(point, k, ef, labelFilter, ball, allow),
    };
  }

  /**
   * euclidean: l2 over the vectors (squared distances; we recompute exactly anyway). spherical: cosine over the
   * original vectors. hyperboloid: lorentz, −⟨x,y⟩_L − 1 = cosh d − 1, which orders like the hyperbolic distance, so
   * one graph search answers. (Graphs of older snapshots are `poincare`, l2 over Poincaré-ball coordinates, searched
   * by certified Euclidean balls: see searchHyperboloid.)
   */
  private static metricOf(geometry: Geometry): Metric {
    return geometry === 'spherical' ? 'cosine' : geometry === 'hyperboloid' ? 'lorentz' : 'l2';
  }

  /** Where label's vector starts in the arena. */
  private offset(label: number): number {
    return label * this.stride + this.dataOffset;
  }

  /** The zero-copy view of the graph's elements; empty for a quantized graph (its floats are read per label). */
  private view(): Float32Array {
    return this.quantization === 'none' ? this.graph.vectors() : new Float32Array(0);
  }

  /** Label's laid-out element and where it starts: in the arena, or (quantized) read into a scratch element. */
  private elementOf(label: number): [Float32Array, number] {
    if (this.quantization === 'none') return [this.arena, this.offset(label)];
    this.graph.readElement(label, this.element);
    return [this.element, 0];
  }

  /**
   * Copies label's original vector into `out`. Spherical elements hold x·2^−e with e ≠ 0 only for norms beyond
   * 2^±40 (so that dot products cannot overflow): scaling back by a power of two is exact.
   */
  copyLabel(label: number, out: Float32Array, at: number): void {
    const [arena, from] = this.elementOf(label);
    const dim = this.dimension;
    const e = this.geometry === 'spherical' ? arena[from + dim + 1]! : 0;
    if (e === 0) {
      for (let i = 0; i < dim; i++) out[at + i] = arena[from + i]!;
    } else {
      const f = 2 ** e;
      for (let i = 0; i < dim; i++) out[at + i] = arena[from + i]! * f;
    }
  }

  /**
   * The inverted index over the slots' metadata that `SearchOptions.payload` queries. Its owner keeps it: `add` a
   * live slot's metadata, `remove` it (with the same metadata) before the slot is updated or deleted.
   */
  get payload(): PayloadIndex {
    if (this.payloadBytes) this.restorePayload();
    return this.payloadIndex;
  }

  /** True when the payload index was restored from the snapshot this index was loaded from. */
  get payloadFromSnapshot(): boolean {
    return this.payloadRestored;
  }

  /**
   * Called when the snapshot's payload index (checked whole on load, parsed when first needed) cannot be parsed
   * after all: its owner then adds every live slot's metadata to the empty index it is given.
   */
  onPayloadLost?: (payload: PayloadIndex) => void;

  private restorePayload(): void {
    const bytes = this.payloadBytes!;
    this.payloadBytes = undefined;
    const restored = PayloadIndex.deserialize(bytes);
    if (restored) {
      this.payloadIndex = restored;
      return;
    }
    this.payloadRestored = false;
    this.onPayloadLost?.(this.payloadIndex);
  }

  /** Slot accounting: `slots` hnswlib positions ever used (deleted ones are reused), of `capacity` allocated. */
  stats(): { live: number; slots: number; free: number; capacity: number } {
    return { live: this.size, slots: this.nextLabel, free: this.freeLabels.length, capacity: this.capacity };
  }

  private get idToLabel(): Map<string, number> {
    if (!this.idMap) {
      const map = new Map<string, number>();
      const labelToId = this.labelToId;
      for (let label = 0; label < this.nextLabel; label++) {
        const id = labelToId.at(label);
        if (id !== undefined) map.set(id, label);
      }
      this.idMap = map;
    }
    return this.idMap;
  }

  /** Live vectors. */
  get size(): number {
    return this.idMap ? this.idMap.size : this.restoredLive;
  }

  has(id: string): boolean {
    return this.idToLabel.has(id);
  }

  /** A copy of the stored original vector, so callers cannot write into the index. */
  get(id: string): Float32Array<ArrayBuffer> | undefined {
    const label = this.idToLabel.get(id);
    if (label === undefined) return undefined;
    const out = new Float32Array(this.dimension);
    this.copyLabel(label, out, 0);
    return out;
  }

  ids(): IterableIterator<string> {
    return this.idToLabel.keys();
  }

  /** Stores (or replaces) id's vector; returns its slot. */
  upsert(id: string, vector: Float32Array): number {
    checkId(id);
    checkVector(vector, this.dimension, this.geometry);
    // An update stays in its slot, a new id takes a freed one first: only a new slot needs room.
    if (!this.idToLabel.has(id) && this.freeLabels.length === 0) this.ensureCapacity(this.nextLabel + 1);
    return this.put(id, vector);
  }

  /** The id of a live slot (undefined for a free or unused one). */
  idAt(label: number): string | undefined {
    return this.labelToId.at(label);
  }

  /** Whether a slot holds a vector (its id is not decoded for this). */
  holds(label: number): boolean {
    return this.labelToId.has(label);
  }

  /** The slot of a live id. */
  labelOf(id: string): number | undefined {
    return this.idToLabel.get(id);
  }

  /** Validates every item before touching the index, so a bad item changes nothing; grows the index once. */
  upsertBatch(items: readonly { id: string; vector: Float32Array }[]): void {
    for (const item of items) {
      checkId(item.id);
      checkVector(item.vector, this.dimension, this.geometry);
    }
    let fresh = 0;
    const seen = new Set<string>();
    for (const { id } of items) {
      if (this.idToLabel.has(id) || seen.has(id)) continue;
      seen.add(id);
      fresh++;
    }
    this.ensureCapacity(this.nextLabel + Math.max(0, fresh - this.freeLabels.length));
    for (const { id, vector } of items) this.put(id, vector);
  }

  /**
   * Inserts vectors of ids the index does not hold, on a worker thread (searches go on meanwhile and see none of
   * them until it resolves). Resolves with each item's slot, or the error that kept it out (then nothing else of it
   * changed). Nothing else may write to the index until it settles.
   */
  async insertFresh(items: readonly { id: string; vector: Float32Array }[]): Promise<(number | Error)[]> {
    if (this.graph.inFlight > 0) throw new VectorIndexError('insert', new Error('another batch is being inserted'));
    const out: (number | Error)[] = new Array<number | Error>(items.length);
    const accepted: number[] = [];
    const seen = new Set<string>();
    items.forEach(({ id, vector }, i) => {
      try {
        checkId(id);
        checkVector(vector, this.dimension, this.geometry);
        if (this.idToLabel.has(id) || seen.has(id)) throw new InvalidArgumentError(`id '${id}' is already in the index`);
        seen.add(id);
        accepted.push(i);
      } catch (err) {
        out[i] = err as Error;
      }
    });
    if (accepted.length === 0) return out;
    this.ensureCapacity(this.nextLabel + Math.max(0, accepted.length - this.freeLabels.length));
    const dim = this.dimension;
    const data = new Float32Array(accepted.length * dim);
    const labels = new Uint32Array(accepted.length);
    accepted.forEach((i, k) => {
      data.set(items[i]!.vector, k * dim);
      // Slots are taken now (so exact scans skip them: no id yet) and named once the graph holds them.
      labels[k] = this.freeLabels.pop() ?? this.nextLabel++;
    });
    try {
      await this.graph.addBatch(data, labels);
    } catch (err) {
      // Cannot happen for validated items short of running out of memory; keep the index whole: the slots the
      // batch reached are marked deleted and freed, and each item is tried on its own to find the culprit.
      const made = this.graph.count();
      for (const label of labels) {
        // Slots past the graph's count were never made: the next new slot is `made` again.
        if (label >= made) continue;
        try {
          this.graph.markDelete(label);
        } catch {
          // a freed slot the batch did not reach is still deleted
        }
        this.freeLabels.push(label);
      }
      this.nextLabel = made;
      for (const i of accepted) {
        try {
          out[i] = this.upsert(items[i]!.id, items[i]!.vector);
        } catch (itemErr) {
          out[i] = itemErr instanceof Error ? itemErr : new VectorIndexError('insert', err);
        }
      }
      return out;
    }
    accepted.forEach((i, k) => {
      const id = items[i]!.id;
      this.idToLabel.set(id, labels[k]!);
      this.labelToId.set(labels[k]!, id);
      out[i] = labels[k]!;
    });
    return out;
  }

  remove(id: string): boolean {
    const label = this.idToLabel.get(id);
    if (label === undefined) return false;
    try {
      this.graph.markDelete(label);
    } catch (err) {
      throw new VectorIndexError(`delete of '${id}'`, err);
    }
    this.idToLabel.delete(id);
    this.labelToId.set(label, undefined);
    this.freeLabels.push(label);
    return true;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): SearchHit[] {
    checkK(k);
    checkVector(query, this.dimension, this.geometry);
    if (opts.ef !== undefined) checkPositiveInteger('ef', opts.ef);
    const live = this.size;
    if (live === 0) return [];
    let labelFilter = opts.labelFilter;
    if (!labelFilter && opts.filter) {
      const filter = opts.filter;
      const labelToId = this.labelToId;
      labelFilter = (label) => {
        const id = labelToId.at(label);
        return id !== undefined && filter(id);
      };
    }
    const want = Math.min(k, live);
    const ef = Math.max(opts.ef ?? this.ef, want);
    if (opts.payload) {
      const candidates = this.payload.candidates(opts.payload, this.nextLabel);
      if (candidates) {
        const residual = candidates.exact && opts.payloadExact ? undefined : labelFilter;
        return this.searchCandidates(query, k, ef, candidates, residual, opts.exact === true, opts.vectors);
      }
    }
    if (opts.exact) return this.exactScan(query, k, labelFilter);
    if (labelFilter) {
      if (this.planner.scanInstead(labelFilter, live, ef, this.nextLabel, this.labelToId)) {
        return this.exactScan(query, k, labelFilter);
      }
    }
    const hits =
      this.space === 'poincare'
        ? topHits(this.labelToId, searchHyperboloid(this.ballGraph, query, want, ef, labelFilter, this.scratch, this.queryScratch), want)
        : this.searchDirect(query, want, ef, labelFilter, undefined, opts.vectors);
    // The graph can miss matches (a very selective filter, a graph torn by deletes): k hits are a promise.
    if (hits.length < want) return this.exactScan(query, k, labelFilter);
    return hits;
  }

  /**
   * A search restricted to the payload index's candidates: an exact scan of them when they are few (natively for the
   * graph's own metrics), else the graph walk with them as a native allow-list, widened when they are sparse.
   */
  private searchCandidates(
    query: Float32Array,
    k: number,
    ef: number,
    candidates: PayloadCandidates,
    residual: ((label: number) => boolean) | undefined,
    exact: boolean,
    vectors: SearchOptions['vectors'],
  ): SearchHit[] {
    const matches = candidates.labels.length;
    if (matches === 0) return [];
    const want = Math.min(k, matches);
    const plan = exact ? undefined : planCandidates(matches, this.size, ef, want);
    if (!plan) return this.scanCandidates(query, k, candidates.labels, residual, vectors);
    const allow = candidates.bitset();
    const hits =
      this.space === 'poincare'
        ? topHits(
            this.labelToId,
            searchHyperboloid(this.ballGraph, query, want, plan.ef, residual, this.scratch, this.queryScratch, allow),
            want,
          )
        : this.searchDirect(query, want, plan.ef, residual, allow, vectors);
    // Fewer than k: the graph missed some (or fewer match the residual filter): the candidates are few enough to scan.
    if (hits.length < want) return this.scanCandidates(query, k, candidates.labels, residual, vectors);
    return hits;
  }

  /** Exact k nearest among `labels` (live slots, ascending) that pass `filter`. */
  private scanCandidates(
    query: Float32Array,
    k: number,
    labels: Uint32Array,
    filter?: (label: number) => boolean,
    vectors?: (floats: number) => Float32Array,
  ): SearchHit[] {
    let list = labels;
    if (filter) {
      const kept = new Uint32Array(labels.length);
      let n = 0;
      for (let i = 0; i < labels.length; i++) if (filter(labels[i]!)) kept[n++] = labels[i]!;
      list = kept.subarray(0, n);
    }
    if (list.length === 0) return [];
    const want = Math.min(k, list.length);
    if (this.geometry !== 'hyperboloid') {
      // hnswlib's metric orders like the exact one here: rank natively, recompute the k distances exactly.
      let found;
      try {
        found = this.graph.scan(query, list, list.length, want);
      } catch (err) {
        throw new VectorIndexError('search', err);
      }
      return this.finish(query, found.labels, found.count, vectors);
    }
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const { arena, stride, dataOffset, labelToId } = this;
    const top = new TopK(want);
    for (let i = 0; i < list.length; i++) {
      const label = list[i]!;
      if (labelToId.has(label)) top.offer(label, dist(arena, label * stride + dataOffset));
    }
    return top.sorted().map(([label, distance]) => ({ id: labelToId.at(label)!, label, distance }));
  }

  /** Brute force over the stored vectors with exact distances, ascending. */
  exactSearch(query: Float32Array, k: number, filter?: (id: string) => boolean): SearchHit[] {
    checkK(k);
    checkVector(query, this.dimension, this.geometry);
    const labelToId = this.labelToId;
    return this.exactScan(query, k, filter && ((label) => filter(labelToId.at(label)!)));
  }

  private exactScan(query: Float32Array, k: number, filter?: (label: number) => boolean): SearchHit[] {
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const { arena, stride, dataOffset, labelToId } = this;
    const quantized = this.quantization !== 'none';
    const top = new TopK(Math.min(k, this.size));
    for (let label = 0; label < this.nextLabel; label++) {
      if (!labelToId.has(label) || (filter && !filter(label))) continue;
      top.offer(label, quantized ? dist(...this.elementOf(label)) : dist(arena, label * stride + dataOffset));
    }
    return top.sorted().map(([label, distance]) => ({ id: labelToId.at(label)!, label, distance }));
  }

  /**
   * hnswlib's metric orders like the exact one (all but `poincare`); only the distance values are recomputed. The
   * lorentz space rounds cosh d − 1 to float32: a few more of the beam's nearest are rescored exactly in float64, so
   * that near-ties at the k-th place come out in exact order.
   */
  private searchDirect(
    query: Float32Array,
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
    allow?: Uint8Array,
    vectors?: (floats: number) => Float32Array,
  ): SearchHit[] {
    const lorentz = this.space === 'lorentz';
    const wide = lorentz ? Math.max(k, Math.min(ef, k + LORENTZ_RESCORE)) : k;
    const { labels, count } = this.knn(query, wide, ef, labelFilter, false, allow);
    return lorentz ? this.finishLorentz(query, k, labels, count, vectors) : this.finish(query, labels, count, vectors);
  }

  /**
   * A lorentz graph ranks by cosh d − 1 rounded to float32: a few more of the beam's nearest than k are rescored
   * exactly in float64 and cut to k.
   */
  private finishLorentz(
    query: Float32Array,
    k: number,
    labels: Uint32Array,
    count: number,
    vectors?: (floats: number) => Float32Array,
  ): SearchHit[] {
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = this.labelToId.at(label);
      if (id !== undefined) hits.push({ id, label, distance: dist(this.arena, this.offset(label)) });
    }
    hits.sort(byDistance);
    if (hits.length > k) hits.length = k;
    if (vectors) {
      const dim = this.dimension;
      const block = vectors(hits.length * dim);
      hits.forEach((h, i) => {
        this.copyLabel(h.label, block, i * dim);
        h.data = block.subarray(i * dim, (i + 1) * dim);
      });
    }
    return hits;
  }

  /**
   * Hits of graph-ranked labels (euclidean, spherical), ascending by exact distance: the distances finished from the
   * float64 sums `gather` accumulates natively (bit for bit what distanceFrom gives), which also copies the hits'
   * vectors into the array `vectors` gives, when asked.
   */
  private finish(query: Float32Array, labels: Uint32Array, count: number, vectors?: (floats: number) => Float32Array): SearchHit[] {
    if (count === 0) return [];
    if (this.quantization !== 'none') return this.finishQuantized(query, labels, count, vectors);
    const dim = this.dimension;
    const spherical = this.geometry === 'spherical';
    if (this.sums.length < 2 * count) this.sums = new Float64Array(2 * count);
    const sums = this.sums;
    const block = vectors?.(count * dim);
    try {
      this.graph.gather(query, labels, count, sums, block);
    } catch (err) {
      throw new VectorIndexError('search', err);
    }
    let qn = 0;
    if (spherical) {
      let qn2 = 0;
      for (let i = 0; i < dim; i++) qn2 += query[i]! * query[i]!;
      qn = Math.sqrt(qn2);
    }
    const labelToId = this.labelToId;
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = labelToId.at(label);
      if (id === undefined) continue;
      let distance = spherical ? sphericalFromSums(sums[2 * i]!, sums[2 * i + 1]!, qn) : Math.sqrt(sums[i]!);
      // A tiny angle (near-duplicate): arccos is ill-conditioned there, distanceFrom takes the chord.
      if (distance < 0) distance = distanceFrom(this.geometry, query, this.queryScratch)(this.arena, this.offset(label));
      hits.push(block ? { id, label, distance, data: block.subarray(i * dim, (i + 1) * dim) } : { id, label, distance });
    }
    return hits.sort(byDistance);
  }

  /** A quantized graph's hits: it holds codes, so each hit's float element is read back and its distance taken in JS. */
  private finishQuantized(query: Float32Array, labels: Uint32Array, count: number, vectors?: (floats: number) => Float32Array) {
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const dim = this.dimension;
    const block = vectors?.(count * dim);
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = this.labelToId.at(label);
      if (id === undefined) continue;
      const distance = dist(...this.elementOf(label));
      if (!block) {
        hits.push({ id, label, distance });
        continue;
      }
      this.copyLabel(label, block, i * dim);
      hits.push({ id, label, distance, data: block.subarray(i * dim, (i + 1) * dim) });
    }
    return hits.sort(byDistance);
  }

  /** Labels nearest first (views reused by the next call). `ball`: the query is a Poincaré-ball point. */
  private knn(
    point: Float32Array,
    k: number,
    ef: number,
    labelFilter: ((label: number) => boolean) | undefined,
    ball: boolean,
    allow?: Uint8Array,
  ): { labels: Uint32Array; count: number } {
    try {
      // setEf is a native call: only when it changes.
      if (ef !== this.currentEf) {
        this.graph.setEf(ef);
        this.currentEf = ef;
      }
      return this.graph.search(point, Math.min(k, this.capacity), labelFilter, ball, allow);
    } catch (err) {
      throw new VectorIndexError('search', err);
    }
  }

  private put(id: string, vector: Float32Array): number {
    let label = this.idToLabel.get(id);
    const isNew = label === undefined;
    if (label === undefined) label = this.freeLabels.pop() ?? this.nextLabel;
    try {
      // An existing (or marked-deleted, reused) label makes hnswlib update that slot in place.
      this.graph.add(vector, label);
    } catch (err) {
      if (isNew && label !== this.nextLabel) this.freeLabels.push(label);
      throw new VectorIndexError(`insert of '${id}'`, err);
    }
    if (label === this.nextLabel) this.nextLabel++;
    this.idToLabel.set(id, label);
    this.labelToId.set(label, id);
    return label;
  }

  /**
   * Grows the graph's slots by an eighth (at least 1024): doubling left up to half of them allocated and unused. A
   * resize copies the index once (~1 ms per 1k vectors), next to an insert's ~300 µs that is a fraction of a percent.
   */
  private ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = Math.max(slots, this.capacity + Math.max(1024, Math.ceil(this.capacity / 8)));
    try {
      this.graph.resize(capacity);
    } catch (err) {
      throw new VectorIndexError(`resize to ${capacity} vectors`, err);
    }
    this.arena = this.view();
    this.capacity = capacity;
  }

  /**
   * Writes the graph (which holds the vectors) and the id map under `dir`. Files carry a fresh generation name;
   * the manifest is renamed into place last, so a crash leaves the previous snapshot readable.
   */
  async writeSnapshot(dir: string): Promise<void> {
    await writeSnapshotFiles(dir, (indexFile) => {
      // Everything is captured in this synchronous stretch, so the graph and the ids agree even if writes arrive
      // while the files are being flushed.
      this.graph.save(indexFile);
      return {
        ids: this.labelToId.encode(this.nextLabel, this.freeLabels),
        payload: this.payload.serialize(),
        manifest: {
          dimension: this.dimension,
          geometry: this.geometry,
          M: this.M,
          efConstruction: this.efConstruction,
          ...(this.quantization === 'none' ? {} : { quantization: this.quantization }),
          metric: this.space,
          nextLabel: this.nextLabel,
          live: this.size,
        },
      };
    });
  }

  /** The snapshot under `dir`, or undefined when there is none, it is damaged, or it was built with other options. */
  static async loadSnapshot(dir: string, options: VectorIndexOptions): Promise<VectorIndex | undefined> {
    const manifest = await readManifest(dir);
    if (!manifest) return undefined;
    // Hyperboloid snapshots without a recorded metric were written with the Poincaré-ball layout.
    const recorded = manifest.metric ?? (manifest.geometry === 'hyperboloid' ? 'poincare' : undefined);
    const index = new VectorIndex(options, recorded);
    if (
      manifest.dimension !== index.dimension ||
      manifest.geometry !== index.geometry ||
      manifest.M !== index.M ||
      manifest.efConstruction !== index.efConstruction ||
      (manifest.quantization ?? 'none') !== index.quantization ||
      (recorded !== undefined && recorded !== VectorIndex.metricOf(index.geometry) && recorded !== 'poincare')
    ) {
      index.dispose();
      return undefined;
    }
    try {
      // The graph file is checked (size, CRC-32) by the native open, over its mapping, on a worker thread while the
      // other files are read: read once, never copied. A quantized graph is read (codes are small; its float
      // elements are copied from the .raw sidecar).
      const quantized = index.quantization !== 'none';
      const [files] = await Promise.all([
        checkedSnapshotFiles(dir, manifest, { graph: quantized }),
        quantized
          ? undefined
          : index.graph.openMappedAsync(graphFileOf(dir, manifest), manifest.nextLabel, {
              deleted: manifest.nextLabel - manifest.live,
              crc32: manifest.indexCrc32,
              bytes: manifest.indexBytes,
            }),
      ]);
      if (!files) return index.discard();
      const { indexFile, ids, payload } = files;
      if (quantized) index.graph.load(indexFile, manifest.nextLabel);
      if (index.graph.count() !== manifest.nextLabel) return index.discard();
      index.graph.setEf(index.ef);
      index.currentEf = index.ef;
      index.capacity = index.graph.capacity();
      index.arena = index.view();
      index.nextLabel = manifest.nextLabel;
      if (ids.live !== manifest.live) return index.discard();
      index.labelToId = ids.table;
      index.idMap = undefined;
      index.restoredLive = ids.live;
      index.freeLabels = ids.freeLabels;
      if (payload) {
        index.payloadBytes = payload;
        index.payloadRestored = true;
      }
      return index;
    } catch {
      return index.discard();
    }
  }

  /** Frees the graph's memory now rather than at garbage collection; the index is unusable afterwards. */
  dispose(): void {
    this.graph.dispose();
    this.payloadBytes = undefined;
    this.idMap = new Map();
    this.labelToId = new IdTable();
    this.freeLabels = [];
    this.nextLabel = 0;
    this.arena = new Float32Array(0);
  }

  private discard(): undefined {
    this.dispose();
    return undefined;
  }
}
