// The embedded default: one private nats-server per storage path, shared in-process and across processes by a lock file.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuntimeError } from './errors.js';
import type { RuntimeConfig } from './config.js';
import { detectNatsServerVersion, supportsSyncAlways, type NatsServerVersion } from './durability.js';
import { ensureEmbeddedAuth, readEmbeddedAuth, writeEmbeddedServerConfig, type EmbeddedAuth } from './embedded-config.js';
import { createLogger, type Logger } from './logger.js';
import { findNatsServerBinary, NatsServer, portAnswers } from './nats-server.js';

/** Where to connect, and how to give the connection back. */
export interface ServerLease {
  url: string;
  /** True when this lease runs on the embedded server (not a configured NATS_URL). */
  embedded: boolean;
  /** Replica count for streams created through this lease. */
  replicas: number;
  /** The embedded server's generated credentials (it refuses connections without them); absent for NATS_URL. */
  auth?: EmbeddedAuth;
  /** The embedded server's version (`nats-server --version`); absent for NATS_URL (read it from the server's INFO). */
  serverVersion?: NatsServerVersion;
  release(): Promise<void>;
}

export class EmbeddedServerLockedError extends RuntimeError {
  constructor(lockFile: string, detail: string) {
    super(
      'EMBEDDED_SERVER_LOCKED',
      `the embedded nats-server for ${lockFile} is owned by another process that does not answer (${detail}); ` +
        'stop that process, or remove the lock file if it is stale',
      409,
    );
  }
}

interface LockContent {
  ownerPid: number;
  serverPid: number;
  port: number;
  url: string;
}

/** What the lock holds while its owner is still starting the server (the claim). */
interface ClaimContent {
  ownerPid: number;
  starting: true;
}

/** How long another process may take to start the server it claimed before we give up waiting for it. */
const CLAIM_WAIT_MS = 30_000;
/** An empty lock file younger than this is a claim being written (open and write are two calls). */
const EMPTY_CLAIM_GRACE_MS = 2_000;

interface Running {
  server?: NatsServer;
  url: string;
  refs: number;
  lockFile: string;
  auth: EmbeddedAuth;
  serverVersion?: NatsServerVersion;
  stopping?: Promise<void>;
  /** Set by the last release: the supervisor restarts nothing after it. */
  closing?: boolean;
  /** A restart after a crash that is under way (release waits for it, then stops what it started). */
  restarting?: Promise<void>;
  /** Crashes in a row of servers that did not stay up STABLE_MS: the backoff grows with them. */
  crashes: number;
  /** Ends the supervisor's pause early (the last release does not wait out a backoff). */
  wake?: () => void;
}

/** First pause before restarting a crashed server; it doubles with each crash in a row, up to the maximum. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 10_000;
/** A server that ran this long was healthy: the next crash starts the backoff afresh. */
const STABLE_MS = 30_000;

const running = new Map<string, Promise<Running>>();
/** The servers this process started and has not stopped yet, kept synchronously for the exit handler. */
const owned = new Set<Running>();

