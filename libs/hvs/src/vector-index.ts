// The k-NN read model of one HVS collection: an hnswlib graph that also holds the original vectors, exact distances, snapshots.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Graph, type Metric } from '@hvs-nvm/hnsw';
import { z } from 'zod';
import { describeValue, InvalidArgumentError, InvalidIdError, VectorIndexError } from './errors.js';
import { checkVector, distanceFrom, type Geometry } from './geometry.js';

export const VectorIndexOptionsSchema = z.object({
  dimension: z.number().int().positive().max(65_536),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
  /** hnswlib graph degree. */
  M: z.number().int().min(2).max(256).optional(),
  efConstruction: z.number().int().positive().optional(),
  /** Default size of the dynamic candidate list at search time (raised to k when k is larger). */
  ef: z.number().int().positive().optional(),
  initialCapacity: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().optional(),
  /** A filter matching a smaller share of the vectors than this is answered by exact search. */
  exactFilterSelectivity: z.number().min(0).max(1).optional(),
  /** A filter expected to match at most this many vectors is answered by exact search. */
  exactFilterMaxMatches: z.number().int().nonnegative().optional(),
});
export type VectorIndexOptions = z.infer<typeof VectorIndexOptionsSchema>;

export interface SearchHit {
  id: string;
  /** The slot the vector sits in (stable until it is removed). */
  label: number;
  distance: number;
}

export interface SearchOptions {
  /** Keeps only the ids it returns true for; applied inside the graph search, so k hits come back whenever k match. */
  filter?: (id: string) => boolean;
  /** The same by slot (see `labelOf`): cheaper when the caller keeps its data by label. */
  labelFilter?: (label: number) => boolean;
  ef?: number;
  exact?: boolean;
}

const DEFAULTS = { M: 16, efConstruction: 200, ef: 64, initialCapacity: 1024, seed: 100 } as const;
const DEFAULT_EXACT_FILTER_SELECTIVITY = 0.002;
const DEFAULT_EXACT_FILTER_MAX_MATCHES = 500;
/** Below this many live vectors a filtered search is a scan: cheaper than sampling and graph search. */
const SMALL_INDEX = 2000;
const SELECTIVITY_SAMPLE = 200;
/** Cost of one filtered graph visit (N-API callback + distance) in units of one scanned vector, as measured. */
const GRAPH_VISIT_COST = 10;
const MAX_ID_LENGTH = 256;
/** Hyperboloid search: widening rounds before accepting the best candidates found. */
const MAX_BALL_ROUNDS = 5;

const ManifestSchema = z.object({
  format: z.literal('hvs-vector-index'),
  // 2: the graph file holds the original vectors (no separate vector file).
  version: z.literal(2),
  generation: z.string().regex(/^[0-9a-f]+$/),
  dimension: z.number().int().positive(),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
  M: z.number().int(),
  efConstruction: z.number().int(),
  nextLabel: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  indexBytes: z.number().int().nonnegative(),
  /** hnswlib trusts its file's header: a damaged file must never reach it. */
  indexCrc32: z.number().int().nonnegative(),
  idsBytes: z.number().int().nonnegative(),
});
type Manifest = z.infer<typeof ManifestSchema>;
const MANIFEST = 'manifest.json';

export class VectorIndex {
  readonly dimension: number;
  readonly geometry: Geometry;
  private readonly M: number;
  private readonly efConstruction: number;
  private readonly ef: number;
  /** The ef hnswlib was last given. */
  private currentEf: number;
  private readonly exactFilterSelectivity: number;
  private readonly exactFilterMaxMatches: number;
  private graph: Graph;
  private capacity: number;
  /**
   * The graph's element memory, zero-copy: the original vector of label L starts at L·stride + dataOffset. Taken
   * again after every resize or load (the old view is detached then).
   */
  private arena: Float32Array;
  private stride: number;
  private dataOffset: number;
  private readonly idToLabel = new Map<string, number>();
  private labelToId: (string | undefined)[] = [];
  /** Labels of deleted vectors; re-adding a marked-deleted label makes hnswlib reuse its slot. */
  private freeLabels: number[] = [];
  /** Labels ever used; hnswlib holds exactly this many slots. */
  private nextLabel = 0;
  /** Query buffer for ball-centre searches (hyperboloid). */
  private readonly scratch: Float32Array;
  /** The prepared query of the search under way (see distanceFrom). */
  private readonly queryScratch: Float64Array;
  private rng: number;

