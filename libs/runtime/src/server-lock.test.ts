// The data dir's server lock: exclusive while its holder lives, taken over when the holder is gone or its pid reused.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireServerLock, DataDirServedError, processStartTime, readServerLock, serverLockFile } from './server-lock.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-server-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A live process that is not this one, stopped when the test is done. */
async function otherProcess<T>(use: (pid: number) => T | Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    return await use(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('server lock', () => {
  it('is held for the lifetime of its holder, then released', () => {
    const dir = join(tempDir(), 'fresh', 'data'); // a data dir that does not exist yet is created
    const lock = acquireServerLock(dir);
    expect(statSync(serverLockFile(dir)).mode & 0o777).toBe(0o600);
    lock.update({ url: 'http://127.0.0.1:1234' });
    expect(readServerLock(dir)).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:1234' });
    lock.release();
    expect(existsSync(serverLockFile(dir))).toBe(false);
    expect(readServerLock(dir)).toBeUndefined();
  });

  it('refuses a second server while the holder lives, naming its pid and URL', async () => {
    const dir = tempDir();
    await otherProcess((pid) => {
      const held = { pid, processStart: processStartTime(pid), startedAt: new Date().toISOString(), url: 'http://127.0.0.1:9999' };
      writeFileSync(serverLockFile(dir), JSON.stringify(held));
      let error: unknown;
      try {
        acquireServerLock(dir);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DataDirServedError);
      expect((error as DataDirServedError).code).toBe('DATA_DIR_SERVED');
      expect((error as Error).message).toContain(`already served by pid ${pid} at http://127.0.0.1:9999`);
      // The holder's lock is untouched.
      expect(JSON.parse(readFileSync(serverLockFile(dir), 'utf8'))).toEqual(held);
    });
  });

  it('takes over a stale lock: a dead holder, a reused pid, or an unreadable file', async () => {
    const dir = tempDir();
    const dead = await otherProcess((pid) => pid);
    await new Promise((r) => setTimeout(r, 100));
    const cases = [
      JSON.stringify({ pid: dead, startedAt: '2026-01-01T00:00:00Z', url: 'http://127.0.0.1:1' }),
      // A live pid whose process started at another time than the holder did: the pid was reused.
      JSON.stringify({ pid: process.ppid, processStart: 'not-its-start-time', startedAt: '2026-01-01T00:00:00Z' }),
      'not json',
    ];
    for (const content of cases) {
      writeFileSync(serverLockFile(dir), content);
      expect(readServerLock(dir)).toBeUndefined();
      const lock = acquireServerLock(dir);
      expect(readServerLock(dir)?.pid).toBe(process.pid);
      lock.release();
    }
  });

  it('release leaves a lock that another server has since taken over', async () => {
    const dir = tempDir();
    const lock = acquireServerLock(dir);
    await otherProcess((pid) => {
      writeFileSync(serverLockFile(dir), JSON.stringify({ pid, startedAt: new Date().toISOString() }));
      lock.release();
      expect(readServerLock(dir)?.pid).toBe(pid);
    });
  });
});
