// Runs a TypeScript fixture as a real child process (so tests can kill -9 it) and reads its JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repo: the nearest folder above this file whose package.json has workspaces (this file also runs from tests/bench/dist). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
    if (dirname(dir) === dir) throw new Error(`no workspace package.json above ${from}`);
  }
}
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

export interface Child {
  proc: ChildProcess;
  lines: unknown[];
  /** Resolves when `predicate` holds for the lines read so far. */
  until(predicate: (lines: unknown[]) => boolean, timeoutMs?: number): Promise<void>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Runs `script` in a child node: a .ts file under tsx with the workspace's source condition, a .js file as it is. */
export function runFixture(script: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const loader = /\.[mc]?js$/.test(script) ? [] : ['--import', 'tsx', '--conditions=@hvs-nvm/source'];
  const proc = spawn(process.execPath, [...loader, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: unknown[] = [];
  const err: string[] = [];
  let waiters: { p: (l: unknown[]) => boolean; resolve: () => void }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      lines.push(line);
    }
    waiters = waiters.filter((w) => (w.p(lines) ? (w.resolve(), false) : true));
  });
  proc.stderr!.on('data', (c: Buffer) => err.push(c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    lines,
    stderr: () => err.join(''),
    exited,
    until(p, timeoutMs = 60_000) {
      if (p(lines)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fixture ${script} timed out; stderr: ${err.join('').slice(-2000)}`)), timeoutMs);
        void exited.then((code) => {
          if (!p(lines)) {
            clearTimeout(timer);
            reject(new Error(`fixture ${script} exited (${code}); stderr: ${err.join('').slice(-2000)}`));
          }
        });
        waiters.push({ p, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
