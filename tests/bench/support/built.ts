// How the bench runs: compiled (`npm run bench`: tests/bench/dist under plain node, importing the packages' dist/, as
// the installed packages and the compiled CLI run) or from source under tsx; and how a child entry is started alike.
import { repoRoot } from '../../support/child.js';

/** True when this bench was compiled to JavaScript (tests/bench/dist), false under tsx. */
export const compiled = import.meta.url.endsWith('.js');

/** One line for the report: what code the figures measure. */
export const runtimeDescription = compiled
  ? "built code: tests/bench/dist and the packages' dist/ under plain node (no loader)"
  : 'TypeScript sources under tsx (--conditions=@hvs-nvm/source): the figures include the loader';

/**
 * The script that runs `tsPath` (relative to the repo: `apps/projector/src/main.ts`, `tests/bench/memory-child.ts`) the
 * way this bench runs: its compiled .js when compiled, else the .ts itself (which the caller starts under tsx).
 */
export function entryOf(tsPath: string): string {
  if (!compiled) return `${repoRoot}/${tsPath}`;
  const js = tsPath.replace(/\.ts$/, '.js');
  if (js.startsWith('tests/')) return `${repoRoot}/tests/bench/dist/${js.slice('tests/'.length)}`;
  return `${repoRoot}/${js.replace(/^((?:apps|libs)\/[^/]+)\/src\//, '$1/dist/')}`;
}

/** Node arguments that run `tsPath` as this bench runs: plain node when compiled, tsx with the source condition else. */
export function nodeArgsOf(tsPath: string): string[] {
  return compiled ? [entryOf(tsPath)] : ['--import', 'tsx', '--conditions=@hvs-nvm/source', entryOf(tsPath)];
}
