// A collection sharded over three projector processes (apps/projector --shard i/3): each holds about a third of the
// vectors, a client opened with `shards: 3` fans every search out to the three and merges them, and its answers equal
// those of one index holding everything (an in-process projection of the same log), also after one shard is killed
// with kill -9 and restarted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, InvalidArgumentError, shardOf, type SearchResult } from '@hvs-nvm/hvs';
import { runFixture, type Child } from '../support/child.js';

const DIM = 16;
const COLLECTION = 'sharded';
let srv: TempNatsServer;
let dir: string;
const shards: Child[] = [];
const randn = () => Array.from({ length: DIM }, () => Math.random() * 2 - 1);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-sharded-'));
});
afterAll(async () => {
  for (const s of [...shards, ...spares]) await s.kill9();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Ready {
  ready: true;
  vectors: number;
  pid: number;
  shard: { index: number; count: number };
  delivery: { path: string; serverVersion: string | null; partitionable: boolean };
}

const spares: Child[] = [];

async function startShard(index: number, replica?: string): Promise<Ready> {
  const child = runFixture(
    'apps/projector/src/main.ts',
    [
      '--data-dir',
      dir,
      '--collection',
      COLLECTION,
      '--dimension',
      String(DIM),
      '--geometry',
      'euclidean',
      '--shard',
      `${index}/3`,
      ...(replica ? ['--replica', replica] : []),
    ],
    { NATS_URL: srv.url },
  );
  if (replica) spares.push(child);
  else shards[index] = child;
  await child.until((l) => l.some((x) => (x as Ready).ready));
  return child.lines.find((x) => (x as Ready).ready) as Ready;
}

const view = (rs: SearchResult[]) => rs.map((r) => ({ id: r.vector.id, distance: r.distance, metadata: r.vector.metadata }));

/** The sharded client's exact answers equal the single index's, with and without a filter. */
async function expectSameAnswers(single: HVS, sharded: HVS, queries: number[][]): Promise<void> {
  for (const [i, q] of queries.entries()) {
    const filter = i % 2 === 0 ? undefined : { group: { $in: [1, 3] } };
    const opts = { k: 10, exact: true, ...(filter ? { filter } : {}) };
    expect(view(await sharded.semanticSearch(q, opts))).toEqual(view(await single.semanticSearch(q, opts)));
  }
}

it('refuses a sharded option that cannot hold', async () => {
  const base = { storagePath: join(dir, 'bad'), natsUrl: srv.url, collection: COLLECTION, dimension: DIM };
  await expect(HVS.open({ ...base, shards: 3 })).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(HVS.open({ ...base, shard: { index: 3, count: 3 } })).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(HVS.open({ ...base, projection: 'remote', shard: { index: 0, count: 3 } })).rejects.toBeInstanceOf(InvalidArgumentError);
  const bad = runFixture('apps/projector/src/main.ts', ['--data-dir', dir, '--shard', '3/3'], { NATS_URL: srv.url });
  expect(await bad.exited).toBe(2);
  expect(bad.stderr()).toMatch(/--shard/);
});

it('answers like one index from three shard processes, each holding a third, across kill -9 of one shard', async () => {
  // The reference: one in-process projection of the whole collection.
  await using single = await HVS.open({ storagePath: join(dir, 'single'), natsUrl: srv.url, collection: COLLECTION, dimension: DIM });
  const items = Array.from({ length: 1500 }, (_, i) => ({ vector: randn(), metadata: { group: i % 5, i } }));
  const ids = await single.batchStoreVectors(items);

  const ready = await Promise.all([0, 1, 2].map((i) => startShard(i)));
  // Each shard holds exactly the ids that hash to it: about a third each, all of them together.
  for (const r of ready) {
    expect(r.vectors).toBe(ids.filter((id) => shardOf(id, 3) === r.shard.index).length);
    expect(r.vectors).toBeGreaterThan(400);
    expect(r.vectors).toBeLessThan(600);
    // Every shard reads the whole stream; the server it names decides whether it could be sent only its partition.
    expect(r.delivery.path).toBe('whole-stream');
    expect(r.delivery.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    const [major, minor] = r.delivery.serverVersion!.split('.').map(Number);
    expect(r.delivery.partitionable).toBe(major! > 2 || (major === 2 && minor! >= 10));
  }
  expect(ready.reduce((a, r) => a + r.vectors, 0)).toBe(1500);

  await using sharded = await HVS.open({
    storagePath: join(dir, 'client'),
    natsUrl: srv.url,
    collection: COLLECTION,
    dimension: DIM,
    projection: 'remote',
    shards: 3,
  });
  const queries = Array.from({ length: 20 }, randn);
  await expectSameAnswers(single, sharded, queries);
  expect(await sharded.count()).toBe(1500);
  // Approximate search over three smaller graphs finds the true neighbours too.
  let found = 0;
  for (const q of queries) {
    const truth = new Set((await single.semanticSearch(q, { k: 10, exact: true })).map((r) => r.vector.id));
    found += (await sharded.semanticSearch(q, { k: 10 })).filter((r) => truth.has(r.vector.id)).length;
  }
  expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95);

  // Reads by id go to the id's shard, in the caller's order; read-your-writes through every shard.
  const some = [ids[0]!, 'no-such-id', ids[1]!, ids[2]!];
  expect((await sharded.batchRetrieveVectors(some)).map((v) => v?.metadata ?? null)).toEqual([
    items[0]!.metadata,
    null,
    items[1]!.metadata,
    items[2]!.metadata,
  ]);
  const mine = randn();
  const mineId = await sharded.storeVector(mine, { group: 9 });
  expect((await sharded.semanticSearch(mine, { k: 1 }))[0]?.vector.id).toBe(mineId);
  expect(await sharded.deleteVector(ids[3]!)).toBe(true);
  expect(await sharded.count()).toBe(1500);

  // kill -9 of one shard: while it is down its share cannot be searched (a merge without it would be wrong, so the
  // search fails rather than answering from two thirds); writes go on into the log.
  await shards[1]!.kill9();
  await expect(sharded.semanticSearch(mine, { k: 1 })).rejects.toMatchObject({ code: 'PROJECTOR_UNAVAILABLE' });
  const more = await single.batchStoreVectors(Array.from({ length: 300 }, (_, i) => ({ vector: randn(), metadata: { group: i % 5 } })));
  // Restarted from its checkpoint folder (or the log), the shard catches up with what it missed.
  const again = await startShard(1);
  const all = [...ids.filter((id) => id !== ids[3]), mineId, ...more];
  expect(again.vectors).toBe(all.filter((id) => shardOf(id, 3) === 1).length);
  const late = await sharded.storeVector(randn(), { group: 1 });
  expect((await sharded.retrieveVector(late)).metadata).toEqual({ group: 1 });
  await single.sync();
  expect(await sharded.count()).toBe(await single.count());
  expect(await sharded.count()).toBe(all.length + 1);
  await expectSameAnswers(single, sharded, queries);
  const stats = await sharded.projectionStats();
  expect(stats.vectors).toBe(all.length + 1);

  // Two replicas of a shard (the deployment in infra/README.md): kill -9 of one is no outage.
  await startShard(2, 'b');
  await shards[2]!.kill9();
  await expectSameAnswers(single, sharded, queries.slice(0, 4));
}, 180_000);
