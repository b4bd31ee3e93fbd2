// Filtered semanticSearch through the projection's payload index: updates and deletes move slots between terms, a
// snapshot restores the index, and every answer equals exact filtered search.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, type Filter } from './index.js';
import { compileFilter } from './filter.js';

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-filtered-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

const D = 8;
const open = () => HVS.open({ storagePath: join(dir, 'store'), natsUrl: srv.url, dimension: D, collection: 'filtered' });
const randn = () => Array.from({ length: D }, () => Math.random() * 2 - 1);

const FILTERS: Filter[] = [
  { bucket: 3 },
  { bucket: { $lt: 10 } },
  { bucket: { $in: [1, 2] }, tag: 'b' },
  { $or: [{ tag: 'a' }, { bucket: 40 }] },
  { bucket: { $lt: 20 }, tag: { $ne: 'a' } },
  { bucket: 'moved' },
];

/** What the collection holds, kept by the test: brute force over it is the truth. */
const truth = new Map<string, { vector: number[]; metadata: Record<string, unknown> }>();

function bruteForce(query: number[], filter: Filter, k: number): string[] {
  const match = compileFilter(filter);
  const scored: [number, string][] = [];
  for (const [id, { vector, metadata }] of truth) {
    if (!match(metadata)) continue;
    let s = 0;
    for (let j = 0; j < D; j++) s += (Math.fround(vector[j]!) - Math.fround(query[j]!)) ** 2;
    scored.push([s, id]);
  }
  return scored
    .sort((a, b) => a[0] - b[0])
    .slice(0, k)
    .map(([, id]) => id);
}

async function expectExact(hvs: HVS, query: number[]): Promise<number> {
  let hits = 0;
  for (const filter of FILTERS) {
    const got = await hvs.semanticSearch(query, { k: 10, filter });
    expect(
      got.map((h) => h.vector.id),
      JSON.stringify(filter),
    ).toEqual(bruteForce(query, filter, 10));
    hits += got.length;
  }
  return hits;
}

it('answers like exact filtered search across updates, deletes and a restore from the snapshot', { timeout: 120_000 }, async () => {
  const first = await open();
  const items = Array.from({ length: 3000 }, (_, i) => ({ vector: randn(), metadata: { bucket: i % 50, tag: i % 3 === 0 ? 'a' : 'b' } }));
  const ids = await first.batchStoreVectors(items);
  ids.forEach((id, i) => truth.set(id, items[i]!));
  const query = randn();
  expect(await expectExact(first, query)).toBeGreaterThan(30);
  // Updates move vectors to another term; deletes take them out.
  for (let i = 0; i < 300; i++) {
    const vector = randn();
    await first.storeVector(vector, { bucket: 'moved', tag: 'c' }, { id: ids[i * 7]! });
    truth.set(ids[i * 7]!, { vector, metadata: { bucket: 'moved', tag: 'c' } });
  }
  for (let i = 0; i < 100; i++) {
    await first.deleteVector(ids[i * 7 + 3]!);
    truth.delete(ids[i * 7 + 3]!);
  }
  await first.sync();
  const moved = await first.semanticSearch(query, { k: 500, filter: { bucket: 'moved' } });
  expect(moved).toHaveLength(300);
  expect(moved.every((h) => h.vector.metadata.tag === 'c')).toBe(true);
  const three = await first.semanticSearch(query, { k: 100, filter: { bucket: 3 } });
  expect(three.every((h) => h.vector.metadata.bucket === 3)).toBe(true);
  await expectExact(first, query);
  expect(await first.snapshot()).toBeGreaterThan(0);
  await first.close();

  await using again = await open();
  expect(again.stats().restoredFrom).toBeGreaterThan(0);
  expect(await again.semanticSearch(query, { k: 500, filter: { bucket: 'moved' } })).toHaveLength(300);
  await expectExact(again, query);
});
