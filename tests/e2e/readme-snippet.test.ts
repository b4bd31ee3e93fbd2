// The README's library snippet runs as written: extracted from README.md and run in a fresh directory of its own.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/child.js';

/** The first ```ts block under "## Using the library". */
function librarySnippet(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the library'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ```ts block under "## Using the library"');
  return m[1]!;
}

it('the README library snippet runs as written and prints what its comments say', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-readme-'));
  try {
    // The snippet's relative ./data paths land in this directory; its imports resolve through the workspace's packages.
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'snippet.mts'), librarySnippet());
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@hvs-nvm/source', join(dir, 'snippet.mts')],
      { cwd: dir, env: { ...process.env, HVS_NVM_LOG_LEVEL: 'error' }, timeout: 120_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^true \d/);
    expect(lines.slice(1, 4)).toEqual(['true', 'true', '1 1']);
    expect(lines[4]).toBe('HyperSync is a distributed AI coordination system.');
    expect(lines[5]).toBe('true 2 1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
