// memory: resident bytes per vector of an HVS collection vs raw hnswlib-node with the same vectors, each in a fresh child process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/child.js';
import { nodeArgsOf } from '../support/built.js';
import { summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const run = promisify(execFile);
/** Memory per element in hnswlib does not depend on efConstruction; a cheap build keeps this scenario short. */
const EF_CONSTRUCTION = 40;

interface ChildReport {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

function serverRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function child(mode: 'raw' | 'hvs' | 'hvs-int8', n: number, url: string): Promise<ChildReport> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', ...nodeArgsOf('tests/bench/memory-child.ts'), mode, String(n), url, String(EF_CONSTRUCTION)],
    { cwd: repoRoot, maxBuffer: 1 << 20, env: process.env },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ChildReport;
}

export const memory: Scenario = {
  name: 'memory',
  describe:
    'RSS growth per vector after full GCs, V8 low-memory compaction and malloc_trim (separate child processes, same settling for both): HVS collection vs raw hnswlib-node, 128-d',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 2000 : 50_000);
    const count = ctx.quick ? 1 : (ctx.roundsGiven ?? 1);
    const ours: number[] = [];
    const raw: number[] = [];
    const details: Record<string, unknown>[] = [];
    const int8: number[] = [];
    const pid = ctx.server.server.pid;
    for (let r = 0; r < count; r++) {
      const w = await child('raw', n, ctx.server.url);
      raw.push(w.rssBytes / n);
      const s0 = serverRss(pid);
      const o = await child('hvs', n, ctx.server.url);
      const s1 = serverRss(pid);
      ours.push(o.rssBytes / n);
      const q = await child('hvs-int8', n, ctx.server.url);
      int8.push(q.rssBytes / n);
      details.push({ raw: w, hvs: o, hvsInt8: q, natsServerRssGrowthBytes: s1 - s0 });
      ctx.log(
        `memory round ${r + 1}: raw ${(w.rssBytes / n).toFixed(0)} B/vector, HVS ${(o.rssBytes / n).toFixed(0)} B/vector (heap ${(o.heapUsedBytes / n).toFixed(0)}, external ${(o.externalBytes / n).toFixed(0)}); nats-server grew ${((s1 - s0) / 2 ** 20).toFixed(0)} MiB`,
      );
    }
    const o = summarise(ours);
    const w = summarise(raw);
    const last = details.at(-1) as { hvs: ChildReport; natsServerRssGrowthBytes: number };
    return [
      ratioRow('memory', `${n} × 128-d, RSS growth after gc`, 'bytes/vector', o, w, {
        better: 'lower',
        target: '≤ 1.5× raw',
        pass: o.median / w.median <= 1.5,
        note: `HVS heap used ${(last.hvs.heapUsedBytes / n).toFixed(0)} / committed ${(last.hvs.heapTotalBytes / n).toFixed(0)} B/vector, external ${(last.hvs.externalBytes / n).toFixed(0)}; nats-server (other process) +${(last.natsServerRssGrowthBytes / n).toFixed(0)} B/vector`,
        extra: { n, efConstruction: EF_CONSTRUCTION, details },
      }),
      ratioRow('memory', `${n} × 128-d, quantization int8, RSS growth after gc`, 'bytes/vector', summarise(int8), w, {
        better: 'lower',
        target: '≤ 0.35× raw',
        pass: summarise(int8).median / w.median <= 0.35,
        note: 'float vectors in an unlinked file (page cache, not RSS), results rescored exactly; see the quantization scenario for recall',
        extra: { n },
      }),
    ];
  },
};
