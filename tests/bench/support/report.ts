// The results table printed on stdout.
import type { ResultRow } from './context.js';
import type { Summary } from './stats.js';

function num(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100_000) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function cell(s: Summary | null): string {
  if (!s) return '—';
  const spread = s.rounds.length > 1 ? ` ±${(s.spread * 50).toFixed(0)}%` : '';
  return `${num(s.median)}${spread}`;
}

export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['scenario', 'metric', 'unit', 'ours (median ±½spread)', 'raw', 'ours/raw', 'target', 'ok', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    r.metric,
    r.unit,
    cell(r.ours),
    cell(r.raw),
    r.ratio === null ? '—' : `${num(r.ratio)}×`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
