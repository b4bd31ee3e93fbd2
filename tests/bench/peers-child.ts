// Child process of the peers scenario: one engine, alone in its process, over the data file the parent wrote. It builds,
// tunes ef to the target recall, then runs a round of queries each time the parent asks (IPC), so that the parent can
// interleave the engines' rounds across processes.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { recallAt, row, type VectorSet } from './support/data.js';
import { K } from './support/fixture.js';
import { ENGINES, type Engine, type EngineName } from './support/peer-engines.js';
import { settledMemory } from './support/settle.js';
import { jsThreadTicks, ticksByThreadName, TICKS_PER_SECOND } from './support/cpu-time.js';
import { now } from './support/stats.js';

/** What the parent gives a child (one JSON argument). */
export interface PeerChildSpec {
  engine: EngineName;
  n: number;
  d: number;
  queries: number;
  /** n + queries rows of float32, row-major: the data set, then the queries. */
  dataFile: string;
  /** JSON { truth, filteredTruth }: exact k nearest row numbers per query, unfiltered and filtered. */
  truthFile: string;
  workDir: string;
  natsUrl: string;
  targetRecall: number;
  efs: number[];
  /** Build threads (see Place.threads). */
  threads?: number;
  /** Build only (a build-speed comparison): report the build, then wait for 'close'. */
  buildOnly?: boolean;
}

/**
 * One pass over the queries. `preempted`: the queries (their indices) during which this process was switched out involuntarily;
 * `collected`: queries during which this process's garbage collector paused the JS thread (and for how long in all).
 */
export interface PeerRun {
  qps: number;
  latenciesMs: number[];
  recall: number;
  preempted: number[];
  collected: number;
  collectedMs: number;
}

/** The pauses of this process's collector, as V8 reports them (after the fact, a tick later). */
const pauses: { start: number; end: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });

export type PeerChildMessage =
  | {
      type: 'ready';
      name: string;
      buildRate: number;
      rssPerVector: number;
      ef: number;
      recall: number;
      filtered: boolean;
      /** The 1-minute load average before and after the build. */
      load: [number, number];
      /** CPU time of the build per vector, µs: every thread of this process, and its JS (main) thread alone. */
      cpuPerVector: { process: number; jsThread: number };
      /** CPU µs per vector of the build by thread name (threads that ended during the build are not counted). */
      cpuByThread: Record<string, number>;
    }
  | { type: 'failed'; reason: string; code?: string }
  | { type: 'round'; run: PeerRun; filtered?: PeerRun };

export type PeerParentMessage = { type: 'round' } | { type: 'close' };

const send = (m: PeerChildMessage) =>
  new Promise<void>((resolve, reject) => process.send!(m, undefined, {}, (err) => (err ? reject(err) : resolve())));

