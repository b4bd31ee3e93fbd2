import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { runFixture } from '../support/child.js';

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-crash-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('after kill -9 of a client mid-ingest, every acknowledged vector is present exactly once', async () => {
  const child = runFixture('tests/integration/fixtures/hvs-ingest.ts', [srv.url, join(dir, 'writer'), 'crash']);
  await child.until((lines) => lines.length >= 20);
  await child.kill9();
  const acked = child.lines.flatMap((l) => (l as { acked: string[] }).acked);
  await using hvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, 'reader'), collection: 'crash', dimension: 16 });
  const found = await hvs.batchRetrieveVectors(acked);
  expect(found.filter((v) => v === null)).toHaveLength(0);
  // Unacknowledged publishes of the last batch may have landed too, but never twice: ids are unique streams.
  const total = await hvs.count();
  expect(total).toBeGreaterThanOrEqual(acked.length);
  expect(total - acked.length).toBeLessThanOrEqual(50);
  const all = await hvs.semanticSearch(new Array(16).fill(0.1), { k: total, exact: true });
  expect(new Set(all.map((r) => r.vector.id)).size).toBe(total);
});
