// Public face of @hvs-nvm/hnsw: an hnswlib HNSW graph over typed arrays that also stores the original vectors.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * l2: squared Euclidean. cosine: 1 − cos. poincare: squared Euclidean between the Poincaré-ball images f·x. lorentz:
 * −⟨x,y⟩_L − 1 = cosh d − 1 between the hyperboloid points (√(1+|x|²), x), monotone in the hyperbolic distance d
 * (the element keeps |x| and √(1+|x|²) − |x| as doubles in the four floats after x). lorentz64: the same distance
 * over float64 coordinates (elements of doubles, see `vectors64`; vectors may be given as Float64Arrays): float32
 * coordinates of points past radius ~15 (each ~e^r/2) cannot tell near points apart, float64 ones hold to ~35.
 */
export type Metric = 'l2' | 'cosine' | 'poincare' | 'lorentz' | 'lorentz64';

const METRIC_CODE: Record<Metric, number> = { l2: 0, cosine: 1, poincare: 2, lorentz: 3, lorentz64: 4 };

/** A vector for the graph: float32, or (lorentz64 only) float64 coordinates. */
export type Coordinates = Float32Array | Float64Array;

/**
 * What the graph holds per vector. none: the float32 element (the graph is the vector store). int8: one byte per
 * dimension (per-dimension minimum, one scale, trained on the first batch). binary: one sign bit per dimension
 * (cosine only). Quantized graphs keep the float elements in an unlinked file (read back with pread, never
 * resident) and rescore `k · rescoreFactor` candidates exactly, so distances are exact and recall is nearly so.
 */
export type Quantization = 'none' | 'int8' | 'binary';

export const QUANTIZATIONS: readonly Quantization[] = ['none', 'int8', 'binary'];
const QUANTIZATION_CODE: Record<Quantization, number> = { none: 0, int8: 1, binary: 2 };
/**
 * Candidates per wanted hit that a quantized search rescores exactly. Binary codes are coarse: even steered by the
 * asymmetric query-vs-bits distance, a 20k clustered cosine set needs ~80 per hit for recall@10 ≥ 0.95 at 128-d
 * (0.66 at 10, 0.90 at 40; see the quantization bench).
 */
export const DEFAULT_RESCORE_FACTOR: Record<Quantization, number> = { none: 1, int8: 4, binary: 80 };

interface NativeGraph {
  add(vector: Coordinates, label: number): void;
  addBatch(vectors: Coordinates, labels: Uint32Array, threads?: number): Promise<void>;
  markDelete(label: number): void;
  resize(capacity: number): void;
  setEf(ef: number): void;
  search(
    query: Coordinates,
    k: number,
    labels: Uint32Array,
    distances: Float32Array,
    filter?: (label: number) => boolean,
    ball?: boolean,
    allow?: Uint8Array,
  ): number;
  scan(
    query: Coordinates,
    candidates: Uint32Array,
    count: number,
    k: number,
    labels: Uint32Array,
    distances: Float32Array,
    ball?: boolean,
  ): number;
  gather(query: Float32Array, labels: Uint32Array, count: number, sums: Float64Array, vectors?: Float32Array): void;
  buffer(): ArrayBuffer;
  layout(): [number, number, number];
  save(path: string): void;
  load(path: string, capacity: number): void;
  openMapped(path: string, capacity: number, deleted: number, crc32: number, bytes: number): void;
  openMappedAsync(path: string, capacity: number, deleted: number, crc32: number, bytes: number): Promise<void>;
  isMapped(): boolean;
  count(): number;
  capacity(): number;
  isDeleted(label: number): boolean;
  readElement(label: number, out: Float32Array): void;
  dispose(): void;
}

type NativeModule = {
  trimAllocator(heapToo?: boolean): boolean;
  Graph: new (
    metric: number,
    dim: number,
    capacity: number,
    M: number,
    efConstruction: number,
    seed: number,
    quantization?: number,
    rawPath?: string,
    rescore?: number,
  ) => NativeGraph;
};

// The addon is built by this package's install script (node-gyp), next to src/ and dist/ alike.
const native = createRequire(import.meta.url)('../build/Release/hnsw.node') as NativeModule;

/**
 * Returns the C allocator's free memory to the OS (glibc's malloc_trim; a no-op elsewhere). glibc keeps memory that
 * bursts of short-lived native buffers freed (a replay decodes every event through them); after a catch-up that
 * otherwise stays resident. Takes a few milliseconds.
 */
export function trimAllocator(heapToo = false): boolean {
  return native.trimAllocator(heapToo);
}

export interface GraphOptions {
  metric: Metric;
  dimension: number;
  capacity: number;
  M: number;
  efConstruction: number;
  seed: number;
  /**
   * Threads `addBatch` inserts with (hnswlib's addPoint is safe across threads). Default: the cores, less one left
   * to nats-server and the JS thread when there are more than two. 1: one by one, the graph then depends only on
   * the seed and the order of inserts.
   */
  insertThreads?: number;
  /** See `Quantization` (default none). The first addBatch trains int8; adding one by one first trains on one vector. */
  quantization?: Quantization;
  /** Quantized: candidates rescored per wanted hit (default DEFAULT_RESCORE_FACTOR). */
  rescoreFactor?: number;
  /** Quantized: where the float elements' file is created (and unlinked at once); default the OS temp directory. */
  rawStoreDir?: string;
}