async function runQueries(engine: Engine, queries: VectorSet, truth: number[][], filtered = false): Promise<PeerRun> {
  const latenciesMs: number[] = [];
  const starts: number[] = [];
  const found: number[][] = [];
  const preempted: number[] = [];
  pauses.length = 0;
  const t0 = now();
  for (let q = 0; q < queries.n; q++) {
    // Read outside the timed stretch: it costs every engine the same and none of it is billed to a query.
    const switches = process.resourceUsage().involuntaryContextSwitches;
    const t = now();
    found.push(await (filtered ? engine.searchFiltered!(row(queries, q)) : engine.search(row(queries, q))));
    latenciesMs.push(now() - t);
    starts.push(t);
    if (process.resourceUsage().involuntaryContextSwitches !== switches) preempted.push(q);
  }
  const qps = queries.n / ((now() - t0) / 1000);
  // The observer hears of the pauses a tick later.
  await new Promise((resolve) => setImmediate(resolve));
  let collected = 0;
  let collectedMs = 0;
  for (let q = 0; q < starts.length; q++) {
    const from = starts[q]!;
    const to = from + latenciesMs[q]!;
    let hit = false;
    for (const p of pauses) {
      if (p.start >= to || p.end <= from) continue;
      hit = true;
      collectedMs += Math.min(p.end, to) - Math.max(p.start, from);
    }
    if (hit) collected++;
  }
  return { qps, latenciesMs, recall: recallAt(K, found, truth), preempted, collected, collectedMs };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as PeerChildSpec;
  const { n, d } = spec;
  const bytes = readFileSync(spec.dataFile);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, (n + spec.queries) * d);
  const set: VectorSet = { n, d, data: all.subarray(0, n * d) };
  const queries: VectorSet = { n: spec.queries, d, data: all.subarray(n * d) };
  const { truth, filteredTruth } = JSON.parse(readFileSync(spec.truthFile, 'utf8')) as { truth: number[][]; filteredTruth: number[][] };
  let engine: Engine;
  let before: NodeJS.MemoryUsage;
  let after: NodeJS.MemoryUsage;
  let seconds: number;
  let load0: number;
  let cpuPerVector: { process: number; jsThread: number };
  const cpuByThread: Record<string, number> = {};
  let load1: number;
  try {
    // A peer that is not installed, or fails to load or build, is reported as such (the parent writes its row).
    const place = { workDir: spec.workDir, natsUrl: spec.natsUrl, log: (m: string) => console.error(m) };
    engine = ENGINES[spec.engine](spec.threads !== undefined ? { ...place, threads: spec.threads } : place, d);
    before = await settledMemory();
    load0 = loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const js0 = jsThreadTicks();
    const named0 = ticksByThreadName();
    const t0 = now();
    await engine.build(set);
    seconds = (now() - t0) / 1000;
    const cpu1 = process.cpuUsage(cpu0);
    for (const [name, ticks] of ticksByThreadName()) {
      const us = ((ticks - (named0.get(name) ?? 0)) * 1e6) / TICKS_PER_SECOND / n;
      if (us >= 1) cpuByThread[name] = Math.round(us);
    }
    cpuPerVector = { process: (cpu1.user + cpu1.system) / n, jsThread: ((jsThreadTicks() - js0) * 1e6) / TICKS_PER_SECOND / n };
    load1 = loadavg()[0]!;
    if (engine.settle) {
      // On stdout (the parent's log): stderr is kept for the reason of a failure.
      const t = now();
      await engine.settle();
      console.log(`peers child: ${engine.name} settled after its build in ${(now() - t).toFixed(0)} ms`);
    }
    after = await settledMemory();
  } catch (err) {
    const e = err as Error & { code?: string };
    await send({ type: 'failed', reason: e.message.split('\n')[0]!, ...(e.code ? { code: e.code } : {}) });
    process.exit(0);
  }
  // The smallest ef of the sweep reaching the target recall (the largest tried when none does).
  let tuned = { ef: spec.efs[0]!, recall: 0 };
  for (const ef of spec.buildOnly ? [] : spec.efs) {
    await engine.setEf(ef);
    const { recall } = await runQueries(engine, queries, truth);
    tuned = { ef, recall };
    if (recall >= spec.targetRecall) break;
  }
  await engine.setEf(tuned.ef);
  await send({
    type: 'ready',
    name: engine.name,
    buildRate: n / seconds,
    rssPerVector: (after.rss - before.rss) / n,
    ef: tuned.ef,
    recall: tuned.recall,
    filtered: engine.searchFiltered !== undefined,
    load: [load0, load1],
    cpuPerVector,
    cpuByThread,
  });
  // PEERS_CPU_PROF_DIR: a CPU profile of the rounds only (not the build), <engine>-<pid>.cpuprofile, written at close.
  const profDir = process.env.PEERS_CPU_PROF_DIR;
  const profiler = profDir && !spec.buildOnly ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  process.on('message', (m: PeerParentMessage) => {
    void (async () => {
      if (m.type === 'close') {
        if (profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          writeFileSync(join(profDir!, `${spec.engine}-${process.pid}.cpuprofile`), JSON.stringify(profile));
        }
        await engine.close();
        process.exit(0);
      }
      const run = await runQueries(engine, queries, truth);
      const filtered = engine.searchFiltered ? await runQueries(engine, queries, filteredTruth, true) : undefined;
      await send({ type: 'round', run, ...(filtered ? { filtered } : {}) });
    })().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
