// A collection opened with `quantization`: exact answers from the int8 graph, restored from its snapshot; bad
// combinations refused with a typed error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from './index.js';

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-quant-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

const D = 8;
const randn = () => Array.from({ length: D }, () => Math.random() * 2 - 1);

it('int8: top hits equal brute force, with exact distances, before and after a restore', { timeout: 120_000 }, async () => {
  const open = () =>
    HVS.open({ storagePath: join(dir, 'int8'), natsUrl: srv.url, dimension: D, collection: 'quant', quantization: 'int8' });
  const first = await open();
  const items = Array.from({ length: 2000 }, () => ({ vector: randn(), metadata: {} }));
  const ids = await first.batchStoreVectors(items);
  const query = randn();
  const truth = ids
    .map((id, i) => [items[i]!.vector.reduce((s, x, j) => s + (Math.fround(x) - Math.fround(query[j]!)) ** 2, 0), id] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, 5)
    .map(([, id]) => id);
  await first.sync();
  expect((await first.semanticSearch(query, { k: 5 })).map((h) => h.vector.id)).toEqual(truth);
  expect(await first.snapshot()).toBeGreaterThan(0);
  await first.close();
  await using again = await open();
  expect(again.stats().restoredFrom).toBeGreaterThan(0);
  expect((await again.semanticSearch(query, { k: 5 })).map((h) => h.vector.id)).toEqual(truth);
});

it('binary outside spherical geometry is refused', async () => {
  await expect(
    HVS.open({ storagePath: join(dir, 'bad'), natsUrl: srv.url, dimension: D, collection: 'badq', quantization: 'binary' }),
  ).rejects.toMatchObject({ code: expect.any(String) });
});
