// quantization: resident bytes per vector, recall@10 and queries/s of a cosine graph held as float32, int8 or binary
// codes (exact rescoring from the unlinked raw store), vs raw hnswlib-node float32 of the same M; each setting in a
// fresh child process. Binary runs at several rescore factors (recall is bought with candidates), and 128-d also at
// M 8 (at M 16 the level-0 links alone, 132 B, and the int8 codes, 128 B, pass 0.35× of raw float32's bytes).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEFAULT_RESCORE_FACTOR } from '@hvs-nvm/hnsw';
import { repoRoot } from '../../support/child.js';
import { nodeArgsOf } from '../support/built.js';
import { HNSW } from '../support/raw-hnsw.js';
import { summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const run = promisify(execFile);
/** Memory per element does not depend on efConstruction; recall does a little (the same for every mode). */
const EF_CONSTRUCTION = 100;

type Mode = 'none' | 'int8' | 'binary';
interface Setting {
  mode: Mode;
  /** 0: the default (DEFAULT_RESCORE_FACTOR). */
  rescore: number;
  M: number;
}

interface ChildReport {
  rssBytes: number;
  recall: number;
  qps: number;
}

async function child(mode: 'raw' | Mode, n: number, d: number, rescore: number, M: number): Promise<ChildReport> {
  const { stdout } = await run(
    process.execPath,
    [
      '--expose-gc',
      ...nodeArgsOf('tests/bench/quantization-child.ts'),
      mode,
      String(n),
      String(d),
      String(EF_CONSTRUCTION),
      String(rescore),
      String(M),
    ],
    { cwd: repoRoot, maxBuffer: 1 << 20, env: process.env },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
}

function settingsOf(d: number, quick: boolean): Setting[] {
  const M = HNSW.M;
  const s: Setting[] = [
    { mode: 'none', rescore: 0, M },
    { mode: 'int8', rescore: 0, M },
    { mode: 'binary', rescore: 0, M },
  ];
  if (quick) return s;
  s.push({ mode: 'binary', rescore: 10, M }, { mode: 'binary', rescore: 40, M });
  if (d === 128) s.push({ mode: 'int8', rescore: 0, M: 8 }, { mode: 'binary', rescore: 0, M: 8 });
  return s;
}

export const quantization: Scenario = {
  name: 'quantization',
  describe:
    'Graph quantization none | int8 | binary (cosine, exact rescoring from an unlinked raw file): RSS growth per vector, recall@10, q/s vs raw hnswlib-node float32',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 5000 : 20_000);
    const rows: ResultRow[] = [];
    for (const d of ctx.quick ? [128] : [128, 384]) {
      const raws = new Map<number, ChildReport>();
      for (const s of settingsOf(d, ctx.quick)) {
        let raw = raws.get(s.M);
        if (!raw) {
          raw = await child('raw', n, d, 0, s.M);
          raws.set(s.M, raw);
          ctx.log(
            `quantization ${d}-d M${s.M} raw: ${(raw.rssBytes / n).toFixed(0)} B/vector, recall ${raw.recall.toFixed(3)}, ${raw.qps.toFixed(0)} q/s`,
          );
        }
        const o = await child(s.mode, n, d, s.rescore, s.M);
        const rescore = s.rescore || DEFAULT_RESCORE_FACTOR[s.mode];
        const name = `${s.mode}${s.mode === 'none' ? '' : ` ×${rescore}`}${s.M === HNSW.M ? '' : ` M${s.M}`}`;
        ctx.log(
          `quantization ${d}-d ${name}: ${(o.rssBytes / n).toFixed(0)} B/vector, recall ${o.recall.toFixed(3)}, ${o.qps.toFixed(0)} q/s`,
        );
        const ratio = o.rssBytes / raw.rssBytes;
        rows.push(
          ratioRow(
            'quantization',
            `${n} × ${d}-d ${name}: RSS growth`,
            'bytes/vector',
            summarise([o.rssBytes / n]),
            summarise([raw.rssBytes / n]),
            {
              better: 'lower',
              ...(s.mode === 'none' ? {} : { target: '≤ 0.35× raw at recall@10 ≥ 0.95', pass: ratio <= 0.35 && o.recall >= 0.95 }),
              note: `recall@10 ${o.recall.toFixed(3)} (raw ${raw.recall.toFixed(3)}), ${o.qps.toFixed(0)} q/s (raw ${raw.qps.toFixed(0)})${s.M === HNSW.M ? '' : `, raw also M ${s.M}`}`,
              extra: { n, d, M: s.M, rescoreFactor: rescore, efConstruction: EF_CONSTRUCTION, ours: o, raw },
            },
          ),
        );
      }
    }
    return rows;
  },
};