  constructor(options: VectorIndexOptions) {
    const parsed = VectorIndexOptionsSchema.safeParse(options);
    if (!parsed.success)
      throw new InvalidArgumentError(`invalid vector index options: ${z.prettifyError(parsed.error)}`);
    const o = parsed.data;
    this.dimension = o.dimension;
    this.geometry = o.geometry;
    this.M = o.M ?? DEFAULTS.M;
    this.efConstruction = o.efConstruction ?? DEFAULTS.efConstruction;
    this.ef = o.ef ?? DEFAULTS.ef;
    this.exactFilterSelectivity = o.exactFilterSelectivity ?? DEFAULT_EXACT_FILTER_SELECTIVITY;
    this.exactFilterMaxMatches = o.exactFilterMaxMatches ?? DEFAULT_EXACT_FILTER_MAX_MATCHES;
    this.capacity = o.initialCapacity ?? DEFAULTS.initialCapacity;
    this.rng = (o.seed ?? DEFAULTS.seed) >>> 0 || 0x9e3779b9;
    this.scratch = new Float32Array(this.dimension);
    this.queryScratch = new Float64Array(this.dimension);
    try {
      this.graph = new Graph({
        metric: this.metric(),
        dimension: this.dimension,
        capacity: this.capacity,
        M: this.M,
        efConstruction: this.efConstruction,
        seed: o.seed ?? DEFAULTS.seed,
      });
      this.graph.setEf(this.ef);
      this.currentEf = this.ef;
    } catch (err) {
      throw new VectorIndexError('initialisation', err);
    }
    this.stride = this.graph.stride;
    this.dataOffset = this.graph.dataOffset;
    this.arena = this.graph.vectors();
  }

  /**
   * euclidean: l2 over the vectors (squared distances; we recompute exactly anyway). spherical: cosine over the
   * original vectors. hyperboloid: l2 over Poincaré-ball coordinates, where hyperbolic balls are Euclidean balls
   * (see searchHyperboloid).
   */
  private metric(): Metric {
    return this.geometry === 'spherical' ? 'cosine' : this.geometry === 'hyperboloid' ? 'poincare' : 'l2';
  }

  /** Where label's vector starts in the arena. */
  private offset(label: number): number {
    return label * this.stride + this.dataOffset;
  }

  /**
   * Copies label's original vector into `out`. Spherical elements hold x·2^−e with e ≠ 0 only for norms beyond
   * 2^±40 (so that dot products cannot overflow): scaling back by a power of two is exact.
   */
  copyLabel(label: number, out: Float32Array, at: number): void {
    const from = this.offset(label);
    const dim = this.dimension;
    const arena = this.arena;
    const e = this.geometry === 'spherical' ? arena[from + dim + 1]! : 0;
    if (e === 0) {
      for (let i = 0; i < dim; i++) out[at + i] = arena[from + i]!;
    } else {
      const f = 2 ** e;
      for (let i = 0; i < dim; i++) out[at + i] = arena[from + i]! * f;
    }
  }

  /** Slot accounting: `slots` hnswlib positions ever used (deleted ones are reused), of `capacity` allocated. */
  stats(): { live: number; slots: number; free: number; capacity: number } {
    return { live: this.size, slots: this.nextLabel, free: this.freeLabels.length, capacity: this.capacity };
  }

