// Runs a query set through our path or the raw baseline and measures QPS, latency and recall.
import type hnswlib from 'hnswlib-node';
import type { HVS, Filter } from '@hvs-nvm/hvs';
import { recallAt, row, type VectorSet } from './data.js';
import { now, percentile, summarise, type Summary } from './stats.js';
import { K, rowOf } from './fixture.js';

export interface QueryRun {
  qps: number;
  latenciesMs: number[];
  found: number[][];
}

export async function oursQueries(hvs: HVS, queries: VectorSet, filter?: Filter, ef?: number): Promise<QueryRun> {
  const latenciesMs: number[] = [];
  const found: number[][] = [];
  const t0 = now();
  for (let q = 0; q < queries.n; q++) {
    const t = now();
    const rs = await hvs.semanticSearch(row(queries, q), { k: K, ...(filter ? { filter } : {}), ...(ef ? { ef } : {}) });
    latenciesMs.push(now() - t);
    found.push(rs.map((r) => rowOf(r.vector.id)));
  }
  return { qps: queries.n / ((now() - t0) / 1000), latenciesMs, found };
}

export function rawQueries(
  index: hnswlib.HierarchicalNSW,
  queries: VectorSet,
  map?: (v: Float32Array, out: number[]) => void,
  filter?: (label: number) => boolean,
): QueryRun {
  const latenciesMs: number[] = [];
  const found: number[][] = [];
  const scratch = new Array<number>(queries.d).fill(0);
  const t0 = now();
  for (let q = 0; q < queries.n; q++) {
    const t = now();
    const v = row(queries, q);
    if (map) map(v, scratch);
    else for (let j = 0; j < queries.d; j++) scratch[j] = v[j]!;
    const { neighbors } = index.searchKnn(scratch, K, filter);
    latenciesMs.push(now() - t);
    found.push(neighbors);
  }
  return { qps: queries.n / ((now() - t0) / 1000), latenciesMs, found };
}

/** Several rounds of one side: QPS per round, latencies of all rounds, recall of the last. */
export interface SideResult {
  qps: Summary;
  p50Ms: number;
  p99Ms: number;
  recall: number;
}

export async function rounds(count: number, truth: number[][], once: () => QueryRun | Promise<QueryRun>): Promise<SideResult> {
  const qps: number[] = [];
  const lat: number[] = [];
  let recall = 0;
  for (let r = 0; r < count; r++) {
    const run = await once();
    qps.push(run.qps);
    lat.push(...run.latenciesMs);
    recall = recallAt(K, run.found, truth);
  }
  return { qps: summarise(qps), p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), recall };
}
