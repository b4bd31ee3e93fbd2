// history: forking a collection of N events (recording the fork, O(1), then building the fork's projection from the
// parent's log in place) vs opening the parent by full replay; and opening an as-of view from an archived checkpoint
// vs from the start of the log.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { HVS } from '@hvs-nvm/hvs';
import { mixture, row } from '../support/data.js';
import { now, summarise } from '../support/stats.js';
import { openHvs, ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const D = 16;
const CHUNK = 5_000;
const OPTIONS = { dimension: D, M: 8, efConstruction: 40 } as const;

export const history: Scenario = {
  name: 'history',
  describe:
    'fork of an N-event collection (record + projection build) vs full replay of the parent; as-of view open from an archived checkpoint vs from the start',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 5_000 : 100_000);
    const set = mixture(n + CHUNK, D, 14);
    const parent = await openHvs(ctx, 'history', { ...OPTIONS, checkpointEveryEvents: 10 * n });
    const rows: ResultRow[] = [];
    try {
      for (let i = 0; i < n; i += CHUNK) {
        const items = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ({ vector: row(set, i + j), metadata: { i: i + j } }));
        await parent.batchStoreVectors(items);
      }
      await parent.sync();
      // A checkpoint at the cut a view will be opened at, then more events after it (the view replays those).
      await parent.snapshot();
      const cut = await parent.cut();
      const items = Array.from({ length: CHUNK }, (_, j) => ({ vector: row(set, n + j), metadata: { i: n + j } }));
      await parent.batchStoreVectors(items);
      await parent.sync();
      await parent.snapshot();
      ctx.log(`history: ${n + CHUNK} events stored`);

      // Fork: the record alone (O(1): one event in the world registry), then the fork's projection built from the
      // parent's log in place, until its first search answers.
      const rounds = ctx.quick ? 1 : Math.min(3, ctx.roundsGiven ?? 3);
      const record: number[] = [];
      const build: number[] = [];
      const replay: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const name = `${parent.options.collection}_fork${r}`;
        let t = now();
        await parent.recordFork({ name, asOf: cut });
        record.push((now() - t) / 1000);
        t = now();
        const fork = await HVS.open({ ...parent.options, collection: name, asOf: undefined });
        await fork.semanticSearch(row(set, 0), { k: 10 });
        build.push((now() - t) / 1000);
        if (fork.stats().vectors !== n) throw new Error(`history: fork has ${fork.stats().vectors} vectors, expected ${n}`);
        await fork.close();
        await parent.deleteFork(name);
        // Baseline: the parent itself opened by full replay (its checkpoints out of the way).
        const dir = join(ctx.workDir, 'replay', String(r));
        t = now();
        const again = await HVS.open({ ...parent.options, storagePath: dir, asOf: undefined });
        await again.semanticSearch(row(set, 0), { k: 10 });
        replay.push((now() - t) / 1000);
        await again.close();
        rmSync(dir, { recursive: true, force: true });
      }
      rows.push(
        ratioRow('history', `fork record, ${n} events`, 's', summarise(record), null, {
          better: 'lower',
          note: 'O(1): one event in HVSNVM_WORLDS, nothing copied',
        }),
        ratioRow('history', `fork ready (projection built from the parent's log), ${n} events`, 's', summarise(build), summarise(replay), {
          better: 'lower',
          note: 'raw: the parent opened by full replay of its own log',
        }),
      );

      // As-of view at the cut: from the archived checkpoint at it (replaying nothing) vs from the start of the log.
      const fromArchive: number[] = [];
      const fromStart: number[] = [];
      for (let r = 0; r < rounds; r++) {
        let t = now();
        const view = await HVS.open({ ...parent.options, asOf: cut });
        await view.semanticSearch(row(set, 0), { k: 10 });
        fromArchive.push((now() - t) / 1000);
        if (view.stats().restoredFrom === 0) throw new Error('history: the view did not start from an archived checkpoint');
        await view.close();
        const bare = join(ctx.workDir, 'bare-view', String(r));
        t = now();
        const cold = await HVS.open({ ...parent.options, storagePath: bare, asOf: cut });
        await cold.semanticSearch(row(set, 0), { k: 10 });
        fromStart.push((now() - t) / 1000);
        await cold.close();
        rmSync(bare, { recursive: true, force: true });
      }
      rows.push(
        ratioRow(
          'history',
          `as-of view open, point ${CHUNK} events back of ${n + CHUNK}`,
          's',
          summarise(fromArchive),
          summarise(fromStart),
          {
            better: 'lower',
            note: 'ours: from the archived checkpoint at or before the point; raw: the same view replayed from position 1',
          },
        ),
      );
    } finally {
      await parent.close();
    }
    return rows;
  },
};