  /** Live vectors. */
  get size(): number {
    return this.idToLabel.size;
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

  /** Copies the stored vector into `out` at `offset`; false when the id is absent. */
  copyInto(id: string, out: Float32Array, offset: number): boolean {
    const label = this.idToLabel.get(id);
    if (label === undefined) return false;
    this.copyLabel(label, out, offset);
    return true;
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
      this.labelToId[labels[k]!] = id;
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
    this.labelToId[label] = undefined;
    this.freeLabels.push(label);
    return true;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): SearchHit[] {
    checkK(k);
    checkVector(query, this.dimension, this.geometry);
    if (opts.ef !== undefined && !(Number.isInteger(opts.ef) && opts.ef > 0)) {
      throw new InvalidArgumentError(`ef must be a positive integer, got ${describeValue(opts.ef)}`);
    }
    const live = this.size;
    if (live === 0) return [];
    let labelFilter = opts.labelFilter;
    if (!labelFilter && opts.filter) {
      const filter = opts.filter;
      const labelToId = this.labelToId;
      labelFilter = (label) => {
        const id = labelToId[label];
        return id !== undefined && filter(id);
      };
    }
    if (opts.exact) return this.exactScan(query, k, labelFilter);
    const want = Math.min(k, live);
    const ef = Math.max(opts.ef ?? this.ef, want);
    if (labelFilter) {
      const filter = labelFilter;
      if (live <= SMALL_INDEX) return this.exactScan(query, k, filter);
      const selectivity = this.estimateSelectivity(filter);
      // hnswlib admits only matching labels to its result list and walks on until it holds ef of them,
      // so recall needs no larger ef, but the walk visits ~ef/selectivity nodes at a JS callback each.
      // A scan costs ~1/GRAPH_VISIT_COST of a visit per vector: take whichever is cheaper.
      if (
        selectivity < this.exactFilterSelectivity ||
        selectivity * live <= this.exactFilterMaxMatches ||
        live <= (GRAPH_VISIT_COST * ef) / selectivity
      ) {
        return this.exactScan(query, k, filter);
      }
    }
    const hits =
      this.geometry === 'hyperboloid'
        ? this.searchHyperboloid(query, want, ef, labelFilter)
        : this.searchDirect(query, want, ef, labelFilter);
    // The graph can miss matches (a very selective filter, a graph torn by deletes): k hits are a promise.
    if (hits.length < want) return this.exactScan(query, k, labelFilter);
    return hits;
  }

  /** Brute force over the stored vectors with exact distances, ascending. */
  exactSearch(query: Float32Array, k: number, filter?: (id: string) => boolean): SearchHit[] {
    checkK(k);
    checkVector(query, this.dimension, this.geometry);
    const labelToId = this.labelToId;
    return this.exactScan(query, k, filter && ((label) => filter(labelToId[label]!)));
  }

  private exactScan(query: Float32Array, k: number, filter?: (label: number) => boolean): SearchHit[] {
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const { arena, stride, dataOffset, labelToId } = this;
    const top = new TopK(Math.min(k, this.size));
    for (let label = 0; label < this.nextLabel; label++) {
      const id = labelToId[label];
      if (id === undefined || (filter && !filter(label))) continue;
      top.offer(label, dist(arena, label * stride + dataOffset));
    }
    return top.sorted().map(([label, distance]) => ({ id: labelToId[label]!, label, distance }));
  }

  /** Euclidean and spherical: hnswlib's metric orders like the exact one; only the distance values are recomputed. */
  private searchDirect(
    query: Float32Array,
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
  ): SearchHit[] {
    const { labels, count } = this.knn(query, k, ef, labelFilter, false);
    const dist = distanceFrom(this.geometry, query, this.queryScratch);
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = this.labelToId[label];
      if (id !== undefined) hits.push({ id, label, distance: dist(this.arena, this.offset(label)) });
    }
    return hits.sort(byDistance);
  }

