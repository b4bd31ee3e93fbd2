// The engines the peers scenario compares, each behind one interface (build, set ef, search, filtered search); each
// runs in a child process of its own (tests/bench/peers-child.ts), so no engine's heap, threads or native memory
// share a process with another's.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type hnswlib from 'hnswlib-node';
import { HVS } from '@hvs-nvm/hvs';
import type { VectorSet } from './data.js';
import { K, loadHvs, rowOf } from './fixture.js';
import { addRows, HNSW, newRawIndex } from './raw-hnsw.js';

const require = createRequire(import.meta.url);
/** usearch is measured as the reference was: 2 threads for building, 1 per query. */
const USEARCH_BUILD_THREADS = 2;

/** Where an engine keeps its files, the bench's nats-server (ours), the bench's log, and the threads it builds with. */
export interface Place {
  workDir: string;
  natsUrl: string;
  log(message: string): void;
  /** Build threads (ours: insertThreads; usearch: add's threads); unset: the engine's default (ours) or 2 (usearch). */
  threads?: number;
}

/** One engine under test: built once, then searched at an ef of the tuning sweep. */
export interface Engine {
  name: string;
  build(set: VectorSet): Promise<void>;
  /** After the build (untimed): wait for the engine's own background work on it to end, before memory and rounds. */
  settle?(): Promise<void>;
  setEf(ef: number): Promise<void> | void;
  search(q: Float32Array): Promise<number[]> | number[];
  /** The k nearest among rows with bucket (row % 100) < 10: 10 % selectivity. Only engines with a payload filter. */
  searchFiltered?(q: Float32Array): Promise<number[]>;
  close(): Promise<void>;
}

/** The filtered leg: bucket = row % 100 (as loadHvs stores it), bucket < 10. */
export const FILTER_PERCENT = 10;
export const inFilter = (i: number) => i % 100 < FILTER_PERCENT;

function ours(place: Place, d: number): Engine {
  let hvs: HVS | undefined;
  let ef: number = HNSW.ef;
  const threads = place.threads;
  return {
    name:
      threads === undefined
        ? 'HVS (durable log included)'
        : `HVS (durable log included), ${threads} insert thread${threads > 1 ? 's' : ''}`,
    async build(set) {
      const collection = `peers${process.pid}`;
      hvs = await HVS.open({
        storagePath: join(place.workDir, collection),
        natsUrl: place.natsUrl,
        collection,
        dimension: d,
        geometry: 'euclidean',
        ...(threads !== undefined ? { insertThreads: threads } : {}),
      });
      await loadHvs(hvs, set, place.log);
    },
    async settle() {
      // The projection checkpoints every 50k events / 30 s in the background: the build's last checkpoint (a graph
      // save, an entry line per vector, fsyncs) would otherwise run during the first rounds' queries and sit in the
      // RSS figure. Wait for it, and write the final one, so the rounds see the steady state.
      await hvs!.snapshot();
    },
    setEf(e) {
      ef = e;
    },
    async search(q) {
      const hits = await hvs!.semanticSearch(q, { k: K, ef });
      return hits.map((h) => rowOf(h.vector.id));
    },
    async searchFiltered(q) {
      const hits = await hvs!.semanticSearch(q, { k: K, ef, filter: { bucket: { $lt: FILTER_PERCENT } } });
      return hits.map((h) => rowOf(h.vector.id));
    },
    async close() {
      await hvs?.close();
    },
  };
}

function raw(d: number): Engine {
  let index: hnswlib.HierarchicalNSW | undefined;
  const scratch = new Array<number>(d).fill(0);
  return {
    name: 'hnswlib-node raw, 1 thread',
    async build(set) {
      index = newRawIndex('l2', d, set.n);
      addRows(index, set);
    },
    setEf(ef) {
      index!.setEf(ef);
    },
    search(q) {
      for (let j = 0; j < d; j++) scratch[j] = q[j]!;
      return index!.searchKnn(scratch, K).neighbors;
    },
    async close() {},
  };
}

interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vector: Float32Array, k: number, threads: number): { keys: BigUint64Array };
  save(path: string): void;
  view(path: string): void;
}
type UsearchModule = {
  Index: new (config: Record<string, unknown>) => UsearchIndex;
  MetricKind: { L2sq: string };
};

