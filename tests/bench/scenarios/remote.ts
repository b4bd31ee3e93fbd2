// remote: semanticSearch through apps/projector replicas (projection: 'remote', NATS request/reply) with 1 and 2
// replicas, vs the same queries on an in-process projection.
import { join } from 'node:path';
import { HVS, type HVSOptions } from '@hvs-nvm/hvs';
import { mixture, row } from '../support/data.js';
import { now, percentile, summarise } from '../support/stats.js';
import { runFixture, type Child } from '../../support/child.js';
import { entryOf } from '../support/built.js';
import { ratioRow, untilSearchable, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const D = 128;
/** Queries in flight at once for the throughput figures (a pool of agents asking together). */
const CONCURRENCY = 16;

async function qps(hvs: HVS, queries: Float32Array[], concurrency: number): Promise<{ qps: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = now();
  const worker = async () => {
    while (next < queries.length) {
      const q = queries[next++]!;
      const t = now();
      await hvs.semanticSearch(q, { k: 10 });
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { qps: queries.length / ((now() - t0) / 1000), latencies };
}

export const remote: Scenario = {
  name: 'remote',
  describe: `semanticSearch k=10 through 1 and 2 projector replicas (${CONCURRENCY} in flight) vs an in-process projection`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 1000 : 10_000);
    const count = ctx.quick ? 1 : ctx.rounds;
    const set = mixture(n + 1000, D, 11);
    const queries = Array.from({ length: ctx.quick ? 200 : 1000 }, (_, i) => row(set, n + i));
    const name = `benchremote${Date.now() % 100000}`;
    const open = (path: string, extra: Partial<HVSOptions> = {}) =>
      HVS.open({ storagePath: join(ctx.workDir, path), natsUrl: ctx.server.url, collection: name, dimension: D, ...extra });
    const local = await open(`${name}-local`, { efConstruction: 100 });
    const replicas: Child[] = [];
    try {
      for (let start = 0; start < n; start += 5000) {
        const items = [];
        for (let i = start; i < Math.min(n, start + 5000); i++) items.push({ id: `r${i}`, vector: row(set, i) });
        await local.batchStoreVectors(items);
      }
      await untilSearchable(local, ctx.log);
      const startReplica = async (id: string) => {
        const child = runFixture(
          entryOf('apps/projector/src/main.ts'),
          [
            '--data-dir',
            join(ctx.workDir, 'replicas'),
            '--replica',
            id,
            '--collection',
            name,
            '--dimension',
            String(D),
            '--geometry',
            'euclidean',
          ],
          { NATS_URL: ctx.server.url, HVS_NVM_LOG_LEVEL: 'error' },
        );
        replicas.push(child);
        await child.until((l) => l.some((x) => (x as { ready?: boolean }).ready), 300_000);
      };
      await startReplica('a');
      const client = await open(`${name}-client`, { projection: 'remote' });
      try {
        await qps(client, queries.slice(0, 100), CONCURRENCY); // warm-up
        await qps(local, queries.slice(0, 100), CONCURRENCY);
        const one: number[] = [];
        const base: number[] = [];
        let lat1: number[] = [];
        for (let r = 0; r < count; r++) {
          base.push((await qps(local, queries, CONCURRENCY)).qps);
          const o = await qps(client, queries, CONCURRENCY);
          one.push(o.qps);
          lat1 = lat1.concat(o.latencies);
        }
        const seq = await qps(client, queries.slice(0, 300), 1);
        await startReplica('b');
        await qps(client, queries.slice(0, 100), CONCURRENCY);
        const two: number[] = [];
        let lat2: number[] = [];
        for (let r = 0; r < count; r++) {
          const o = await qps(client, queries, CONCURRENCY);
          two.push(o.qps);
          lat2 = lat2.concat(o.latencies);
        }
        ctx.log(
          `remote: local ${summarise(base).median.toFixed(0)} q/s, 1 replica ${summarise(one).median.toFixed(0)} q/s, 2 replicas ${summarise(two).median.toFixed(0)} q/s`,
        );
        const ms = (xs: number[]) => `${percentile(xs, 50).toFixed(2)}/${percentile(xs, 99).toFixed(2)} ms`;
        return [
          ratioRow('remote', `1 projector replica, ${n}×${D}, ${CONCURRENCY} in flight`, 'queries/s', summarise(one), summarise(base), {
            note: `vs in-process projection; p50/p99 ${ms(lat1)}; one at a time ${seq.qps.toFixed(0)} q/s, p50 ${percentile(seq.latencies, 50).toFixed(2)} ms`,
          }),
          ratioRow('remote', `2 projector replicas, ${n}×${D}, ${CONCURRENCY} in flight`, 'queries/s', summarise(two), summarise(base), {
            note: `vs in-process projection; p50/p99 ${ms(lat2)} (2 cores shared by client, replicas and nats-server)`,
          }),
        ];
      } finally {
        await client.close();
      }
    } finally {
      for (const r of replicas) await r.kill9();
      await local.close();
    }
  },
};
