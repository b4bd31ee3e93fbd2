// The k-NN read model of one HVS collection: hnswlib-node graph + original vectors in a float32 arena, exact distances, snapshots.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
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
  distance: number;
}

export interface SearchOptions {
  /** Keeps only the ids it returns true for; applied inside the graph search, so k hits come back whenever k match. */
  filter?: (id: string) => boolean;
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
  version: z.literal(1),
  generation: z.string().regex(/^[0-9a-f]+$/),
  dimension: z.number().int().positive(),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
  M: z.number().int(),
  efConstruction: z.number().int(),
  nextLabel: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  indexBytes: z.number().int().nonnegative(),
  vectorBytes: z.number().int().nonnegative(),
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
  private readonly hnswDimension: number;
  private hnsw: hnswlib.HierarchicalNSW;
  private capacity: number;
  /** Original vectors, label-major: vector of label L at [L·dimension, (L+1)·dimension). */
  private arena: Float32Array;
  private readonly idToLabel = new Map<string, number>();
  private labelToId: (string | undefined)[] = [];
  /** Labels of deleted vectors; re-adding a marked-deleted label makes hnswlib reuse its slot. */
  private freeLabels: number[] = [];
  /** Labels ever used; hnswlib holds exactly this many slots. */
  private nextLabel = 0;
  /** hnswlib's N-API only takes plain arrays; one reused packed array is the cheapest bridge. */
  private readonly scratch: number[];
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
    this.hnswDimension = o.dimension;
    this.capacity = o.initialCapacity ?? DEFAULTS.initialCapacity;
    this.rng = (o.seed ?? DEFAULTS.seed) >>> 0 || 0x9e3779b9;
    this.scratch = new Array<number>(this.hnswDimension).fill(0.5);
    this.hnsw = new hnswlib.HierarchicalNSW(this.space(), this.hnswDimension);
    try {
      this.hnsw.initIndex(this.capacity, this.M, this.efConstruction, o.seed ?? DEFAULTS.seed, false);
      this.hnsw.setEf(this.ef);
      this.currentEf = this.ef;
    } catch (err) {
      throw new VectorIndexError('initialisation', err);
    }
    this.arena = new Float32Array(this.capacity * this.dimension);
  }

  /**
   * euclidean: l2 over the vectors (hnswlib returns squared distances; we recompute exactly anyway).
   * spherical: cosine (hnswlib normalises its own copy). hyperboloid: l2 over Poincaré-ball coordinates,
   * where hyperbolic balls are Euclidean balls (see searchHyperboloid).
   */
  private space(): 'l2' | 'cosine' {
    return this.geometry === 'spherical' ? 'cosine' : 'l2';
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

  /** A copy of the stored original vector, so callers cannot write into the arena. */
  get(id: string): Float32Array<ArrayBuffer> | undefined {
    const label = this.idToLabel.get(id);
    if (label === undefined) return undefined;
    return this.arena.slice(label * this.dimension, (label + 1) * this.dimension);
  }

  /** The stored vector without a copy: valid only until the next write to the index; never write into it. */
  /** Copies the stored vector into `out` at `offset`; false when the id is absent. */
  copyInto(id: string, out: Float32Array, offset: number): boolean {
    const label = this.idToLabel.get(id);
    if (label === undefined) return false;
    const dim = this.dimension;
    const from = label * dim;
    const arena = this.arena;
    for (let i = 0; i < dim; i++) out[offset + i] = arena[from + i]!;
    return true;
  }

  view(id: string): Float32Array | undefined {
    const label = this.idToLabel.get(id);
    if (label === undefined) return undefined;
    return this.arena.subarray(label * this.dimension, (label + 1) * this.dimension);
  }

  ids(): IterableIterator<string> {
    return this.idToLabel.keys();
  }

  upsert(id: string, vector: Float32Array): void {
    checkId(id);
    checkVector(vector, this.dimension, this.geometry);
    this.ensureCapacity(this.nextLabel + 1);
    this.put(id, vector);
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

  remove(id: string): boolean {
    const label = this.idToLabel.get(id);
    if (label === undefined) return false;
    try {
      this.hnsw.markDelete(label);
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
    if (opts.exact) return this.exactSearch(query, k, opts.filter);
    const want = Math.min(k, live);
    const ef = Math.max(opts.ef ?? this.ef, want);
    let labelFilter: ((label: number) => boolean) | undefined;
    if (opts.filter) {
      const filter = opts.filter;
      if (live <= SMALL_INDEX) return this.exactSearch(query, k, filter);
      const selectivity = this.estimateSelectivity(filter);
      // hnswlib admits only matching labels to its result list and walks on until it holds ef of them,
      // so recall needs no larger ef, but the walk visits ~ef/selectivity nodes at a JS callback each.
      // A scan costs ~1/GRAPH_VISIT_COST of a visit per vector: take whichever is cheaper.
      if (
        selectivity < this.exactFilterSelectivity ||
        selectivity * live <= this.exactFilterMaxMatches ||
        live <= (GRAPH_VISIT_COST * ef) / selectivity
      ) {
        return this.exactSearch(query, k, filter);
      }
      const labelToId = this.labelToId;
      labelFilter = (label) => {
        const id = labelToId[label];
        return id !== undefined && filter(id);
      };
    }
    const hits =
      this.geometry === 'hyperboloid'
        ? this.searchHyperboloid(query, want, ef, labelFilter)
        : this.searchDirect(query, want, ef, labelFilter);
    // The graph can miss matches (a very selective filter, a graph torn by deletes): k hits are a promise.
    if (hits.length < want) return this.exactSearch(query, k, opts.filter);
    return hits;
  }

  /** Brute force over the stored vectors with exact distances, ascending. */
  exactSearch(query: Float32Array, k: number, filter?: (id: string) => boolean): SearchHit[] {
    checkK(k);
    checkVector(query, this.dimension, this.geometry);
    const dist = distanceFrom(this.geometry, query);
    const { arena, dimension, labelToId } = this;
    const top = new TopK(Math.min(k, this.size));
    for (let label = 0; label < this.nextLabel; label++) {
      const id = labelToId[label];
      if (id === undefined || (filter && !filter(id))) continue;
      top.offer(label, dist(arena, label * dimension));
    }
    return top.sorted().map(([label, distance]) => ({ id: labelToId[label]!, distance }));
  }

  /** Euclidean and spherical: hnswlib's metric orders like the exact one; only the distance values are recomputed. */
  private searchDirect(
    query: Float32Array,
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
  ): SearchHit[] {
    const scratch = this.scratch;
    for (let i = 0; i < this.dimension; i++) scratch[i] = query[i]!;
    const { neighbors } = this.knn(scratch, k, ef, labelFilter);
    const dist = distanceFrom(this.geometry, query);
    const hits: SearchHit[] = [];
    for (const label of neighbors) {
      const id = this.labelToId[label];
      if (id !== undefined) hits.push({ id, distance: dist(this.arena, label * this.dimension) });
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
    const dist = distanceFrom('hyperboloid', query);
    const found = new Map<number, number>();
    const scratch = this.scratch;

    const collect = (centreScale: number, count: number): { complete: boolean; reach: number } => {
      for (let i = 0; i < dim; i++) scratch[i] = query[i]! * pf * centreScale;
      const { neighbors } = this.knn(scratch, count, Math.max(ef, count), labelFilter);
      let reach2 = 0;
      for (const label of neighbors) {
        const off = label * dim;
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
      return { complete: neighbors.length < count, reach: Math.sqrt(reach2) };
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
      if (id !== undefined) hits.push({ id, distance });
    }
    return hits.sort(byDistance).slice(0, k);
  }

  private knn(
    point: number[],
    k: number,
    ef: number,
    labelFilter?: (label: number) => boolean,
  ): hnswlib.SearchResult {
    try {
      // setEf is a native call: only when it changes.
      if (ef !== this.currentEf) {
        this.hnsw.setEf(ef);
        this.currentEf = ef;
      }
      return this.hnsw.searchKnn(point, Math.min(k, this.capacity), labelFilter);
    } catch (err) {
      throw new VectorIndexError('search', err);
    }
  }

  /** Share of live vectors a filter admits, from a deterministic sample of live labels. */
  private estimateSelectivity(filter: (id: string) => boolean): number {
    let sampled = 0;
    let matched = 0;
    for (let attempt = 0; attempt < SELECTIVITY_SAMPLE * 20 && sampled < SELECTIVITY_SAMPLE; attempt++) {
      const id = this.labelToId[Math.floor(this.random() * this.nextLabel)];
      if (id === undefined) continue;
      sampled++;
      if (filter(id)) matched++;
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

  private put(id: string, vector: Float32Array): void {
    let label = this.idToLabel.get(id);
    const isNew = label === undefined;
    if (label === undefined) label = this.freeLabels.pop() ?? this.nextLabel;
    const point = this.toHnswPoint(vector);
    try {
      // An existing (or marked-deleted, reused) label makes hnswlib update that slot in place.
      this.hnsw.addPoint(point, label);
    } catch (err) {
      if (isNew && label !== this.nextLabel) this.freeLabels.push(label);
      throw new VectorIndexError(`insert of '${id}'`, err);
    }
    if (label === this.nextLabel) this.nextLabel++;
    this.arena.set(vector, label * this.dimension);
    this.idToLabel.set(id, label);
    this.labelToId[label] = id;
  }

  /** The coordinates hnswlib indexes: the vector itself, or its Poincaré-ball image for hyperboloid. */
  private toHnswPoint(vector: Float32Array): number[] {
    const scratch = this.scratch;
    if (this.geometry !== 'hyperboloid') {
      for (let i = 0; i < this.dimension; i++) scratch[i] = vector[i]!;
      return scratch;
    }
    let n2 = 0;
    for (let i = 0; i < this.dimension; i++) n2 += vector[i]! * vector[i]!;
    const f = 1 / (1 + Math.sqrt(1 + n2));
    for (let i = 0; i < this.dimension; i++) scratch[i] = vector[i]! * f;
    return scratch;
  }

  /**
   * Grows the hnswlib slots and the arena together, by an eighth (at least 1024 slots): doubling left up to half
   * of both allocated and unused. A resize copies the index once (~1 ms per 1k vectors), next to an insert's
   * ~300 µs that is a fraction of a percent.
   */
  private ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = Math.max(slots, this.capacity + Math.max(1024, Math.ceil(this.capacity / 8)));
    try {
      this.hnsw.resizeIndex(capacity);
    } catch (err) {
      throw new VectorIndexError(`resize to ${capacity} vectors`, err);
    }
    const arena = new Float32Array(capacity * this.dimension);
    arena.set(this.arena.subarray(0, this.nextLabel * this.dimension));
    this.arena = arena;
    this.capacity = capacity;
  }

  /**
   * Writes the graph, the vectors and the id map under `dir`. Files carry a fresh generation name;
   * the manifest is renamed into place last, so a crash leaves the previous snapshot readable.
   */
  async writeSnapshot(dir: string): Promise<void> {
    const generation = randomBytes(8).toString('hex');
    const indexFile = join(dir, `index-${generation}.hnsw`);
    const dataFile = join(dir, `data-${generation}.bin`);
    try {
      await mkdir(dir, { recursive: true });
      // Everything is captured in this synchronous stretch, so the graph, vectors and ids agree even
      // if writes arrive while the files are being flushed.
      this.hnsw.writeIndexSync(indexFile);
      const vectors = new Uint8Array(this.arena.buffer.slice(0, this.nextLabel * this.dimension * 4));
      const ids = Buffer.from(
        JSON.stringify(this.labelToId.slice(0, this.nextLabel).map((id) => id ?? null)),
      );
      const manifest: Manifest = {
        format: 'hvs-vector-index',
        version: 1,
        generation,
        dimension: this.dimension,
        geometry: this.geometry,
        M: this.M,
        efConstruction: this.efConstruction,
        nextLabel: this.nextLabel,
        live: this.size,
        indexBytes: 0,
        vectorBytes: vectors.byteLength,
        idsBytes: ids.byteLength,
      };
      manifest.indexBytes = (await stat(indexFile)).size;
      await fsyncFile(indexFile);
      await writeDurably(dataFile, [vectors, ids]);
      const manifestTmp = join(dir, `${MANIFEST}.${generation}.tmp`);
      await writeDurably(manifestTmp, [Buffer.from(JSON.stringify(manifest))]);
      await rename(manifestTmp, join(dir, MANIFEST));
      await fsyncFile(dir);
      for (const name of await readdir(dir)) {
        if (/^(index|data)-[0-9a-f]+\.(hnsw|bin)$|\.tmp$/.test(name) && !name.includes(generation)) {
          await rm(join(dir, name), { force: true });
        }
      }
    } catch (err) {
      await rm(indexFile, { force: true }).catch(() => undefined);
      await rm(dataFile, { force: true }).catch(() => undefined);
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
      return undefined;
    }
    try {
      const indexFile = join(dir, `index-${manifest.generation}.hnsw`);
      // hnswlib trusts the file's header; a truncated file must never reach it.
      if ((await stat(indexFile)).size !== manifest.indexBytes) return undefined;
      const data = await readFile(join(dir, `data-${manifest.generation}.bin`));
      if (data.byteLength !== manifest.vectorBytes + manifest.idsBytes) return undefined;
      if (manifest.vectorBytes !== manifest.nextLabel * manifest.dimension * 4) return undefined;
      const labelToId: unknown = JSON.parse(data.subarray(manifest.vectorBytes).toString('utf8'));
      if (!Array.isArray(labelToId) || labelToId.length !== manifest.nextLabel) return undefined;

      const hnsw = new hnswlib.HierarchicalNSW(index.space(), index.hnswDimension);
      await hnsw.readIndex(indexFile, false);
      if (hnsw.getCurrentCount() !== manifest.nextLabel || hnsw.getNumDimensions() !== index.hnswDimension)
        return undefined;
      hnsw.setEf(index.ef);
      index.currentEf = index.ef;
      index.hnsw = hnsw;
      index.capacity = Math.max(hnsw.getMaxElements(), manifest.nextLabel);
      index.arena = new Float32Array(index.capacity * index.dimension);
      index.arena.set(
        new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + manifest.vectorBytes)),
      );
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
          return undefined;
        }
      }
      if (index.size !== manifest.live) return undefined;
      index.freeLabels.reverse(); // reuse the lowest labels first, as a live index would after deletes in order
      return index;
    } catch {
      return undefined;
    }
  }

  /**
   * Estimated bytes held for this index: hnswlib's slots (level-0 links, data, label, per-slot lock
   * and level), its upper layers and label map, plus our arena and id maps.
   */
  memoryBytes(): number {
    const slots = this.capacity;
    const links0 = this.M * 2 * 4 + 4;
    const upper = (this.M * 4 + 4) / (this.M - 1);
    const hnswBytes =
      slots * (links0 + this.hnswDimension * 4 + 8 + 8 + 4 + 40) + this.nextLabel * (upper + 48);
    let idBytes = 0;
    for (const id of this.idToLabel.keys()) idBytes += 24 + id.length * 2;
    const ours =
      this.arena.byteLength +
      this.labelToId.length * 8 +
      this.freeLabels.length * 8 +
      this.size * 40 +
      idBytes;
    return Math.round(hnswBytes + ours);
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

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