/** usearch fixes expansion_search at construction: each ef views the saved index through a new Index. */
function usearch(place: Place, d: number): Engine {
  const threads = place.threads ?? USEARCH_BUILD_THREADS;
  // Its ESM entry overflows the stack on import under Node 20; the CommonJS build loads.
  const mod = require('usearch') as UsearchModule;
  const file = join(place.workDir, 'peers-usearch.index');
  const make = (ef: number) =>
    new mod.Index({
      dimensions: d,
      metric: mod.MetricKind.L2sq,
      connectivity: HNSW.M,
      expansion_add: HNSW.efConstruction,
      expansion_search: ef,
    });
  let index: UsearchIndex | undefined;
  return {
    name: `usearch, ${threads} build thread${threads > 1 ? 's' : ''}`,
    async build(set) {
      index = make(HNSW.ef);
      const keys = new BigUint64Array(set.n);
      for (let i = 0; i < set.n; i++) keys[i] = BigInt(i);
      index.add(keys, set.data, threads);
      index.save(file);
    },
    setEf(ef) {
      index = make(ef);
      index.view(file);
    },
    search(q) {
      const keys = index!.search(q, K, 1).keys;
      const out: number[] = [];
      for (let i = 0; i < keys.length; i++) out.push(Number(keys[i]));
      return out;
    },
    async close() {},
  };
}

interface FaissIndex {
  add(x: number[]): void;
  search(x: number[], k: number): { labels: number[] };
}

/** faiss-node: IndexHNSWFlat through its factory, if its native build installed. */
function faiss(d: number): Engine {
  const mod = require('faiss-node') as { Index: { fromFactory(d: number, description: string): FaissIndex } };
  let index: FaissIndex | undefined;
  return {
    name: 'faiss-node HNSW16',
    async build(set) {
      index = mod.Index.fromFactory(d, `HNSW${HNSW.M}`);
      index.add(Array.from(set.data));
    },
    setEf() {
      // faiss-node exposes no efSearch: measured at faiss' default (16) only.
    },
    search(q) {
      return index!.search(Array.from(q), K).labels;
    },
    async close() {},
  };
}

interface LanceTable {
  createIndex(column: string, options: { config: unknown }): Promise<void>;
  vectorSearch(v: Float32Array | number[]): {
    limit(k: number): LanceQuery;
  };
}
interface LanceQuery {
  ef(ef: number): LanceQuery;
  where(predicate: string): LanceQuery;
  select(c: string[]): { toArray(): Promise<{ id: number }[]> };
}

/** LanceDB 0.31 with an IVF_HNSW_SQ index (one partition), as the reference was. */
function lance(place: Place, d: number): Engine {
  const lancedb = require('@lancedb/lancedb') as {
    connect(uri: string): Promise<{
      createTable(name: string, data: unknown, options?: unknown): Promise<LanceTable>;
      close?(): void;
    }>;
    Index: { hnswSq(options: Record<string, unknown>): unknown };
  };
  const arrow = require('apache-arrow') as typeof import('apache-arrow');
  let table: LanceTable | undefined;
  let ef: number = HNSW.ef;
  return {
    name: 'LanceDB 0.31 IVF_HNSW_SQ',
    async build(set) {
      const dir = join(place.workDir, 'peers-lance');
      mkdirSync(dir, { recursive: true });
      const db = await lancedb.connect(dir);
      const item = new arrow.Field('item', new arrow.Float32(), true);
      const vectors = arrow.makeVector(
        arrow.makeData({
          type: new arrow.FixedSizeList(d, item),
          length: set.n,
          nullCount: 0,
          child: arrow.makeData({ type: new arrow.Float32(), length: set.n * d, data: set.data }),
        }),
      );
      const ids = arrow.makeVector(Int32Array.from({ length: set.n }, (_, i) => i));
      const buckets = arrow.makeVector(Int32Array.from({ length: set.n }, (_, i) => i % 100));
      table = await db.createTable('peers', new arrow.Table({ id: ids, bucket: buckets, vector: vectors }));
      await table.createIndex('vector', {
        config: lancedb.Index.hnswSq({ distanceType: 'l2', numPartitions: 1, m: HNSW.M, efConstruction: HNSW.efConstruction }),
      });
    },
    setEf(e) {
      ef = e;
    },
    async search(q) {
      const rows = await table!.vectorSearch(q).limit(K).ef(ef).select(['id', '_distance']).toArray();
      return rows.map((r) => Number(r.id));
    },
    async searchFiltered(q) {
      // LanceDB prefilters by default (the filter applies before the k nearest are taken), as ours does.
      const rows = await table!.vectorSearch(q).limit(K).ef(ef).where(`bucket < ${FILTER_PERCENT}`).select(['id', '_distance']).toArray();
      return rows.map((r) => Number(r.id));
    },
    async close() {},
  };
}

/** The engines by the name the scenario asks a child for, in the order of the interleaved rounds. */
export const ENGINES = {
  HVS: (place: Place, d: number) => ours(place, d),
  'hnswlib-node': (_place: Place, d: number) => raw(d),
  usearch: (place: Place, d: number) => usearch(place, d),
  'faiss-node': (_place: Place, d: number) => faiss(d),
  LanceDB: (place: Place, d: number) => lance(place, d),
} as const satisfies Record<string, (place: Place, d: number) => Engine>;

export type EngineName = keyof typeof ENGINES;