/** The default of GraphOptions.insertThreads. */
export function defaultInsertThreads(): number {
  const cores = availableParallelism();
  return cores > 2 ? cores - 1 : cores;
}

/**
 * One HNSW graph. Labels are slots: a new vector takes label `count()`, an existing label is updated in place, and a
 * deleted label can be added again. `vectors()` is a zero-copy Float32Array over the stored elements (`vectors64()`, a
 * Float64Array, for lorentz64): the original vector of label L is at `L * stride + dataOffset` (see `Metric` for what
 * follows it). The view is invalidated by
 * `resize`, `load` and `dispose`; call `vectors()` again after them. Searches and writes may come from one thread.
 */
export class Graph {
  readonly metric: Metric;
  readonly dimension: number;
  /** Floats (lorentz64: doubles) from one element to the next in `vectors()` (`vectors64()`). */
  readonly stride: number;
  /** Offset of an element's vector from the element's start, in floats (lorentz64: doubles). */
  readonly dataOffset: number;
  readonly quantization: Quantization;
  private readonly native: NativeGraph;
  private view?: Float32Array;
  private view64?: Float64Array;
  private batches = 0;
  private readonly insertThreads: number;
  private labelsOut = new Uint32Array(64);
  private distancesOut = new Float32Array(64);

  constructor(options: GraphOptions) {
    this.metric = options.metric;
    this.dimension = options.dimension;
    this.insertThreads = Math.max(1, Math.floor(options.insertThreads ?? defaultInsertThreads()));
    const quantization = options.quantization ?? 'none';
    if (!QUANTIZATIONS.includes(quantization)) throw new RangeError(`unknown quantization '${String(quantization)}'`);
    if (quantization === 'binary' && options.metric !== 'cosine') {
      throw new RangeError('binary quantization needs the cosine metric');
    }
    this.quantization = quantization;
    const rescore = options.rescoreFactor ?? DEFAULT_RESCORE_FACTOR[quantization];
    if (!Number.isInteger(rescore) || rescore < 1) throw new RangeError(`rescoreFactor must be a positive integer`);
    const rawPath = join(options.rawStoreDir ?? tmpdir(), `hvs-raw-${process.pid}-${randomBytes(6).toString('hex')}.f32`);
    this.native = new native.Graph(
      METRIC_CODE[options.metric],
      options.dimension,
      options.capacity,
      options.M,
      options.efConstruction,
      options.seed,
      QUANTIZATION_CODE[quantization],
      rawPath,
      rescore,
    );
    const [strideBytes, offsetBytes] = this.native.layout();
    // hnswlib's element: level-0 links (4-byte ints), the vector (floats), the 8-byte label: all 4-byte aligned;
    // a lorentz64 element's doubles start after a pad float, on an 8-byte boundary (so is its stride).
    const unit = options.metric === 'lorentz64' ? 8 : 4;
    this.stride = strideBytes / unit;
    this.dataOffset = offsetBytes / unit;
  }

  /** Stores `vector` at `label` (count() for a new slot). Throws a RangeError on a bad label, a full graph or bad values. */
  add(vector: Coordinates, label: number): void {
    this.native.add(vector, label);
  }

  /**
   * Adds `labels.length` vectors (packed in `vectors`) in order on worker threads (`insertThreads` of them for a
   * batch of 64 or more: new slots are still taken in label order); searches may run meanwhile (each waits for at
   * most one insert, or one chunk of 32 inserts per thread). Neither array may change until the promise settles, and nothing else may write
   * to the graph (add, resize, load, dispose) meanwhile. On failure, the items before the failing one are in.
   */
  addBatch(vectors: Coordinates, labels: Uint32Array): Promise<void> {
    this.batches++;
    return this.native.addBatch(vectors, labels, this.insertThreads).finally(() => this.batches--);
  }

  /** Batches still being inserted. */
  get inFlight(): number {
    return this.batches;
  }

  markDelete(label: number): void {
    this.native.markDelete(label);
  }

  isDeleted(label: number): boolean {
    return this.native.isDeleted(label);
  }

  resize(capacity: number): void {
    this.view = undefined;
    this.view64 = undefined;
    this.native.resize(capacity);
  }

  setEf(ef: number): void {
    this.native.setEf(ef);
  }

  /**
   * The k nearest labels to `query`, nearest first, as views into buffers reused by the next search. `ball`: for
   * poincare, `query` already is a point of the ball (not a hyperboloid point to map there). `allow`: a bitset of
   * the labels that may be returned (bit L of byte L >> 3; labels past its end are excluded), checked natively
   * before `filter`, so a search restricted by it runs no JavaScript per visited node.
   */
  search(
    query: Coordinates,
    k: number,
    filter?: (label: number) => boolean,
    ball = false,
    allow?: Uint8Array,
  ): { labels: Uint32Array; distances: Float32Array; count: number } {
    this.room(k);
    const count = this.native.search(query, k, this.labelsOut, this.distancesOut, filter, ball, allow);
    return { labels: this.labelsOut, distances: this.distancesOut, count };
  }

