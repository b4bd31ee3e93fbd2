// Vitest global setup for the integration project: an incremental `tsc -b` of the workspace before any test file runs,
// so the tests that run built code (the bin, dist/, packed tarballs) never run a stale dist. Nothing to do takes ~1 s.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { repoRoot } from './child.js';

export default async function buildWorkspace(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: repoRoot, timeout: 300_000 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc -b tsconfig.build.json failed: the workspace does not build\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
