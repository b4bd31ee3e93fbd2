// Child process of the quantization scenario: builds one cosine graph (raw hnswlib-node, or @hvs-nvm/hnsw with
// quantization none | int8 | binary) and reports its resident-memory growth, recall@10 and queries/s as a JSON line.
// Arguments: mode N D efConstruction [rescoreFactor (0: the default)] [M (default HNSW.M)].
import { Graph, type Quantization } from '@hvs-nvm/hnsw';
import { exactKnn, mixture, recallAt, row, type VectorSet } from './support/data.js';
import { addRows, HNSW, newRawIndex } from './support/raw-hnsw.js';
import { settledMemory } from './support/settle.js';
import { now } from './support/stats.js';

const [mode, nArg, dArg, efArg, rescoreArg, mArg] = process.argv.slice(2);
const n = Number(nArg);
const D = Number(dArg);
const efConstruction = Number(efArg);
const rescoreFactor = Number(rescoreArg ?? 0);
const M = Number(mArg ?? HNSW.M);
const K = 10;
const QUERIES = 200;
/** Above HNSW.ef: at 64 the graph itself (float32 too) finds ~0.78 of the true 10 on this cosine mixture. */
const EF = 256;

/** Slots of the warm-up graph each child builds, searches and keeps before its first reading. */
const WARM = 1000;

/** Builds the graph of this child's mode over `set` and returns its search. */
async function build(set: VectorSet): Promise<{ search: (q: Float32Array) => number[]; hold: unknown }> {
  if (mode === 'raw') {
    const index = newRawIndex('cosine', D, set.n, M, efConstruction);
    index.setEf(EF);
    addRows(index, set);
    const q = new Array<number>(D).fill(0);
    const search = (v: Float32Array) => {
      for (let j = 0; j < D; j++) q[j] = v[j]!;
      return index.searchKnn(q, K).neighbors;
    };
    return { search, hold: index };
  }
  const g = new Graph({
    metric: 'cosine',
    dimension: D,
    capacity: set.n,
    M,
    efConstruction,
    seed: HNSW.seed,
    quantization: mode as Quantization,
    ...(rescoreFactor > 0 ? { rescoreFactor } : {}),
  });
  g.setEf(EF);
  for (let start = 0; start < set.n; start += 10_000) {
    const end = Math.min(set.n, start + 10_000);
    await g.addBatch(
      set.data.slice(start * D, end * D),
      Uint32Array.from({ length: end - start }, (_, i) => start + i),
    );
  }
  const search = (v: Float32Array) => {
    const r = g.search(v, K);
    return Array.from(r.labels.subarray(0, r.count));
  };
  return { search, hold: g };
}

async function main(): Promise<void> {
  if (!['raw', 'none', 'int8', 'binary'].includes(mode ?? '') || !(n > 0) || !(D > 0)) {
    throw new Error('usage: quantization-child raw|none|int8|binary N D EF [RESCORE] [M]');
  }
  const set = mixture(n, D, 3);
  const queries = mixture(QUERIES, D, 11);
  const truth = exactKnn('spherical', set, queries, K);
  const found: number[][] = [];
  // One-time costs (the addon's code pages, libuv's thread pool and its threads' malloc arenas, ~1 MB) are paid by a
  // small graph of the same kind first, so the reading is what each vector costs, on both sides alike.
  const warm = await build(mixture(WARM, D, 5));
  warm.search(row(queries, 0));
  const before = (await settledMemory()).rss;
  const { search, hold } = await build(set);
  const after = (await settledMemory()).rss;
  const t0 = now();
  for (let i = 0; i < QUERIES; i++) found.push(search(row(queries, i)));
  const seconds = (now() - t0) / 1000;
  console.log(
    JSON.stringify({
      mode,
      n,
      d: D,
      rssBytes: after - before,
      recall: recallAt(K, found, truth),
      qps: QUERIES / seconds,
      held: hold !== undefined && warm.hold !== undefined,
    }),
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
