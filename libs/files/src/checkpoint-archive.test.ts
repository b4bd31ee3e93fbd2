import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveCheckpoint, listArchivedCheckpoints, nearestArchivedCheckpoint, retainedCheckpoints } from './checkpoint-archive.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('retainedCheckpoints', () => {
  it('keeps the newest of each hour for a day, of each day for a month, and nothing older but the newest', () => {
    const now = 100 * DAY;
    const retention = { latest: 1, fiveMinutelyForHours: 0, hourlyForHours: 24, dailyForDays: 30 };
    const archives = [
      { position: 100, atMs: now - 10 * 60_000 }, // this hour
      { position: 99, atMs: now - 20 * 60_000 }, // same hour: dropped
      { position: 90, atMs: now - 5 * HOUR }, // an hour of today
      { position: 50, atMs: now - 3 * DAY - HOUR }, // a day this month
      { position: 49, atMs: now - 3 * DAY - 2 * HOUR }, // same day: dropped
      { position: 10, atMs: now - 40 * DAY }, // older than the month: dropped
    ];
    const kept = retainedCheckpoints(archives, now, retention).map((a) => a.position);
    expect(kept.sort((a, b) => a - b)).toEqual([50, 90, 100]);
  });

  it('always keeps the newest archives, however old, and one per 5 minutes in the last hour', () => {
    expect(retainedCheckpoints([{ position: 3, atMs: 0 }], 400 * DAY)).toHaveLength(1);
    const now = 10 * DAY;
    const recent = Array.from({ length: 30 }, (_, i) => ({ position: 100 - i, atMs: now - i * 60_000 }));
    // 4 latest (0..3 min), then one per 5-minute slot for the rest of the hour (these 30 minutes span 6-7 slots).
    const kept = retainedCheckpoints(recent, now).map((a) => a.position);
    expect(kept.slice(0, 4)).toEqual([100, 99, 98, 97]);
    expect(kept.length).toBeLessThanOrEqual(4 + 7);
  });
});

describe('archiveCheckpoint', () => {
  it('keeps the bytes an archived checkpoint had after the live one is replaced, and finds the nearest at or before a point', async () => {
    const base = mkdtempSync(join(tmpdir(), 'archive-'));
    const dir = join(base, 'view');
    mkdirSync(dir);
    writeFileSync(join(dir, 'view.json'), 'v1');
    await archiveCheckpoint(dir, 10, { nowMs: 1 * HOUR });
    // The writer replaces by rename, as checkpoint writers do.
    writeFileSync(join(dir, 'view.json.tmp'), 'v2');
    renameSync(join(dir, 'view.json.tmp'), join(dir, 'view.json'));
    await archiveCheckpoint(dir, 20, { nowMs: 2 * HOUR });
    expect((await listArchivedCheckpoints(dir)).map((a) => a.position)).toEqual([10, 20]);
    const at15 = await nearestArchivedCheckpoint(dir, 15);
    expect(at15?.position).toBe(10);
    expect(readFileSync(join(at15!.path, 'view.json'), 'utf8')).toBe('v1');
    expect(readFileSync(join((await nearestArchivedCheckpoint(dir, 99))!.path, 'view.json'), 'utf8')).toBe('v2');
    expect(await nearestArchivedCheckpoint(dir, 9)).toBeUndefined();
    expect(existsSync(join(dir, 'view.json'))).toBe(true);
  });
});
