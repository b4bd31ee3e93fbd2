// The messaging scenario's peer a user would pick instead of us: Redis Streams (Debian's redis-server, AOF with
// fsync every second), XADD + XREADGROUP in COUNT batches + XACK per batch. Started on a free loopback port in a
// temp dir, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@hvs-nvm/runtime';
import { Redis } from 'ioredis';

export const REDIS_SERVER = process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server';

export interface RedisPeer {
  port: number;
  stop(): Promise<void>;
}

/** undefined when redis-server is not installed. */
export async function startRedis(): Promise<RedisPeer | undefined> {
  if (!existsSync(REDIS_SERVER)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait until it answers PING.
  for (let i = 0; ; i++) {
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // not up yet: connect() rejects, and the loop tries again
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (err) {
      probe.disconnect();
      if (i > 100 || child.exitCode !== null) {
        await stop();
        throw new Error(`redis-server did not come up on port ${port}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, stop };
}

export interface RedisRun {
  rate: number;
  latenciesMs: number[];
}

/**
 * n messages of `body(i)` (JSON) XADDed with `window` in flight, read by one group consumer in COUNT `batch` pulls
 * (BLOCK 1 s) and XACKed once per batch without waiting on the reply before the next read.
 */
export async function redisRun(
  port: number,
  n: number,
  round: number,
  window: number,
  batch: number,
  body: (i: number) => { sentAtMs: number },
  now: () => number,
): Promise<RedisRun> {
  const tx = new Redis({ host: '127.0.0.1', port });
  const rx = new Redis({ host: '127.0.0.1', port });
  const key = `bench:mail:${round}`;
  try {
    await tx.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    const lat: number[] = [];
    const t0 = now();
    const received = (async () => {
      let c = 0;
      const acks: Promise<unknown>[] = [];
      while (c < n) {
        const res = (await rx.xreadgroup('GROUP', 'g', 'c', 'COUNT', batch, 'BLOCK', 1000, 'STREAMS', key, '>')) as
          [string, [string, string[]][]][] | null;
        const entries = res?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        const ids: string[] = [];
        for (const [id, fields] of entries) {
          lat.push(now() - (JSON.parse(fields[1]!) as { sentAtMs: number }).sentAtMs);
          ids.push(id);
        }
        acks.push(rx.xack(key, 'g', ...ids));
        c += entries.length;
      }
      await Promise.all(acks);
    })();
    let next = 0;
    const worker = async () => {
      while (next < n) await tx.xadd(key, '*', 'b', JSON.stringify(body(next++)));
    };
    await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
    await received;
    const s = (now() - t0) / 1000;
    await tx.del(key);
    return { rate: n / s, latenciesMs: lat };
  } finally {
    tx.disconnect();
    rx.disconnect();
  }
}
