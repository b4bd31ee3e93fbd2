// sharded: one collection held by 3 `apps/projector --shard i/3` processes vs one unsharded projector of the same log:
// resident memory per process, and semanticSearch through `shards: 3` (fan-out, merge by distance) vs one projector.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HVS, type HVSOptions } from '@hvs-nvm/hvs';
import { mixture, row } from '../support/data.js';
import { now, sleep, summarise } from '../support/stats.js';
import { runFixture, type Child } from '../../support/child.js';
import { entryOf } from '../support/built.js';
import { ratioRow, untilSearchable, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const D = 128;
const SHARDS = 3;
const CONCURRENCY = 16;

/** Resident set size of a process, in MiB (Linux /proc). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

interface Running {
  child: Child;
  args: [string, string, string[]];
}

async function qps(hvs: HVS, queries: Float32Array[]): Promise<{ qps: number; ids: string[][] }> {
  const ids: string[][] = [];
  let next = 0;
  const t0 = now();
  const worker = async () => {
    while (next < queries.length) {
      const i = next++;
      ids[i] = (await hvs.semanticSearch(queries[i]!, { k: 10 })).map((r) => r.vector.id);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { qps: queries.length / ((now() - t0) / 1000), ids };
}

export const sharded: Scenario = {
  name: 'sharded',
  describe: `one collection over ${SHARDS} projector shard processes vs one projector: RSS per process, search q/s and recall`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 2000 : 20_000);
    const set = mixture(n + 500, D, 23);
    const queries = Array.from({ length: ctx.quick ? 100 : 500 }, (_, i) => row(set, n + i));
    const name = `benchshard${Date.now() % 100000}`;
    const open = (path: string, extra: Partial<HVSOptions> = {}) =>
      HVS.open({ storagePath: join(ctx.workDir, path), natsUrl: ctx.server.url, collection: name, dimension: D, ...extra });
    const children: Child[] = [];
    const start = async (collection: string, replica: string, extra: string[]): Promise<Running> => {
      const child = runFixture(
        entryOf('apps/projector/src/main.ts'),
        [
          '--data-dir',
          join(ctx.workDir, 'shards'),
          '--replica',
          replica,
          '--collection',
          collection,
          '--dimension',
          String(D),
          '--geometry',
          'euclidean',
          ...extra,
        ],
        { NATS_URL: ctx.server.url, HVS_NVM_LOG_LEVEL: 'error' },
      );
      children.push(child);
      await child.until((l) => l.some((x) => (x as { ready?: boolean }).ready), 600_000);
      return { child, args: [collection, replica, extra] };
    };
    /** SIGTERM (the projector checkpoints and exits), then the same projector again: it opens from its checkpoint. */
    const restart = async (r: Running): Promise<Running> => {
      r.child.proc.kill('SIGTERM');
      await r.child.exited;
      return start(...r.args);
    };
    const local = await open(`${name}-local`);
    try {
      for (let s = 0; s < n; s += 5000) {
        const items = [];
        for (let i = s; i < Math.min(n, s + 5000); i++) items.push({ id: `s${i}`, vector: row(set, i) });
        await local.batchStoreVectors(items);
      }
      await untilSearchable(local, ctx.log);
      const truth = await Promise.all(
        queries.map(async (q) => (await local.semanticSearch(q, { k: 10, exact: true })).map((r) => r.vector.id)),
      );
      // One after another, so each builds its graph without the others competing for the 2 cores.
      let empty = await start(`${name}empty`, 'e', []);
      let whole = await start(name, 'w', []);
      let parts: Running[] = [];
      for (let i = 0; i < SHARDS; i++) parts.push(await start(name, 'p', ['--shard', `${i}/${SHARDS}`]));
      await sleep(2000);
      const replayed = {
        base: rssMb(empty.child.proc.pid!),
        whole: rssMb(whole.child.proc.pid!),
        parts: parts.map((p) => rssMb(p.child.proc.pid!)),
      };
      ctx.log(
        `sharded: RSS after replay: empty ${replayed.base.toFixed(0)} MB, whole ${replayed.whole.toFixed(0)} MB, shards ${replayed.parts.map((m) => m.toFixed(0)).join(' / ')} MB`,
      );
      // Steady state: each restarted from its checkpoint (no replay garbage), measured after the query runs below.
      empty = await restart(empty);
      whole = await restart(whole);
      const restarted: Running[] = [];
      for (const p of parts) restarted.push(await restart(p));
      parts = restarted;

      const one = await open(`${name}-one`, { projection: 'remote' });
      const three = await open(`${name}-three`, { projection: 'remote', shards: SHARDS });
      try {
        await qps(one, queries.slice(0, 50));
        await qps(three, queries.slice(0, 50));
        const r1 = await qps(one, queries);
        const r3 = await qps(three, queries);
        const base = rssMb(empty.child.proc.pid!);
        const wholeMb = rssMb(whole.child.proc.pid!);
        const partMb = parts.map((p) => rssMb(p.child.proc.pid!));
        ctx.log(
          `sharded: RSS restarted from checkpoints, after queries: empty ${base.toFixed(0)} MB, whole ${wholeMb.toFixed(0)} MB, shards ${partMb.map((m) => m.toFixed(0)).join(' / ')} MB`,
        );
        const recall = (ids: string[][]) =>
          ids.reduce((a, got, i) => a + got.filter((id) => truth[i]!.includes(id)).length, 0) / (10 * queries.length);
        const shardNote = `each shard ${partMb.map((m) => m.toFixed(0)).join(' / ')} MB; an empty projector ${base.toFixed(0)} MB; restarted from their checkpoints, after the queries`;
        return [
          ratioRow(
            'sharded',
            `RSS right after catching up from the log, one of ${SHARDS} shards vs unsharded, ${n}×${D}`,
            'MB',
            summarise(replayed.parts),
            summarise([replayed.whole]),
            {
              better: 'lower',
              note: `each shard ${replayed.parts.map((m) => m.toFixed(0)).join(' / ')} MB; an empty projector ${replayed.base.toFixed(0)} MB (replay garbage not yet returned)`,
            },
          ),
          ratioRow(
            'sharded',
            `RSS of one of ${SHARDS} shard processes vs one unsharded projector, ${n}×${D}`,
            'MB',
            summarise(partMb),
            summarise([wholeMb]),
            {
              better: 'lower',
              note: shardNote,
            },
          ),
          ratioRow(
            'sharded',
            `RSS above an empty projector, one shard vs unsharded, ${n}×${D}`,
            'MB',
            summarise(partMb.map((m) => m - base)),
            summarise([wholeMb - base]),
            { better: 'lower', note: 'the index and its documents; node, nats.js and hnswlib code are the rest' },
          ),
          ratioRow(
            'sharded',
            `search through ${SHARDS} shards vs 1 projector, ${CONCURRENCY} in flight`,
            'queries/s',
            summarise([r3.qps]),
            summarise([r1.qps]),
            {
              note: `recall@10 ${recall(r3.ids).toFixed(3)} sharded vs ${recall(r1.ids).toFixed(3)} unsharded (2 cores shared by all processes)`,
            },
          ),
        ];
      } finally {
        await one.close();
        await three.close();
      }
    } finally {
      for (const c of children) await c.kill9();
      await local.close();
    }
  },
};