  /**
   * Brute force over `candidates[0..count)`: their k nearest to `query` by the graph's own distance (hnswlib's SIMD
   * kernels), nearest first, in the same reused buffers as `search`. Deleted labels and labels past `count()` are
   * skipped.
   */
  scan(
    query: Coordinates,
    candidates: Uint32Array,
    count: number,
    k: number,
    ball = false,
  ): { labels: Uint32Array; distances: Float32Array; count: number } {
    this.room(k);
    const found = this.native.scan(query, candidates, count, k, this.labelsOut, this.distancesOut, ball);
    return { labels: this.labelsOut, distances: this.distancesOut, count: found };
  }

  /**
   * For the hits `labels[0..count)` of a search (labels of elements the graph holds): the float64 sums their exact
   * distances to `query` are finished from, into `sums` — l2: Σ(x−q)² per hit; cosine: Σx·q then Σx² per hit (x the
   * stored vector, which is the original scaled by its power of two; the angle does not depend on it); poincare:
   * none — accumulated in element order exactly as a float64 JavaScript loop would; and, with `vectors`, a copy of
   * each hit's original vector at `i * dimension`. One native call instead of a JavaScript loop per hit.
   */
  gather(query: Float32Array, labels: Uint32Array, count: number, sums: Float64Array, vectors?: Float32Array): void {
    this.native.gather(query, labels, count, sums, vectors);
  }

  private room(k: number): void {
    if (k > this.labelsOut.length) {
      this.labelsOut = new Uint32Array(k);
      this.distancesOut = new Float32Array(k);
    }
  }

  /** Zero-copy view over every element (see the class comment). Never write into it. Not for quantized graphs. */
  vectors(): Float32Array {
    if (this.metric === 'lorentz64') throw new TypeError('a lorentz64 graph holds doubles: read them through vectors64()');
    if (!this.view || this.view.byteLength === 0) this.view = new Float32Array(this.native.buffer());
    return this.view;
  }

  /** lorentz64: the zero-copy Float64Array over every element (see the class comment). Never write into it. */
  vectors64(): Float64Array {
    if (this.metric !== 'lorentz64') throw new TypeError(`a ${this.metric} graph holds floats: read them through vectors()`);
    if (!this.view64 || this.view64.byteLength === 0) this.view64 = new Float64Array(this.native.buffer());
    return this.view64;
  }

  /** Floats per element (the vector and what follows it, see `Metric`): what `readElement` fills. */
  get elementFloats(): number {
    return this.native.layout()[2];
  }

  /** A quantized graph's float element of `label` into `out` (`elementFloats` floats), read from the raw store. */
  readElement(label: number, out: Float32Array): void {
    this.native.readElement(label, out);
  }

  /** Writes the graph to `path`; a quantized graph also writes `<path>.raw` (its parameters and float elements). */
  save(path: string): void {
    this.native.save(path);
  }

  /** Replaces this graph with the one saved at `path` (room for `capacity` slots at least). */
  load(path: string, capacity: number): void {
    this.view = undefined;
    this.view64 = undefined;
    this.native.load(path, capacity);
  }

  /**
   * Replaces this graph with the one saved at `path` (by `save`) without reading it into memory: the file is mapped
   * privately and its elements are served in place (a write copies the page it touches). The whole file must be
   * `bytes` long with CRC-32 `crc32` (checked before anything in it is trusted); `deleted` is how many of its slots
   * are marked deleted. Room for `capacity` slots at least; growth works as after `load`.
   */
  openMapped(path: string, capacity: number, expected: { deleted: number; crc32: number; bytes: number }): void {
    this.view = undefined;
    this.view64 = undefined;
    this.native.openMapped(path, capacity, expected.deleted, expected.crc32, expected.bytes);
  }

  /**
   * `openMapped` with the file's work (mapping, CRC-32, upper levels) on a worker thread: the JS thread goes on
   * meanwhile. The graph must not be used until the promise settles; it rejects where `openMapped` throws.
   */
  async openMappedAsync(path: string, capacity: number, expected: { deleted: number; crc32: number; bytes: number }): Promise<void> {
    this.view = undefined;
    await this.native.openMappedAsync(path, capacity, expected.deleted, expected.crc32, expected.bytes);
    this.view = undefined;
  }

  /** Whether the element memory is (still) a mapped file: true after `openMapped` until a growth moves it. */
  isMapped(): boolean {
    return this.native.isMapped();
  }

  /** Slots in use (live and deleted). */
  count(): number {
    return this.native.count();
  }

  capacity(): number {
    return this.native.capacity();
  }

  dispose(): void {
    this.view = undefined;
    this.view64 = undefined;
    this.native.dispose();
  }
}