  /**
   * Hyperboloid. The graph lives in the Poincaré ball, which is conformal but scales distances by
   * 2/(1−|p|²): around a query, Euclidean order favours deeper points, so plain l2 + re-rank needs
   * hundreds of candidates. But a hyperbolic ball B(q, s) IS a Euclidean ball of the Poincaré model,
   * with centre c = q(1−t²)/(1−t²|q|²) and radius ρ = t(1−|q|²)/(1−t²|q|²), t = tanh(s/2).
   * So: (1) a few l2 neighbours of q give an upper bound s on the k-th distance; (2) the l2
   * neighbours of the shifted centre c are, in order, the points of that hyperbolic ball; (3) if
   * the Euclidean ball reached around c contains the hyperbolic ball of the current k-th distance,
   * the answer is certified (up to hnswlib's own l2 recall); else widen and repeat.
   */
  private searchHyperboloid(
    query: Float32Array,
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
  ): SearchHit[] {
    const dim = this.dimension;
    const live = this.size;
    let qn2 = 0;
    for (let i = 0; i < dim; i++) qn2 += query[i]! * query[i]!;
    const q0 = Math.sqrt(1 + qn2);
    const pf = 1 / (1 + q0); // Poincaré coordinates of q are query · pf
    const oneMinusQ2 = 2 / (1 + q0); // 1 − |p_q|², without cancellation near the boundary
    const pqNorm = Math.sqrt(qn2) * pf;
    const dist = distanceFrom('hyperboloid', query, this.queryScratch);
    const found = new Map<number, number>();
    const scratch = this.scratch;

    const collect = (centreScale: number, count: number): { complete: boolean; reach: number } => {
      for (let i = 0; i < dim; i++) scratch[i] = query[i]! * pf * centreScale;
      const { labels, count: hits } = this.knn(scratch, count, Math.max(ef, count), labelFilter, true);
      let reach2 = 0;
      for (let h = 0; h < hits; h++) {
        const label = labels[h]!;
        const off = this.offset(label);
        if (!found.has(label)) found.set(label, dist(this.arena, off));
        // Euclidean distance from the centre to this point's Poincaré coordinates, in float64.
        let xn2 = 0;
        for (let i = 0; i < dim; i++) xn2 += this.arena[off + i]! ** 2;
        const xf = 1 / (1 + Math.sqrt(1 + xn2));
        let e2 = 0;
        for (let i = 0; i < dim; i++) {
          const t = this.arena[off + i]! * xf - scratch[i]!;
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
    if (collect(1, count).complete || found.size < k) return this.topHits(found, k);
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
    return this.topHits(found, k);
  }

  private topHits(found: Map<number, number>, k: number): SearchHit[] {
    const hits: SearchHit[] = [];
    for (const [label, distance] of found) {
      const id = this.labelToId[label];
      if (id !== undefined) hits.push({ id, label, distance });
    }
    return hits.sort(byDistance).slice(0, k);
  }

  /** Labels nearest first (views reused by the next call). `ball`: the query is a Poincaré-ball point. */
  private knn(
    point: Float32Array,
    k: number,
    ef: number,
    labelFilter: ((label: number) => boolean) | undefined,
    ball: boolean,
  ): { labels: Uint32Array; count: number } {
    try {
      // setEf is a native call: only when it changes.
      if (ef !== this.currentEf) {
        this.graph.setEf(ef);
        this.currentEf = ef;
      }
      return this.graph.search(point, Math.min(k, this.capacity), labelFilter, ball);
    } catch (err) {
      throw new VectorIndexError('search', err);
    }
  }

  /** Share of live vectors a filter admits, from a deterministic sample of live labels. */
  private estimateSelectivity(filter: (label: number) => boolean): number {
    let sampled = 0;
    let matched = 0;
    for (let attempt = 0; attempt < SELECTIVITY_SAMPLE * 20 && sampled < SELECTIVITY_SAMPLE; attempt++) {
      const label = Math.floor(this.random() * this.nextLabel);
      if (this.labelToId[label] === undefined) continue;
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
    this.labelToId[label] = id;
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
    this.arena = this.graph.vectors();
    this.capacity = capacity;
  }

  /**
   * Writes the graph (which holds the vectors) and the id map under `dir`. Files carry a fresh generation name;
   * the manifest is renamed into place last, so a crash leaves the previous snapshot readable.
   */
  async writeSnapshot(dir: string): Promise<void> {
    const generation = randomBytes(8).toString('hex');
    const indexFile = join(dir, `index-${generation}.hnsw`);
    const idsFile = join(dir, `ids-${generation}.json`);
    try {
      await mkdir(dir, { recursive: true });
      // Everything is captured in this synchronous stretch, so the graph and the ids agree even if writes arrive
      // while the files are being flushed.
      this.graph.save(indexFile);
      const ids = Buffer.from(JSON.stringify(this.labelToId.slice(0, this.nextLabel).map((id) => id ?? null)));
      const manifest: Manifest = {
        format: 'hvs-vector-index',
        version: 2,
        generation,
        dimension: this.dimension,
        geometry: this.geometry,
        M: this.M,
        efConstruction: this.efConstruction,
        nextLabel: this.nextLabel,
        live: this.size,
        indexBytes: 0,
        indexCrc32: 0,
        idsBytes: ids.byteLength,
      };
      manifest.indexBytes = (await stat(indexFile)).size;
      manifest.indexCrc32 = await crc32File(indexFile);
      await fsyncFile(indexFile);
      await writeDurably(idsFile, [ids]);
      const manifestTmp = join(dir, `${MANIFEST}.${generation}.tmp`);
      await writeDurably(manifestTmp, [Buffer.from(JSON.stringify(manifest))]);
      await rename(manifestTmp, join(dir, MANIFEST));
      await fsyncFile(dir);
      for (const name of await readdir(dir)) {
        if (/^(index|data|ids)-[0-9a-f]+\.(hnsw|bin|json)$|\.tmp$/.test(name) && !name.includes(generation)) {
          await rm(join(dir, name), { force: true });
        }
      }
    } catch (err) {
      await rm(indexFile, { force: true }).catch(() => undefined);
      await rm(idsFile, { force: true }).catch(() => undefined);
      throw new VectorIndexError(`snapshot to '${dir}'`, err);
    }
  }

  /** The snapshot under `dir`, or undefined when there is none, it is damaged, or it was built with other options. */
  static async loadSnapshot(dir: string, options: VectorIndexOptions): Promise<VectorIndex | undefined> {
    let manifest: Manifest;
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')));
      if (!parsed.success) return undefined;
      manifest = parsed.data;
    } catch {
      return undefined;
    }
    const index = new VectorIndex(options);
    if (
      manifest.dimension !== index.dimension ||
      manifest.geometry !== index.geometry ||
      manifest.M !== index.M ||
      manifest.efConstruction !== index.efConstruction
    ) {
      index.dispose();
      return undefined;
    }
    try {
      const indexFile = join(dir, `index-${manifest.generation}.hnsw`);
      // hnswlib trusts the file's header; a truncated or damaged file must never reach it.
      if ((await stat(indexFile)).size !== manifest.indexBytes) return index.discard();
      if ((await crc32File(indexFile)) !== manifest.indexCrc32) return index.discard();
      const idsText = await readFile(join(dir, `ids-${manifest.generation}.json`));
      if (idsText.byteLength !== manifest.idsBytes) return index.discard();
      const labelToId: unknown = JSON.parse(idsText.toString('utf8'));
      if (!Array.isArray(labelToId) || labelToId.length !== manifest.nextLabel) return index.discard();

      index.graph.load(indexFile, manifest.nextLabel);
      if (index.graph.count() !== manifest.nextLabel) return index.discard();
      index.graph.setEf(index.ef);
      index.currentEf = index.ef;
      index.capacity = index.graph.capacity();
      index.arena = index.graph.vectors();
      index.nextLabel = manifest.nextLabel;
      index.labelToId = new Array<string | undefined>(manifest.nextLabel);
      for (let label = 0; label < manifest.nextLabel; label++) {
        const id: unknown = labelToId[label];
        if (typeof id === 'string') {
          index.labelToId[label] = id;
          index.idToLabel.set(id, label);
        } else if (id === null) {
          index.freeLabels.push(label);
        } else {
          return index.discard();
        }
      }
      if (index.size !== manifest.live) return index.discard();
      index.freeLabels.reverse(); // reuse the lowest labels first, as a live index would after deletes in order
      return index;
    } catch {
      return index.discard();
    }
  }

  /** Frees the graph's memory now rather than at garbage collection; the index is unusable afterwards. */
  dispose(): void {
    this.graph.dispose();
    this.idToLabel.clear();
    this.labelToId = [];
    this.freeLabels = [];
    this.nextLabel = 0;
    this.arena = new Float32Array(0);
  }

  private discard(): undefined {
    this.dispose();
    return undefined;
  }
}

function byDistance(a: SearchHit, b: SearchHit): number {
  return a.distance - b.distance;
}

function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) throw new InvalidIdError(id);
}

function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k <= 0)
    throw new InvalidArgumentError(`k must be a positive integer, got ${describeValue(k)}`);
}

