// The README's library snippet runs as written: extracted from README.md and run in a fresh directory of its own.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { repoRoot } from '../support/child.js';
import { expectSnippetOutput, librarySnippet } from '../support/readme.js';

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
    expectSnippetOutput(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
