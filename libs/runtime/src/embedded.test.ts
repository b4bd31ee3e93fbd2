// The embedded default: one nats-server per storage path, shared in-process, attached to across processes through
// the lock file, taken over when stale, and never outliving its owner.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireNatsServer,
  isProcessAlive,
  findNatsServerBinary,
  loadConfig,
  NatsServerNotFoundError,
  portAnswers,
  type ServerLease,
} from './index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const config = loadConfig({}, {});
let dir: string;
let n = 0;
const leases: ServerLease[] = [];
const children: number[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hvs-embedded-'));
});
afterEach(async () => {
  for (const lease of leases.splice(0)) await lease.release();
  for (const pid of children.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const alive = isProcessAlive;

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function acquire(storagePath: string): Promise<ServerLease> {
  const lease = await acquireNatsServer(config, storagePath);
  leases.push(lease);
  return lease;
}

interface LockContent {
  ownerPid: number;
  serverPid: number;
  port: number;
  url: string;
}
const lockOf = (storagePath: string): LockContent =>
  JSON.parse(readFileSync(join(storagePath, 'jetstream', 'server.lock'), 'utf8')) as LockContent;

/**
 * Runs a child process that acquires the embedded server of `storagePath`, prints the lease's url and the lock
 * as one JSON line, then does `then`: 'release' (release and exit), 'exit' (exit without releasing) or 'hang'.
 */
function childAcquiring(storagePath: string, then: 'release' | 'exit' | 'hang') {
  const code = `
    const { acquireNatsServer, loadConfig } = await import('@hvs-nvm/runtime');
    const { readFileSync } = await import('node:fs');
    const lease = await acquireNatsServer(loadConfig({}, {}), ${JSON.stringify(storagePath)});
    const lock = JSON.parse(readFileSync(${JSON.stringify(join(storagePath, 'jetstream', 'server.lock'))}, 'utf8'));
    console.log(JSON.stringify({ url: lease.url, lock }));
    const then = ${JSON.stringify(then)};
    if (then === 'release') { await lease.release(); process.exit(0); }
    else if (then === 'exit') process.exit(0);
    else setInterval(() => {}, 1000);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hvs-nvm/source', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    env: { ...process.env, NATS_URL: '', HVS_NVM_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc.pid!);
  const stderr: string[] = [];
  proc.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const firstLine = new Promise<{ url: string; lock: LockContent }>((resolveLine, reject) => {
    createInterface({ input: proc.stdout }).once('line', (line) => resolveLine(JSON.parse(line) as { url: string; lock: LockContent }));
    void exited.then((code) => reject(new Error(`child exited (${code}) before printing: ${stderr.join('')}`)));
  });
  return { proc, firstLine, exited };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

describe('acquireNatsServer', () => {
  it('passes a configured NATS URL through and starts nothing', async () => {
    const lease = await acquireNatsServer(loadConfig({ natsUrl: 'nats://10.0.0.1:4222', replicas: 3 }, {}), join(dir, 'url'));
    expect(lease).toMatchObject({ url: 'nats://10.0.0.1:4222', embedded: false, replicas: 3 });
    await lease.release();
    expect(existsSync(join(dir, 'url', 'jetstream'))).toBe(false);
  });

  it('without a URL starts one embedded server under <storagePath>/jetstream, shared in-process, stopped with the last lease', async () => {
    const storagePath = join(dir, `s${++n}`);
    const first = await acquire(storagePath);
    const second = await acquire(storagePath);
    expect(first).toMatchObject({ embedded: true, replicas: 1 });
    expect(first.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(second.url).toBe(first.url);
    const lock = lockOf(storagePath);
    expect(lock).toMatchObject({ ownerPid: process.pid, url: first.url });
    expect(alive(lock.serverPid)).toBe(true);
    expect(await portAnswers(lock.port)).toBe(true);

    await first.release();
    await first.release(); // releasing twice counts once
    expect(alive(lock.serverPid)).toBe(true);
    await second.release();
    await eventually(() => !alive(lock.serverPid), 'the server to stop after the last release');
    expect(existsSync(join(storagePath, 'jetstream', 'server.lock'))).toBe(false);

    // A later acquire starts a fresh server.
    const again = await acquire(storagePath);
    expect(lockOf(storagePath).serverPid).not.toBe(lock.serverPid);
    expect(await portAnswers(Number(new URL(again.url).port))).toBe(true);
  });

  it('attaches a second process to the running server through the lock file', async () => {
    const storagePath = join(dir, `s${++n}`);
    const lease = await acquire(storagePath);
    const lock = lockOf(storagePath);
    const child = childAcquiring(storagePath, 'release');
    const { url, lock: childLock } = await child.firstLine;
    expect(url).toBe(lease.url);
    expect(childLock).toEqual(lock);
    expect(await child.exited).toBe(0);
    // The child's release leaves our server and lock alone.
    expect(alive(lock.serverPid)).toBe(true);
    expect(lockOf(storagePath)).toEqual(lock);
  });

  it('keeps the owner’s lock when an attached process exits without releasing', async () => {
    const storagePath = join(dir, `s${++n}`);
    await acquire(storagePath);
    const lock = lockOf(storagePath);
    const child = childAcquiring(storagePath, 'exit');
    expect((await child.firstLine).url).toBe(lock.url);
    expect(await child.exited).toBe(0);
    expect(alive(lock.serverPid)).toBe(true);
    expect(lockOf(storagePath)).toEqual(lock);
  });

  it('two processes opening the same fresh path at once share one server', async () => {
    const storagePath = join(dir, `s${++n}`);
    const a = childAcquiring(storagePath, 'hang');
    const b = childAcquiring(storagePath, 'hang');
    const [la, lb] = await Promise.all([a.firstLine, b.firstLine]);
    expect(la.url).toBe(lb.url);
    const lock = lockOf(storagePath);
    expect([a.proc.pid, b.proc.pid]).toContain(lock.ownerPid);
    expect(la.lock).toEqual(lock);
    expect(lb.lock).toEqual(lock);
    for (const c of [a, b]) {
      c.proc.kill('SIGTERM');
      await c.exited;
    }
  });

  it('takes over a stale lock file whose processes are dead', async () => {
    const storagePath = join(dir, `s${++n}`);
    const pid = await deadPid();
    mkdirSync(join(storagePath, 'jetstream'), { recursive: true });
    const stale: LockContent = { ownerPid: pid, serverPid: pid, port: 1, url: 'nats://127.0.0.1:1' };
    writeFileSync(join(storagePath, 'jetstream', 'server.lock'), JSON.stringify(stale));
    const lease = await acquire(storagePath);
    expect(lease.url).not.toBe(stale.url);
    const lock = lockOf(storagePath);
    expect(lock.ownerPid).toBe(process.pid);
    expect(alive(lock.serverPid)).toBe(true);
  });

  it('takes over an unreadable lock file', async () => {
    const storagePath = join(dir, `s${++n}`);
    mkdirSync(join(storagePath, 'jetstream'), { recursive: true });
    writeFileSync(join(storagePath, 'jetstream', 'server.lock'), 'not json');
    await acquire(storagePath);
    expect(lockOf(storagePath).ownerPid).toBe(process.pid);
  });

  it('leaves no nats-server behind when its owning process is killed with SIGKILL', async () => {
    const storagePath = join(dir, `s${++n}`);
    const child = childAcquiring(storagePath, 'hang');
    const { lock } = await child.firstLine;
    expect(lock.ownerPid).toBe(child.proc.pid);
    expect(alive(lock.serverPid)).toBe(true);
    child.proc.kill('SIGKILL');
    await child.exited;
    await eventually(() => !alive(lock.serverPid), 'the watchdog to stop the orphaned nats-server');
    // The next acquire takes the dead owner's lock over.
    await acquire(storagePath);
    expect(lockOf(storagePath).ownerPid).toBe(process.pid);
  });

  it('stops its server and removes its lock when the owning process exits without releasing', async () => {
    const storagePath = join(dir, `s${++n}`);
    const child = childAcquiring(storagePath, 'exit');
    const { lock } = await child.firstLine;
    expect(await child.exited).toBe(0);
    await eventually(() => !alive(lock.serverPid), 'the server to stop with its owner');
    expect(existsSync(join(storagePath, 'jetstream', 'server.lock'))).toBe(false);
  });

  it('names apt-get install nats-server when the binary is missing', async () => {
    const missing = join(dir, 'no-such-dir', 'nats-server');
    const err = await acquireNatsServer(loadConfig({ natsServerBin: missing }, {}), join(dir, `s${++n}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsServerNotFoundError);
    expect((err as Error).message).toContain('apt-get install nats-server');
    expect((err as Error).message).toContain(missing);
    expect(err).toMatchObject({ code: 'NATS_SERVER_NOT_FOUND' });
    expect(() => findNatsServerBinary(missing)).toThrow(NatsServerNotFoundError);
    // A failed start leaves nothing cached: the next acquire of that path can still succeed.
    expect(findNatsServerBinary()).toMatch(/nats-server$/);
  });
});
