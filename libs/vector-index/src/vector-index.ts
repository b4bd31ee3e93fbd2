// The vector index: an hnswlib graph that also holds the original vectors (slots by label, ids, free list, arena view,
// capacity, payload index), its writes and its snapshot. Searches read it through a small interface (index-search.ts,
// which finishes hits in hit-finishers.ts); the parts that need none of its state live beside it (planner, hyperboloid
// search, snapshot files, top-k).
// Over 450 lines on purpose: the slot bookkeeping is private state every write and the snapshot share.
import { Graph, type Coordinates, type Metric, type Quantization } from '@hvs-nvm/hnsw';
import { InvalidArgumentError, VectorIndexError } from './errors.js';
import { checkVector, type Geometry } from './geometry.js';
import { IndexSearch, type SearchableSlots } from './index-search.js';
import { DEFAULT_EXACT_FILTER_MAX_MATCHES, DEFAULT_EXACT_FILTER_SELECTIVITY, SearchPlanner } from './search-planner.js';
import { PayloadIndex } from './payload-index.js';
import { checkedSnapshotFiles, graphFileOf, readManifest, writeSnapshotFiles } from './snapshot.js';
import { checkId } from './slots.js';
import { IdTable } from './id-table.js';
import { resolveIndexOptions, type SearchHit, type SearchOptions, type VectorIndexOptions } from './index-options.js';

/** Hyperboloid graphs of at most this many dimensions hold float64 coordinates (see metricOf). */
export const LORENTZ64_MAX_DIMENSION = 32;

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
  private graph: Graph;
  private capacity: number;
  /**
   * The graph's element memory, zero-copy: the original vector of label L starts at L·stride + dataOffset. Taken
   * again after every resize or load (the old view is detached then).
   */
  private arena: Float32Array | Float64Array;
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
  /** The searches, over what they read of this index. */
  private readonly searcher: IndexSearch;
  private payloadIndex = new PayloadIndex();
  /** Whether `payload` came whole from a snapshot (else its owner rebuilds it from the documents it keeps). */
  private payloadRestored = false;
  /** The snapshot's payload index, not parsed yet (see `payload`): a first answer rarely needs it. */
  private payloadBytes?: Buffer;

  /**
   * The graph's space: hyperboloid graphs are `lorentz64` (float64 coordinates), or `lorentz` (float32) or `poincare`
   * when opened from an older snapshot.
   */
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
    this.space = space ?? VectorIndex.metricOf(this.geometry, this.dimension);
    this.capacity = o.initialCapacity;
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
    const planner = new SearchPlanner(
      o.seed,
      o.exactFilterSelectivity ?? DEFAULT_EXACT_FILTER_SELECTIVITY,
      o.exactFilterMaxMatches ?? DEFAULT_EXACT_FILTER_MAX_MATCHES,
    );
    this.searcher = new IndexSearch(this.searchable(), planner, this.ef);
  }

  /**
   * euclidean: l2 over the vectors (squared distances; we recompute exactly anyway). spherical: cosine over the
   * original vectors. hyperboloid: lorentz, −⟨x,y⟩_L − 1 = cosh d − 1, which orders like the hyperbolic distance, so
   * one graph search answers: over float64 coordinates (`lorentz64`) up to LORENTZ64_MAX_DIMENSION dimensions, where
   * hierarchy embeddings live and points reach radius 20–50 (float32 cannot separate siblings there), over float32
   * (`lorentz`) above it, where float64 would halve the search speed for points that rarely go that far out. (Graphs
   * of older snapshots are `poincare`, l2 over Poincaré-ball coordinates, searched by certified Euclidean balls: see
   * searchHyperboloid.)
   */
  private static metricOf(geometry: Geometry, dimension: number): Metric {
    if (geometry === 'hyperboloid') return dimension <= LORENTZ64_MAX_DIMENSION ? 'lorentz64' : 'lorentz';
    return geometry === 'spherical' ? 'cosine' : 'l2';
  }

  /** What a search reads of this index: the current state each time (a resize or a load replaces the arena). */
  private searchable(): SearchableSlots {
    return {
      dimension: this.dimension,
      geometry: this.geometry,
      space: this.space,
      quantized: this.quantization !== 'none',
      ids: () => this.labelToId,
      arena: () => this.arena,
      offset: (label) => this.offset(label),
      elementOf: (label) => this.elementOf(label),
      copyLabel: (label, out, at) => this.copyLabel(label, out, at),
      live: () => this.size,
      slotCount: () => this.nextLabel,
      payload: () => this.payload,
      knn: (point, k, ef, labelFilter, ball, allow) =>
        searching(() => {
          // setEf is a native call: only when it changes.
          if (ef !== this.currentEf) {
            this.graph.setEf(ef);
            this.currentEf = ef;
          }
          return this.graph.search(this.coordinates(point), Math.min(k, this.capacity), labelFilter, ball, allow);
        }),
      scan: (query, labels, count, k) => searching(() => this.graph.scan(this.coordinates(query), labels, count, k)),
      gather: (query, labels, count, sums, vectors) =>
        searching(() => this.graph.gather(this.coordinates(query) as Float32Array, labels, count, sums, vectors)),
    };
  }

  /** Where label's vector starts in the arena. */
  private offset(label: number): number {
    return label * this.stride + this.dataOffset;
  }

  /** The zero-copy view of the graph's elements; empty for a quantized graph (its floats are read per label). */
  private view(): Float32Array | Float64Array {
    if (this.quantization !== 'none') return new Float32Array(0);
    return this.space === 'lorentz64' ? this.graph.vectors64() : this.graph.vectors();
  }

  /** `vector` as the graph takes it: float64 coordinates only into a lorentz64 graph. */
  private coordinates(vector: Coordinates): Coordinates {
    return vector instanceof Float64Array && this.space !== 'lorentz64' ? Float32Array.from(vector) : vector;
  }

  /** Label's laid-out element and where it starts: in the arena, or (quantized) read into a scratch element. */
  private elementOf(label: number): [Float32Array | Float64Array, number] {
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
  upsert(id: string, vector: Coordinates): number {
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
  upsertBatch(items: readonly { id: string; vector: Coordinates }[]): void {
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
  async insertFresh(items: readonly { id: string; vector: Coordinates }[]): Promise<(number | Error)[]> {
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
    const data = this.space === 'lorentz64' ? new Float64Array(accepted.length * dim) : new Float32Array(accepted.length * dim);
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

  search(query: Coordinates, k: number, opts: SearchOptions = {}): SearchHit[] {
    return this.searcher.search(query, k, opts);
  }

  /** Brute force over the stored vectors with exact distances, ascending. */
  exactSearch(query: Coordinates, k: number, filter?: (id: string) => boolean): SearchHit[] {
    return this.searcher.exactSearch(query, k, filter);
  }

  private put(id: string, vector: Coordinates): number {
    let label = this.idToLabel.get(id);
    const isNew = label === undefined;
    if (label === undefined) label = this.freeLabels.pop() ?? this.nextLabel;
    try {
      // An existing (or marked-deleted, reused) label makes hnswlib update that slot in place.
      this.graph.add(this.coordinates(vector), label);
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
      (recorded !== undefined &&
        recorded !== VectorIndex.metricOf(index.geometry, index.dimension) &&
        !(index.geometry === 'hyperboloid' && (recorded === 'poincare' || recorded === 'lorentz' || recorded === 'lorentz64')))
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

/** A native search call, its failure as a VectorIndexError. */
function searching<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw new VectorIndexError('search', err);
  }
}
