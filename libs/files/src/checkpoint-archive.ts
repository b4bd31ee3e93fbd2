// Past checkpoints kept for as-of views: each new checkpoint is hard-linked into `<dir>.history/<position>-<ms>`,
// thinned to a retention (the last few, every 5 minutes for an hour, hourly for a day, daily for a month), and the
// nearest one at or before a point is found.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which past checkpoints are kept: the `latest` newest, then the newest of each 5 minutes for `fiveMinutelyForHours`,
 * of each hour for `hourlyForHours`, of each day for `dailyForDays`. The default keeps at most 4 + 12 + 24 + 30.
 */
export interface CheckpointRetention {
  latest: number;
  fiveMinutelyForHours: number;
  hourlyForHours: number;
  dailyForDays: number;
}

export const DEFAULT_CHECKPOINT_RETENTION: CheckpointRetention = {
  latest: 4,
  fiveMinutelyForHours: 1,
  hourlyForHours: 24,
  dailyForDays: 30,
};

/** One archived checkpoint: the log position it reflects and when it was archived (epoch ms). */
export interface ArchivedCheckpoint {
  position: number;
  atMs: number;
  path: string;
}

const FIVE_MINUTES_MS = 300_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NAME = /^(\d{12})-(\d{13})$/;

/** Where the archives of the checkpoint folder (or file) `dir` live. */
export const archiveRootOf = (dir: string) => `${dir}.history`;

/** Which archives a retention keeps at `nowMs` (see CheckpointRetention). Pure; the rest may be deleted. */
export function retainedCheckpoints<T extends { position: number; atMs: number }>(
  archives: readonly T[],
  nowMs: number,
  retention: CheckpointRetention = DEFAULT_CHECKPOINT_RETENTION,
): T[] {
  const newestFirst = [...archives].sort((a, b) => b.atMs - a.atMs || b.position - a.position);
  const buckets = new Set<string>();
  const kept: T[] = [];
  for (const [i, a] of newestFirst.entries()) {
    const age = nowMs - a.atMs;
    let bucket: string | undefined;
    if (age < retention.fiveMinutelyForHours * HOUR_MS) bucket = `m${Math.floor(a.atMs / FIVE_MINUTES_MS)}`;
    else if (age < retention.hourlyForHours * HOUR_MS) bucket = `h${Math.floor(a.atMs / HOUR_MS)}`;
    else if (age < retention.dailyForDays * DAY_MS) bucket = `d${Math.floor(a.atMs / DAY_MS)}`;
    if (i < Math.max(1, retention.latest) || (bucket !== undefined && !buckets.has(bucket))) {
      kept.push(a);
      if (bucket !== undefined) buckets.add(bucket);
    }
  }
  return kept;
}

/** The archives of `dir`, oldest position first (an unreadable or foreign entry is ignored). */
export async function listArchivedCheckpoints(dir: string): Promise<ArchivedCheckpoint[]> {
  const root = archiveRootOf(dir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: ArchivedCheckpoint[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (m) out.push({ position: Number(m[1]), atMs: Number(m[2]), path: join(root, name) });
  }
  return out.sort((a, b) => a.position - b.position || a.atMs - b.atMs);
}

/** The archived checkpoint reflecting the most of the log without passing `position`, if any. */
export async function nearestArchivedCheckpoint(dir: string, position: number): Promise<ArchivedCheckpoint | undefined> {
  return (await listArchivedCheckpoints(dir)).filter((a) => a.position <= position).at(-1);
}

/** Hard-links (copies, across devices) every file under `from` into `to`, keeping the tree. */
async function linkTree(from: string, to: string): Promise<void> {
  if (!(await stat(from)).isDirectory()) {
    await link(from, to).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
      await copyFile(from, to);
    });
    return;
  }
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from)) await linkTree(join(from, entry), join(to, entry));
}

/**
 * Archives the checkpoint just written at `dir` as reflecting `position`, then thins the archives to the retention.
 * Hard links cost no copy: checkpoint writers replace files by rename, never rewrite one in place, so an archived
 * name keeps the bytes it had. `files` limits the archive to those names inside `dir` (a folder shared with others).
 */
export async function archiveCheckpoint(
  dir: string,
  position: number,
  options: { nowMs?: number; retention?: CheckpointRetention; files?: readonly string[] } = {},
): Promise<string> {
  const nowMs = options.nowMs ?? Date.now();
  const root = archiveRootOf(dir);
  await mkdir(root, { recursive: true });
  const target = join(root, `${String(position).padStart(12, '0')}-${String(nowMs).padStart(13, '0')}`);
  const tmp = join(root, `.tmp-${randomBytes(4).toString('hex')}`);
  try {
    if (options.files) {
      await mkdir(tmp, { recursive: true });
      for (const name of options.files) await linkTree(join(dir, name), join(tmp, name));
    } else {
      await linkTree(dir, tmp);
    }
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const all = await listArchivedCheckpoints(dir);
  const keep = new Set(retainedCheckpoints(all, nowMs, options.retention).map((a) => a.path));
  for (const a of all) if (!keep.has(a.path)) await rm(a.path, { recursive: true, force: true });
  return target;
}