/** Whether a process of this pid exists (one of another user's counts too). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type LockRead =
  | { kind: 'running'; lock: LockContent }
  | { kind: 'starting'; ownerPid: number }
  | { kind: 'fresh-empty' }
  | { kind: 'gone' }
  | { kind: 'unreadable' };

function readLock(lockFile: string): LockRead {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return { kind: 'gone' };
  }
  if (text === '') {
    try {
      return Date.now() - statSync(lockFile).mtimeMs < EMPTY_CLAIM_GRACE_MS ? { kind: 'fresh-empty' } : { kind: 'unreadable' };
    } catch {
      return { kind: 'gone' };
    }
  }
  try {
    const value = JSON.parse(text) as Partial<LockContent & ClaimContent>;
    if (value.starting === true && typeof value.ownerPid === 'number') return { kind: 'starting', ownerPid: value.ownerPid };
    if (typeof value.port === 'number' && typeof value.serverPid === 'number' && typeof value.url === 'string') {
      return { kind: 'running', lock: value as LockContent };
    }
  } catch {
    // fall through
  }
  return { kind: 'unreadable' };
}

/** Replaces the lock's content in one step (readers never see half of it). */
function writeLock(lockFile: string, content: LockContent): void {
  const tmp = `${lockFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(content));
  renameSync(tmp, lockFile);
}

/** Creates the lock file if there is none: the one process that succeeds starts the server. */
function claim(lockFile: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify({ ownerPid: process.pid, starting: true } satisfies ClaimContent));
  } finally {
    closeSync(fd);
  }
  return true;
}

async function startOrAttach(storeDir: string, config: RuntimeConfig): Promise<Running> {
  const log = createLogger('embedded-nats');
  mkdirSync(storeDir, { recursive: true });
  const lockFile = join(storeDir, 'server.lock');
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    if (claim(lockFile)) {
      try {
        const binary = findNatsServerBinary(config.natsServerBin);
        const serverVersion = detectNatsServerVersion(binary);
        // Written before the server starts: it never listens without its users, and attachers find them.
        const auth = ensureEmbeddedAuth(storeDir);
        const syncAlways = supportsSyncAlways(serverVersion);
        const conf = writeEmbeddedServerConfig(storeDir, auth, { syncAlways });
        const server = await NatsServer.start({ storeDir, binary, args: ['-c', conf] });
        writeLock(lockFile, { ownerPid: process.pid, serverPid: server.pid, port: server.port, url: server.url });
        log.info(
          {
            url: server.url,
            pid: server.pid,
            storeDir,
            serverVersion: serverVersion?.text,
            syncInterval: syncAlways ? 'always' : 'default',
          },
          'started embedded nats-server',
        );
        const started: Running = {
          server,
          url: server.url,
          refs: 0,
          lockFile,
          auth,
          crashes: 0,
          ...(serverVersion ? { serverVersion } : {}),
        };
        owned.add(started);
        supervise(started, log);
        return started;
      } catch (err) {
        rmSync(lockFile, { force: true });
        throw err;
      }
    }
    const read = readLock(lockFile);
    if (read.kind === 'gone') continue;
    if (read.kind === 'running' && read.lock.ownerPid !== process.pid && isProcessAlive(read.lock.serverPid)) {
      const lock = read.lock;
      if (await portAnswers(lock.port)) {
        log.info({ url: lock.url, ownerPid: lock.ownerPid }, 'attaching to the embedded nats-server of another process');
        const serverVersion = detectNatsServerVersion(findNatsServerBinary(config.natsServerBin));
        return {
          url: lock.url,
          refs: 0,
          lockFile,
          auth: readEmbeddedAuth(storeDir),
          crashes: 0,
          ...(serverVersion ? { serverVersion } : {}),
        };
      }
      throw new EmbeddedServerLockedError(lockFile, `server pid ${lock.serverPid}, port ${lock.port}`);
    }
    // A live owner whose server is down is restarting it (see supervise): wait too, never start a second server on
    // the same store dir.
    const waiting =
      read.kind === 'fresh-empty' ||
      (read.kind === 'starting' && read.ownerPid !== process.pid && isProcessAlive(read.ownerPid)) ||
      (read.kind === 'running' && read.lock.ownerPid !== process.pid && isProcessAlive(read.lock.ownerPid));
    if (waiting) {
      // Another process claimed the path a moment ago and is starting its server: wait for it, then attach.
      if (Date.now() > deadline) {
        throw new EmbeddedServerLockedError(lockFile, `another process has been starting its server for ${CLAIM_WAIT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 25));
      continue;
    }
    // Stale (its processes are dead, or it is ours from before) or unreadable: take it over.
    rmSync(lockFile, { force: true });
  }
}

/**
 * Restarts the server of `r` whenever it exits without being asked to (kill -9, a crash), on the same port and store
 * dir with the same config, so clients' own reconnect logic finds it again. Pauses grow with crashes in a row.
 */
