// A search fixture: one data set loaded both into an HVS collection and into raw hnswlib-node, plus queries and exact answers.
import type hnswlib from 'hnswlib-node';
import type { Geometry, HVS } from '@hvs-nvm/hvs';
import { exactKnn, hyperbolicSet, mixture, row, type VectorSet } from './data.js';
import { addRows, newRawIndex, toPoincare } from './raw-hnsw.js';
import { now } from './stats.js';
import { openHvs, untilSearchable, type BenchContext } from './context.js';

export const K = 10;
/**
 * Points per geometry in a full run. Building one 50k fixture takes ~80 s here (hnswlib at efConstruction 200
 * adds ~1.3k vectors/s on this 2-core machine, ours and raw each), too much for three geometries in 15 minutes;
 * run `--only search,filtered --size 50000` for the larger set.
 */
export const SEARCH_N = 25_000;
export const QUERIES = 200;
const CHUNK = 10_000;

export interface SearchFixture {
  geometry: Geometry;
  set: VectorSet;
  queries: VectorSet;
  hvs: HVS;
  /** Raw hnswlib over the same points (Poincaré-ball images for the hyperboloid). */
  raw: hnswlib.HierarchicalNSW;
  /** Exact k nearest row numbers per query. */
  truth: number[][];
  bucketOf(i: number): number;
  buildSeconds: { ours: number; raw: number };
  close(): Promise<void>;
}

export function setFor(geometry: Geometry, n: number, d: number, seed: number): { set: VectorSet; queries: VectorSet } {
  const all = geometry === 'hyperboloid' ? hyperbolicSet(n + QUERIES, d, seed) : mixture(n + QUERIES, d, seed);
  return {
    set: { n, d, data: all.data.subarray(0, n * d) },
    queries: { n: QUERIES, d, data: all.data.subarray(n * d) },
  };
}

/** Loads `set` into a fresh collection with ids `v<row>` and metadata `{ bucket: row % 100 }`; resolves when searchable. */
export async function loadHvs(hvs: HVS, set: VectorSet, log?: (m: string) => void): Promise<void> {
  for (let start = 0; start < set.n; start += CHUNK) {
    const items = [];
    for (let i = start; i < Math.min(set.n, start + CHUNK); i++) {
      items.push({ id: `v${i}`, vector: row(set, i), metadata: { bucket: i % 100 } });
    }
    await hvs.batchStoreVectors(items);
  }
  await untilSearchable(hvs, log);
}

export function rowOf(id: string): number {
  return Number(id.slice(1));
}

/** Builds (once per run) the fixture for a geometry and size; search and filtered search share it. */
export async function searchFixture(ctx: BenchContext, geometry: Geometry, n: number, d = 128): Promise<SearchFixture> {
  const key = `search:${geometry}:${n}:${d}`;
  const cached = ctx.fixtures.get(key) as SearchFixture | undefined;
  if (cached) return cached;
  const { set, queries } = setFor(geometry, n, d, 7);
  ctx.log(`building ${geometry} fixture: ${n} × ${d}-d (ours and raw)`);
  let t0 = now();
  const hvs = await openHvs(ctx, `search-${geometry}`, { dimension: d, geometry });
  await loadHvs(hvs, set, ctx.log);
  const oursSeconds = (now() - t0) / 1000;
  t0 = now();
  const raw = newRawIndex(geometry === 'spherical' ? 'cosine' : 'l2', d, n);
  addRows(raw, set, 0, n, geometry === 'hyperboloid' ? toPoincare : undefined);
  const rawSeconds = (now() - t0) / 1000;
  t0 = now();
  const truth = exactKnn(geometry, set, queries, K);
  ctx.log(
    `${geometry} fixture built: ours ${oursSeconds.toFixed(1)} s, raw ${rawSeconds.toFixed(1)} s, exact answers ${((now() - t0) / 1000).toFixed(1)} s`,
  );
  const fixture: SearchFixture = {
    geometry,
    set,
    queries,
    hvs,
    raw,
    truth,
    bucketOf: (i) => i % 100,
    buildSeconds: { ours: oursSeconds, raw: rawSeconds },
    close: () => hvs.close(),
  };
  ctx.fixtures.set(key, fixture);
  return fixture;
}
