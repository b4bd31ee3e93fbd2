// The README's examples as tests read them: the library snippet is run as written, in the repo and from its tarballs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './child.js';

/** The first ```ts block under "## Using the library". */
export function librarySnippet(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the library'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ```ts block under "## Using the library"');
  return m[1]!;
}

/** What the snippet prints, line by line, when it works as its comments say. */
export function expectSnippetOutput(stdout: string): void {
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^true \d/);
  expect(lines.slice(1, 4)).toEqual(['true', 'true', '1 1']);
  expect(lines[4]).toBe('HyperSync is a distributed AI coordination system.');
  // The memory lifecycle lines: update keeps the id, list and history count what was written.
  expect(lines[5]).toBe('true 2 1');
}