/** The k smallest (label, distance) pairs of a stream: a bounded max-heap, so a scan stays O(n log k). */
class TopK {
  private readonly labels: number[] = [];
  private readonly distances: number[] = [];
  constructor(private readonly k: number) {}

  offer(label: number, distance: number): void {
    const { labels, distances } = this;
    if (labels.length < this.k) {
      labels.push(label);
      distances.push(distance);
      let i = labels.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (distances[parent]! >= distances[i]!) break;
        this.swap(i, parent);
        i = parent;
      }
    } else if (this.k > 0 && distance < distances[0]!) {
      labels[0] = label;
      distances[0] = distance;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let largest = i;
        if (l < labels.length && distances[l]! > distances[largest]!) largest = l;
        if (r < labels.length && distances[r]! > distances[largest]!) largest = r;
        if (largest === i) break;
        this.swap(i, largest);
        i = largest;
      }
    }
  }

  sorted(): [number, number][] {
    return this.labels
      .map((label, i): [number, number] => [label, this.distances[i]!])
      .sort((a, b) => a[1] - b[1]);
  }

  private swap(i: number, j: number): void {
    const { labels, distances } = this;
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    [distances[i], distances[j]] = [distances[j]!, distances[i]!];
  }
}

async function writeDurably(path: string, chunks: Uint8Array[]): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function crc32File(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) crc = zlibCrc32(chunk as Buffer, crc);
  return crc;
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

