// search: semanticSearch QPS, latency and recall@10 vs raw hnswlib-node searchKnn at ef=64, in each geometry.
import type { Geometry } from '@hvs-nvm/hvs';
import { exactKnn, type VectorSet } from '../support/data.js';
import { K, SEARCH_N, searchFixture } from '../support/fixture.js';
import { oursQueries, rawQueries, rounds, type QueryRun, type SideResult } from '../support/queries.js';
import { toPoincare } from '../support/raw-hnsw.js';
import { now, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

function extra(ours: SideResult, raw: SideResult, more: Record<string, unknown> = {}) {
  return {
    oursP50Ms: ours.p50Ms,
    oursP99Ms: ours.p99Ms,
    rawP50Ms: raw.p50Ms,
    rawP99Ms: raw.p99Ms,
    oursRecall: ours.recall,
    rawRecall: raw.recall,
    ...more,
  };
}

function note(ours: SideResult, raw: SideResult): string {
  const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)}µs` : `${x.toFixed(2)}ms`);
  return `recall ours ${ours.recall.toFixed(3)} raw ${raw.recall.toFixed(3)}; p50/p99 ours ${ms(ours.p50Ms)}/${ms(ours.p99Ms)} raw ${ms(raw.p50Ms)}/${ms(raw.p99Ms)}`;
}

/** Brute force in JS with the exact hyperbolic distance: the answer any approximate method is judged by. */
function bruteForce(set: VectorSet, queries: VectorSet, geometry: Geometry): QueryRun {
  const latenciesMs: number[] = [];
  const found: number[][] = [];
  const t0 = now();
  for (let q = 0; q < queries.n; q++) {
    const t = now();
    const one: VectorSet = { n: 1, d: queries.d, data: queries.data.subarray(q * queries.d, (q + 1) * queries.d) };
    found.push(exactKnn(geometry, set, one, K)[0]!);
    latenciesMs.push(now() - t);
  }
  return { qps: queries.n / ((now() - t0) / 1000), latenciesMs, found };
}

export const search: Scenario = {
  name: 'search',
  describe: 'semanticSearch k=10 vs raw searchKnn ef=64: QPS, p50/p99, recall@10 over 200 queries; euclidean, spherical, hyperboloid',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 2000 : SEARCH_N);
    const count = ctx.quick ? 1 : ctx.rounds;
    const rows: ResultRow[] = [];
    for (const geometry of ['euclidean', 'spherical', 'hyperboloid'] as const) {
      const f = await searchFixture(ctx, geometry, n);
      // Warm both paths (JIT, caches) before measuring.
      await oursQueries(f.hvs, f.queries);
      const map = geometry === 'hyperboloid' ? toPoincare : undefined;
      rawQueries(f.raw, f.queries, map);
      let ours: SideResult | undefined;
      let raw: SideResult | undefined;
      // Interleave: one round of each at a time.
      const oursQps: number[] = [];
      const rawQps: number[] = [];
      for (let r = 0; r < count; r++) {
        const o = await rounds(1, f.truth, () => oursQueries(f.hvs, f.queries));
        const w = await rounds(1, f.truth, () => rawQueries(f.raw, f.queries, map));
        oursQps.push(o.qps.median);
        rawQps.push(w.qps.median);
        ours = ours ? { ...o, p50Ms: Math.max(ours.p50Ms, o.p50Ms), p99Ms: Math.max(ours.p99Ms, o.p99Ms) } : o;
        raw = raw ? { ...w, p50Ms: Math.max(raw.p50Ms, w.p50Ms), p99Ms: Math.max(raw.p99Ms, w.p99Ms) } : w;
      }
      ours = { ...ours!, qps: summarise(oursQps) };
      raw = { ...raw!, qps: summarise(rawQps) };
      const ratio = ours.qps.median / raw.qps.median;
      const recallOk = ours.recall >= 0.95;
      if (geometry !== 'hyperboloid') {
        rows.push(
          ratioRow('search', `${geometry} ${n}×128 k=10 ef=64`, 'queries/s', ours.qps, raw.qps, {
            target: '≥ 0.7× raw, recall ≥ 0.95',
            pass: ratio >= 0.7 && recallOk,
            note: note(ours, raw),
            extra: extra(ours, raw, { n, buildSeconds: f.buildSeconds, rawSpace: geometry === 'spherical' ? 'cosine' : 'l2' }),
          }),
        );
        continue;
      }
      rows.push(
        ratioRow('search', `hyperboloid ${n}×128 k=10 (lorentz space) vs hnswlib l2 in Poincaré ball`, 'queries/s', ours.qps, raw.qps, {
          target: '≥ 0.8× raw, recall ≥ 0.99',
          pass: ratio >= 0.8 && ours.recall >= 0.99,
          note: note(ours, raw),
          extra: extra(ours, raw, {
            n,
            buildSeconds: f.buildSeconds,
            oursSpace: 'lorentz (cosh d − 1), one graph search, exact float64 rescore',
            rawBaseline: 'hnswlib-node l2 over the Poincaré-ball images, ef=64, its 10 nearest taken as they come',
          }),
        }),
      );
      // Second baseline: exact brute force (what recall is measured against), at its own speed.
      const bf = await rounds(1, f.truth, () => bruteForce(f.set, f.queries, geometry));
      rows.push(
        ratioRow('search', `hyperboloid ${n}×128 k=10 vs exact brute force (JS)`, 'queries/s', ours.qps, bf.qps, {
          note: `recall ours ${ours.recall.toFixed(3)} brute force ${bf.recall.toFixed(3)}; p50 brute force ${bf.p50Ms.toFixed(1)}ms`,
          extra: extra(ours, bf, { n, rawBaseline: 'brute force, exact arcosh distance, float64' }),
        }),
      );
    }
    return rows;
  },
};
