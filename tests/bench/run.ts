// `npm run bench`: runs each scenario on our path and on the raw baseline in one process, prints a table, writes bench/results/<date>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { findNatsServerBinary, TempNatsServer } from '@hvs-nvm/runtime';
import type { BenchContext, ResultRow, Scenario } from './support/context.js';
import { formatTable } from './support/report.js';
import { compiled, runtimeDescription } from './support/built.js';
import { ensureGc } from '../support/gc.js';
import { repoRoot } from '../support/child.js';
import { ingest } from './scenarios/ingest.js';
import { search } from './scenarios/search.js';
import { filtered } from './scenarios/filtered.js';
import { realData } from './scenarios/real-data.js';
import { messaging } from './scenarios/messaging.js';
import { restart } from './scenarios/restart.js';
import { memory } from './scenarios/memory.js';
import { encoder } from './scenarios/encoder.js';
import { remote } from './scenarios/remote.js';
import { sharded } from './scenarios/sharded.js';
import { feeds } from './scenarios/feeds.js';
import { hierarchy } from './scenarios/hierarchy.js';
import { retrieval } from './scenarios/retrieval.js';
import { peers } from './scenarios/peers.js';
import { history } from './scenarios/history.js';
import { quantization } from './scenarios/quantization.js';

const SCENARIOS: Scenario[] = [
  ingest,
  search,
  filtered,
  realData,
  messaging,
  remote,
  sharded,
  feeds,
  restart,
  memory,
  encoder,
  hierarchy,
  retrieval,
  history,
  quantization,
  peers,
];
/** Run only when named in --only: building five engines at 100k (peers), or five projectors of one log (sharded), takes longer than the full run's budget. */
const ON_REQUEST = new Set(['peers', 'sharded']);
/** The full run must finish within 15 minutes on the 2-core reference machine. */
const FULL_BUDGET_SECONDS = 14 * 60;
const QUICK_BUDGET_SECONDS = 60;

interface Args {
  quick: boolean;
  only?: string[];
  size?: number;
  rounds?: number;
  winkFile?: string;
  restartStore?: string;
}

function usage(): never {
  console.error(
    [
      'usage: npm run bench -- [--quick] [--only ingest,search,...] [--size N] [--rounds N] [--wink-file PATH] [--restart-store DIR]',
      `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
      ...SCENARIOS.map((s) => `  ${s.name.padEnd(10)} ${s.describe}`),
    ].join('\n'),
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage();
      return v;
    };
    const name = a.split('=')[0];
    if (name === '--quick') args.quick = true;
    else if (name === '--only')
      args.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (name === '--size') args.size = positiveInt(value(), '--size');
    else if (name === '--rounds') args.rounds = positiveInt(value(), '--rounds');
    else if (name === '--wink-file') args.winkFile = value();
    else if (name === '--restart-store') args.restartStore = value();
    else if (name === '--help' || name === '-h') usage();
    else {
      console.error(`unknown argument '${a}'`);
      usage();
    }
  }
  for (const o of args.only ?? []) {
    if (!SCENARIOS.some((s) => s.name === o)) {
      console.error(`unknown scenario '${o}'`);
      usage();
    }
  }
  return args;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${flag} takes a positive integer, got '${v}'`);
    usage();
  }
  return n;
}

/** `global.gc` for resident-memory figures, whether or not node was started with --expose-gc. */
function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function machineInfo() {
  const cpu = cpus();
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return undefined;
    }
  };
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    totalMemBytes: totalmem(),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    natsServer: tryRun(findNatsServerBinary(), ['--version']),
    hnswlibNode: pkg('hnswlib-node'),
    natsJetstream: pkg('@nats-io/jetstream'),
    gitCommit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
    gitDirty: (tryRun('git', ['status', '--porcelain']) ?? '').length > 0,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const gcAvailable = ensureGc();
  const started = performance.now();
  const budget = args.quick ? QUICK_BUDGET_SECONDS : FULL_BUDGET_SECONDS;
  const selected = SCENARIOS.filter((s) => (args.only ? args.only.includes(s.name) : !ON_REQUEST.has(s.name)));
  const machine = machineInfo();
  const log = (m: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  log(
    `machine: ${machine.cpuCount}× ${machine.cpuModel}, node ${machine.node}, ${machine.natsServer ?? 'nats-server ?'}, gc ${gcAvailable ? 'exposed' : 'unavailable'}`,
  );
  log(`measuring: ${runtimeDescription}`);

  const server = await TempNatsServer.start();
  const workDir = mkdtempSync(join(tmpdir(), 'hvs-nvm-bench-'));
  log(`nats-server ${server.url} (store ${server.dir}), work dir ${workDir}`);
  const ctx: BenchContext = {
    quick: args.quick,
    ...(args.size !== undefined ? { size: args.size } : {}),
    server,
    workDir,
    rounds: args.rounds ?? (args.quick ? 1 : 3),
    ...(args.rounds !== undefined ? { roundsGiven: args.rounds } : {}),
    secondsLeft: () => budget - (performance.now() - started) / 1000,
    log,
    fixtures: new Map(),
    ...(args.winkFile !== undefined ? { winkFile: args.winkFile } : {}),
    ...(args.restartStore !== undefined ? { restartStore: args.restartStore } : {}),
  };
  const rows: ResultRow[] = [];
  const failures: { scenario: string; error: string }[] = [];
  const timings: Record<string, number> = {};
  try {
    for (const s of selected) {
      const t0 = performance.now();
      log(`— ${s.name}: ${s.describe}`);
      try {
        rows.push(...(await s.run(ctx)));
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ scenario: s.name, error });
        log(`${s.name} FAILED: ${error}`);
      }
      timings[s.name] = (performance.now() - t0) / 1000;
      log(`— ${s.name} took ${timings[s.name]!.toFixed(1)} s`);
    }
  } finally {
    for (const f of ctx.fixtures.values()) await (f as { close?: () => Promise<void> }).close?.();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const totalSeconds = (performance.now() - started) / 1000;
  console.log(`measured: ${runtimeDescription}`);
  console.log(formatTable(rows));
  for (const f of failures) console.log(`FAILED ${f.scenario}: ${f.error.split('\n')[0]}`);
  console.log(
    `total ${totalSeconds.toFixed(1)} s (${Object.entries(timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(', ')})`,
  );

  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const outDir = join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `${stamp}${args.quick ? '-quick' : ''}.json`);
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        startedAt: new Date(Date.now() - totalSeconds * 1000).toISOString(),
        args,
        machine,
        // What the figures measure: the built code (compiled: true) or the sources under tsx.
        runtime: { compiled, description: runtimeDescription },
        gcAvailable,
        totalSeconds,
        timings,
        rows,
        failures,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`results: ${outFile}`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
