// End to end: `npm start` as an operator runs it — SIGTERM to the top of the process tree stops everything it started.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/child.js';
import { isProcessAlive } from '@hvs-nvm/runtime';
import { ENCODER_ENV, tempDir } from './stack.js';

const alive = isProcessAlive;

it('SIGTERM to `npm start` stops the server and its embedded nats-server, and removes server.json and the lock', async () => {
  const dir = tempDir('hvs-nvm-e2e-npm-start-');
  const npm = spawn('npm', ['start', '--', '--data-dir', dir.dir, '--port', '0', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, ...ENCODER_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  npm.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  /** What this test started, to kill should the test fail with them still running. */
  const started: number[] = [];
  try {
    const listening = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen; stderr: ${stderr.slice(-2000)}`)), 90_000);
      createInterface({ input: npm.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const value = JSON.parse(line) as { event?: string; pid: number; url: string };
        if (value.event === 'listening') {
          clearTimeout(timer);
          resolve(value);
        }
      });
      void exited.then((code) => reject(new Error(`npm start exited (${code}); stderr: ${stderr.slice(-2000)}`)));
    });
    const serverJson = join(dir.dir, 'server.json');
    const lockFile = join(dir.dir, 'hvs', 'jetstream', 'server.lock');
    expect(JSON.parse(readFileSync(serverJson, 'utf8'))).toMatchObject({ pid: listening.pid });
    const natsPid = (JSON.parse(readFileSync(lockFile, 'utf8')) as { serverPid: number }).serverPid;
    started.push(listening.pid, natsPid);
    expect((await fetch(`${listening.url}/v1/health`)).status).toBe(200);
    // npm, then the CLI's bin, then the server process, then nats-server: all of them alive now.
    expect([npm.pid!, listening.pid, natsPid].every(alive)).toBe(true);

    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect.poll(() => alive(listening.pid), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => alive(natsPid), { timeout: 10_000 }).toBe(false);
    expect(existsSync(serverJson)).toBe(false);
    expect(existsSync(lockFile)).toBe(false);
  } finally {
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    dir.remove();
  }
}, 120_000);
