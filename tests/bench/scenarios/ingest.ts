// ingest: batchStoreVectors until every vector is searchable, vs raw hnswlib-node addPoint of the same vectors.
import { mixture, row } from '../support/data.js';
import { addRows, HNSW, newRawIndex } from '../support/raw-hnsw.js';
import { now, summarise } from '../support/stats.js';
import { openHvs, ratioRow, untilSearchable, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const D = 128;
const CHUNK = 10_000;
/** BENCH_INSERT_THREADS=n: the projection builds on n threads (default: HVS's, defaultInsertThreads()). */
const threads = process.env.BENCH_INSERT_THREADS ? { insertThreads: Number(process.env.BENCH_INSERT_THREADS) } : {};

export const ingest: Scenario = {
  name: 'ingest',
  describe: 'batchStoreVectors (chunks of 10k) until searchable vs raw addPoint, 128-d, M=16 efC=200',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 2000 : 100_000);
    // One 100k round takes ~3 minutes on the 2-core reference machine: one round unless --rounds asks for more.
    const rounds = ctx.quick ? 1 : (ctx.roundsGiven ?? 1);
    const set = mixture(n, D, 1);
    const ours: number[] = [];
    const raw: number[] = [];
    const breakdown: Record<string, number>[] = [];
    for (let r = 0; r < rounds; r++) {
      // Raw first, then ours, alternating order each round so neither always runs on a warmer process.
      const order = r % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
      for (const side of order) {
        if (side === 'raw') {
          const t0 = now();
          const index = newRawIndex('l2', D, n);
          addRows(index, set);
          const s = (now() - t0) / 1000;
          raw.push(n / s);
          ctx.log(`ingest raw round ${r + 1}: ${(n / s).toFixed(0)} vectors/s`);
        } else {
          const hvs = await openHvs(ctx, 'ingest', { dimension: D, geometry: 'euclidean', ...threads });
          try {
            const t0 = now();
            let acked = 0;
            for (let start = 0; start < n; start += CHUNK) {
              const items = [];
              for (let i = start; i < Math.min(n, start + CHUNK); i++) items.push({ vector: row(set, i) });
              await hvs.batchStoreVectors(items);
            }
            acked = now();
            const syncTimeouts = await untilSearchable(hvs, ctx.log);
            const count = await hvs.count();
            const s = (now() - t0) / 1000;
            if (count !== n) throw new Error(`ingest: ${count} of ${n} vectors searchable after sync()`);
            ours.push(n / s);
            breakdown.push({ ackedSeconds: (acked - t0) / 1000, searchableSeconds: s, syncTimeouts });
            ctx.log(
              `ingest ours round ${r + 1}: ${(n / s).toFixed(0)} vectors/s (all acked at ${((acked - t0) / 1000).toFixed(1)} s, searchable at ${s.toFixed(1)} s)`,
            );
          } finally {
            await hvs.close();
          }
        }
      }
    }
    const o = summarise(ours);
    ctx.ingestRate = o.median;
    const ratio = o.median / summarise(raw).median;
    return [
      ratioRow('ingest', `${n} × ${D}-d until searchable`, 'vectors/s', o, summarise(raw), {
        target: '≥ 0.8× raw',
        pass: ratio >= 0.8,
        extra: { n, dimension: D, ...threads, M: HNSW.M, efConstruction: HNSW.efConstruction, chunk: CHUNK, breakdown },
      }),
    ];
  },
};
