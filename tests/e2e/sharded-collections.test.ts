// End to end: a collection bigger than one process behind the HTTP API. `hvs-nvm start --projection remote --shards
// docs=3` reads `/v1/collections/docs/…` from three real apps/projector shard processes (`--shard i/3`): its searches
// through HTTP equal those of one in-process index of the same log, filtered or not; a stopped shard is a prompt 503
// PROJECTOR_UNAVAILABLE (a merge without its third would be wrong), and the restarted shard answers again. Bad
// --shards specs are usage errors that start nothing, and so is sharding a collection the server reads itself.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, shardOf } from '@hvs-nvm/hvs';
import { runFixture, type Child } from '../support/child.js';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const DIM = 16;
const N = 600;
let srv: TempNatsServer;
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const shards: Child[] = [];
const randn = () => Array.from({ length: DIM }, () => Math.random() * 2 - 1);
const call = (method: string, path: string, body?: unknown) => http(stack.url, method, path, body);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  tmp = tempDir('hvs-nvm-e2e-sharded-');
  stack = await startStack(join(tmp.dir, 'data'), ['--nats-url', srv.url, '--projection', 'remote', '--shards', 'docs=3']);
}, 90_000);
afterAll(async () => {
  for (const s of shards) await s?.kill9();
  expect(await stack?.stop()).toBe(0);
  await srv?.stop();
  tmp?.remove();
});

async function startShard(index: number): Promise<number> {
  const child = runFixture(
    'apps/projector/src/main.ts',
    [
      '--data-dir',
      join(tmp.dir, 'projectors'),
      '--collection',
      'docs',
      '--dimension',
      String(DIM),
      '--geometry',
      'euclidean',
      '--shard',
      `${index}/3`,
    ],
    { NATS_URL: srv.url, HVS_NVM_LOG_LEVEL: 'warn' },
  );
  shards[index] = child;
  const isReady = (l: unknown) => (l as { ready?: boolean } | null)?.ready === true;
  await child.until((lines) => lines.some(isReady));
  return (child.lines.find(isReady) as { vectors: number }).vectors;
}

it('refuses --shards it cannot honour, with exit code 2 and a message naming it', async () => {
  const data = join(tmp.dir, 'refused');
  for (const [args, message] of [
    [['--shards', '3'], /projection 'remote'/],
    [['--projection', 'remote', '--shards', 'docs=0'], /shard count/],
    [['--projection', 'remote', '--shards', '2,3'], /more than one shard count/],
    [['--projection', 'remote', '--shards', 'a b=2'], /not a collection name/],
    // The server's own collections are read in-process: sharding one is refused (after the stack opened, closing it).
    [['--projection', 'remote', '--shards', 'default=3'], /'default' is the server's own/],
  ] as const) {
    const r = await cli(['start', '--data-dir', data, '--nats-url', srv.url, '--port', '0', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  }
}, 120_000);

it('searches a collection sharded over three projector processes like one index, and 503s while a shard is down', async () => {
  expect(stack.info).toMatchObject({ reads: { projection: 'remote', shards: 1, collections: { docs: 3 } } });
  expect(await call('POST', '/v1/collections', { name: 'docs', dimension: DIM, geometry: 'euclidean' })).toMatchObject({ status: 201 });
  const items = Array.from({ length: N }, (_, i) => ({ id: `v${i}`, vector: randn(), metadata: { group: i % 5 } }));
  for (let i = 0; i < N; i += 200) {
    expect((await call('POST', '/v1/collections/docs/vectors/batch', { items: items.slice(i, i + 200) })).status).toBe(201);
  }

  const counts = await Promise.all([0, 1, 2].map(startShard));
  // Each shard process holds only its third.
  counts.forEach((c, i) => expect(c).toBe(items.filter((v) => shardOf(v.id, 3) === i).length));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
  expect((await call('GET', '/v1/collections/docs')).body).toMatchObject({ vectors: N, projection: 'remote', shards: 3 });

  // The reference: one in-process projection of the whole collection, from the same log.
  await using single = await HVS.open({
    storagePath: join(tmp.dir, 'single'),
    natsUrl: srv.url,
    collection: 'docs',
    dimension: DIM,
    geometry: 'euclidean',
  });
  await single.sync();
  const queries = Array.from({ length: 12 }, randn);
  for (const [i, q] of queries.entries()) {
    const filter = i % 2 === 1 ? { group: { $in: [1, 3] } } : undefined;
    const found = await call('POST', '/v1/collections/docs/vectors/search', {
      vector: q,
      k: 10,
      exact: true,
      ...(filter ? { filter } : {}),
    });
    expect(found.status).toBe(200);
    const truth = await single.semanticSearch(q, { k: 10, exact: true, ...(filter ? { filter } : {}) });
    expect(found.body.results.map((r: { id: string; distance: number }) => [r.id, r.distance])).toEqual(
      truth.map((r) => [r.vector.id, r.distance]),
    );
  }
  // A read by id asks the id's shard.
  expect((await call('GET', '/v1/collections/docs/vectors/v7')).body).toMatchObject({ id: 'v7', metadata: { group: 2 } });

  // One shard stopped: a prompt 503 problem naming the unavailable projector, not a hang and not a partial answer.
  await shards[1]!.kill9();
  const down = await call('POST', '/v1/collections/docs/vectors/search', { vector: queries[0], k: 5 });
  expect(down.status).toBe(503);
  expect(down.type).toMatch(/application\/problem\+json/);
  expect(down.body).toMatchObject({ code: 'PROJECTOR_UNAVAILABLE', status: 503 });
  expect(down.body.detail).toMatch(/s1of3/);
  // Writes go on into the log meanwhile; the restarted shard catches up and the answers are whole again.
  expect((await call('POST', '/v1/collections/docs/vectors', { id: 'late', vector: queries[0] })).status).toBe(201);
  await startShard(1);
  const back = await call('POST', '/v1/collections/docs/vectors/search', { vector: queries[0], k: 1 });
  expect(back.body.results[0].id).toBe('late');
}, 240_000);
