// filtered search: recall@10 against exact filtered answers and QPS at 1%, 10% and 50% selectivity, vs raw hnswlib's filter
// callback, and vs raw hnswlib's unfiltered search (issue 19: a narrower filter should not be slower than no filter).
import type { Filter } from '@hvs-nvm/hvs';
import { exactKnn } from '../support/data.js';
import { SEARCH_N, searchFixture } from '../support/fixture.js';
import { oursQueries, rawQueries, rounds, type SideResult } from '../support/queries.js';
import { summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const CASES: { percent: number; filter: Filter }[] = [
  { percent: 1, filter: { bucket: 0 } },
  { percent: 10, filter: { bucket: { $lt: 10 } } },
  { percent: 50, filter: { bucket: { $lt: 50 } } },
];

export const filtered: Scenario = {
  name: 'filtered',
  describe: 'filtered semanticSearch (bucket = i % 100) at 1/10/50% selectivity: recall@10 vs exact filtered, QPS vs raw hnswlib filter',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 2000 : SEARCH_N);
    const count = ctx.quick ? 1 : ctx.rounds;
    const f = await searchFixture(ctx, 'euclidean', n);
    const rows: ResultRow[] = [];
    for (const c of CASES) {
      const keep = (i: number) => f.bucketOf(i) < c.percent;
      const truth = exactKnn('euclidean', f.set, f.queries, 10, keep);
      await oursQueries(f.hvs, f.queries, c.filter);
      const oursQps: number[] = [];
      const rawQps: number[] = [];
      const unfilteredQps: number[] = [];
      let ours: SideResult | undefined;
      let raw: SideResult | undefined;
      for (let r = 0; r < count; r++) {
        ours = await rounds(1, truth, () => oursQueries(f.hvs, f.queries, c.filter));
        raw = await rounds(1, truth, () => rawQueries(f.raw, f.queries, undefined, keep));
        const unfiltered = await rounds(1, f.truth, () => rawQueries(f.raw, f.queries));
        oursQps.push(ours.qps.median);
        rawQps.push(raw.qps.median);
        unfilteredQps.push(unfiltered.qps.median);
      }
      const o = ours!;
      const w = raw!;
      const vsUnfiltered = summarise(oursQps).median / summarise(unfilteredQps).median;
      const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)}µs` : `${x.toFixed(2)}ms`);
      rows.push(
        ratioRow('filtered', `${c.percent}% selectivity, ${n}×128 k=10`, 'queries/s', summarise(oursQps), summarise(rawQps), {
          target: c.percent <= 10 ? 'recall ≥ 0.95, ≥ 0.9× raw unfiltered q/s' : 'recall ≥ 0.95',
          pass: o.recall >= 0.95 && (c.percent > 10 || vsUnfiltered >= 0.9),
          note: `${vsUnfiltered.toFixed(2)}× raw unfiltered (${summarise(unfilteredQps).median.toFixed(0)} q/s); recall ours ${o.recall.toFixed(3)} raw ${w.recall.toFixed(3)}; p50/p99 ours ${ms(o.p50Ms)}/${ms(o.p99Ms)} raw ${ms(w.p50Ms)}/${ms(w.p99Ms)}`,
          extra: {
            n,
            filter: c.filter,
            oursRecall: o.recall,
            rawRecall: w.recall,
            rawUnfilteredQps: summarise(unfilteredQps).median,
            oursOverRawUnfiltered: vsUnfiltered,
            oursP50Ms: o.p50Ms,
            oursP99Ms: o.p99Ms,
            rawP50Ms: w.p50Ms,
            rawP99Ms: w.p99Ms,
          },
        }),
      );
    }
    return rows;
  },
};
