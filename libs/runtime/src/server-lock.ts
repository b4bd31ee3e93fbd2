// One server per data dir: a lock file held for the server's lifetime, naming its pid, start time and URLs.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from './errors.js';

/** What the lock says about the server holding it. */
export interface ServerLockInfo {
  pid: number;
  /** The process's start time as the kernel counts it (Linux), so a recycled pid is not taken for the holder. */
  processStart?: string;
  /** When the server took the lock (ISO time). */
  startedAt: string;
  /** Known once the server listens. */
  url?: string;
  mcpUrl?: string;
  [key: string]: unknown;
}

export class DataDirServedError extends RuntimeError {
  constructor(
    readonly dataDir: string,
    readonly holder: ServerLockInfo,
  ) {
    super(
      'DATA_DIR_SERVED',
      `the data dir ${dataDir} is already served by pid ${holder.pid}${holder.url ? ` at ${holder.url}` : ' (still starting)'}; ` +
        'stop that server first, or use another --data-dir',
      409,
    );
  }
}

/** The lock file of a data dir. */
export const serverLockFile = (dataDir: string) => join(dataDir, 'server.json');

/**
 * The kernel's start time of a process (field 22 of /proc/<pid>/stat), or undefined where there is no /proc. With the
 * pid it names one process for the life of the machine: a pid recycled after a crash has another start time.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process the lock names still runs (the same process, not one that got its pid since). */
export function isLockHolderAlive(info: ServerLockInfo): boolean {
  if (!Number.isInteger(info.pid) || info.pid <= 0 || !processExists(info.pid)) return false;
  if (info.processStart === undefined) return true;
  const now = processStartTime(info.pid);
  return now === undefined || now === info.processStart;
}

function readLockFile(file: string): ServerLockInfo | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const value = JSON.parse(text) as Partial<ServerLockInfo>;
    return typeof value.pid === 'number' ? (value as ServerLockInfo) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** The live server of a data dir, if one holds its lock; a stale or unreadable lock reads as none. */
export function readServerLock(dataDir: string): ServerLockInfo | undefined {
  const read = readLockFile(serverLockFile(dataDir));
  return typeof read === 'object' && isLockHolderAlive(read) ? read : undefined;
}

export interface ServerLock {
  readonly info: ServerLockInfo;
  /** Adds what became known after the lock was taken (the URLs), in one atomic replace. */
  update(more: Partial<ServerLockInfo>): void;
  release(): void;
}

/**
 * Takes the data dir's server lock, or throws DataDirServedError naming the live holder. A lock whose process is gone
 * (or whose pid now belongs to another process) is stale and taken over. Creation is exclusive (`wx`), so of two
 * servers starting at once exactly one wins.
 */
export function acquireServerLock(dataDir: string): ServerLock {
  mkdirSync(dataDir, { recursive: true });
  const file = serverLockFile(dataDir);
  const processStart = processStartTime(process.pid);
  let info: ServerLockInfo = {
    pid: process.pid,
    ...(processStart !== undefined ? { processStart } : {}),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      break;
    }
    const held = readLockFile(file);
    if (typeof held === 'object' && held.pid !== process.pid && isLockHolderAlive(held)) throw new DataDirServedError(dataDir, held);
    // An unreadable lock may be one being written this very moment: give its writer a moment before taking it over.
    if (held === 'unreadable' && attempt < 3) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    rmSync(file, { force: true });
  }
  let released = false;
  return {
    get info() {
      return info;
    },
    update(more) {
      if (released) return;
      info = { ...info, ...more, pid: process.pid };
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
      renameSync(tmp, file);
    },
    release() {
      if (released) return;
      released = true;
      // Only our own lock: a lock file that another server has since taken over is theirs.
      const held = readLockFile(file);
      if (typeof held === 'object' && held.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