function supervise(r: Running, log: Logger): void {
  const server = r.server!;
  const startedAt = Date.now();
  void server.exited.then(() => {
    if (r.closing || r.server !== server || !owned.has(r)) return;
    r.crashes = Date.now() - startedAt >= STABLE_MS ? 1 : r.crashes + 1;
    log.error(
      {
        pid: server.pid,
        code: server.child.exitCode,
        signal: server.child.signalCode,
        crashes: r.crashes,
        output: server.log.slice(-2000),
      },
      'embedded nats-server exited unexpectedly; restarting it',
    );
    r.restarting = restartAfterCrash(r, server, log).finally(() => (r.restarting = undefined));
  });
}

async function restartAfterCrash(r: Running, dead: NatsServer, log: Logger): Promise<void> {
  for (let attempt = r.crashes - 1; !r.closing; attempt++) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** attempt));
      r.wake = () => (clearTimeout(timer), resolve());
    });
    r.wake = undefined;
    if (r.closing) return;
    try {
      const next = await dead.restart();
      if (r.closing) {
        await next.stop();
        return;
      }
      r.server = next;
      writeLock(r.lockFile, { ownerPid: process.pid, serverPid: next.pid, port: next.port, url: next.url });
      log.warn({ url: next.url, pid: next.pid }, 'restarted the embedded nats-server');
      supervise(r, log);
      return;
    } catch (err) {
      log.error({ err, attempt }, 'restarting the embedded nats-server failed; trying again');
    }
  }
}

/** The pid of the nats-server an embedded lease runs on, as the lock file says (the owner updates it on restarts). */
export function embeddedServerPid(storagePath: string): number | undefined {
  const read = readLock(join(resolve(storagePath, 'jetstream'), 'server.lock'));
  return read.kind === 'running' ? read.lock.serverPid : undefined;
}

/**
 * Stop every embedded server this process owns when it exits (SIGKILL is handled by the server's watchdog).
 * 'exit' listeners must be synchronous (promise callbacks would never run), hence the `owned` set. Only servers this
 * process started are stopped and unlocked: a process that merely attached leaves the owner's server and lock alone.
 */
process.once('exit', () => {
  for (const r of owned) {
    if (r.server?.running) r.server.child.kill('SIGTERM');
    rmSync(r.lockFile, { force: true });
  }
});

/**
 * Gives a connection target: the configured NATS_URL, or the embedded server for `storagePath`
 * (started on first use, shared by every client of this process naming the same path, stopped when
 * the last lease is released).
 */
export async function acquireNatsServer(config: RuntimeConfig, storagePath: string): Promise<ServerLease> {
  if (config.natsUrl) {
    return { url: config.natsUrl, embedded: false, replicas: config.replicas, release: async () => {} };
  }
  const storeDir = resolve(storagePath, 'jetstream');
  let entry = running.get(storeDir);
  if (entry) {
    const r = await entry;
    if (r.stopping) {
      await r.stopping;
      entry = undefined;
    }
  }
  if (!entry) {
    entry = startOrAttach(storeDir, config);
    running.set(storeDir, entry);
    entry.catch(() => running.delete(storeDir));
  }
  const r = await entry;
  r.refs++;
  let released = false;
  return {
    url: r.url,
    embedded: true,
    replicas: 1,
    auth: r.auth,
    ...(r.serverVersion ? { serverVersion: r.serverVersion } : {}),
    release: async () => {
      if (released) return;
      released = true;
      r.refs--;
      if (r.refs > 0) return;
      running.delete(storeDir);
      if (r.server) {
        r.closing = true;
        r.wake?.();
        r.stopping = (r.restarting ?? Promise.resolve())
          .then(() => r.server!.stop())
          .then(() => {
            owned.delete(r);
            rmSync(r.lockFile, { force: true });
          });
        await r.stopping;
      }
    },
  };
}
