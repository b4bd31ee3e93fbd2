// quantization: resident bytes per vector, recall@10 and queries/s of a cosine graph held as float32, int8 or binary
// codes (exact rescoring from the unlinked raw store), vs raw hnswlib-node float32; each in a fresh child process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/child.js';
import { nodeArgsOf } from '../support/built.js';
import { summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const run = promisify(execFile);
/** Memory per element does not depend on efConstruction; recall does a little (the same for every mode). */
const EF_CONSTRUCTION = 100;
const MODES = ['none', 'int8', 'binary'] as const;

interface ChildReport {
  rssBytes: number;
  recall: number;
  qps: number;
}

async function child(mode: 'raw' | (typeof MODES)[number], n: number, d: number): Promise<ChildReport> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', ...nodeArgsOf('tests/bench/quantization-child.ts'), mode, String(n), String(d), String(EF_CONSTRUCTION)],
    { cwd: repoRoot, maxBuffer: 1 << 20, env: process.env },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
}

export const quantization: Scenario = {
  name: 'quantization',
  describe:
    'Graph quantization none | int8 | binary (cosine, exact rescoring from an unlinked raw file): RSS growth per vector, recall@10, q/s vs raw hnswlib-node float32',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 5000 : 20_000);
    const rows: ResultRow[] = [];
    for (const d of ctx.quick ? [128] : [128, 384]) {
      const raw = await child('raw', n, d);
      const rawMem = summarise([raw.rssBytes / n]);
      ctx.log(
        `quantization ${d}-d raw: ${(raw.rssBytes / n).toFixed(0)} B/vector, recall ${raw.recall.toFixed(3)}, ${raw.qps.toFixed(0)} q/s`,
      );
      for (const mode of MODES) {
        const o = await child(mode, n, d);
        ctx.log(
          `quantization ${d}-d ${mode}: ${(o.rssBytes / n).toFixed(0)} B/vector, recall ${o.recall.toFixed(3)}, ${o.qps.toFixed(0)} q/s`,
        );
        const ratio = o.rssBytes / raw.rssBytes;
        rows.push(
          ratioRow('quantization', `${n} × ${d}-d ${mode}: RSS growth`, 'bytes/vector', summarise([o.rssBytes / n]), rawMem, {
            better: 'lower',
            ...(mode === 'none' ? {} : { target: '≤ 0.35× raw at recall@10 ≥ 0.95', pass: ratio <= 0.35 && o.recall >= 0.95 }),
            note: `recall@10 ${o.recall.toFixed(3)} (raw ${raw.recall.toFixed(3)}), ${o.qps.toFixed(0)} q/s (raw ${raw.qps.toFixed(0)})`,
            extra: { n, d, efConstruction: EF_CONSTRUCTION, ours: o, raw },
          }),
        );
      }
    }
    return rows;
  },
};
