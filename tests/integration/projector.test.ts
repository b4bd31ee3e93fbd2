// Projector replicas as real processes: queries (and NVM remote clients' reads and writes) answered through the queue
// group while a replica dies mid-request, typed usage errors for bad arguments, and a startup log saying where it listens.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import {
  BlockClass,
  BlockExistsError,
  BlockNotFoundError,
  BlockReader,
  ConcurrencyError,
  NVM,
  PermissionDeniedError,
  ReadOnlyBlockError,
} from '@hvs-nvm/nvm';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { runFixture, type Child } from '../support/child.js';

let srv: TempNatsServer;
let dir: string;
const replicas: Child[] = [];
const randn = (d: number) => Array.from({ length: d }, () => Math.random() * 2 - 1);

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-projector-'));
});
afterAll(async () => {
  for (const r of replicas) await r.kill9();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startReplica(id: string, extra: string[] = [], env: Record<string, string> = {}): Child {
  const child = runFixture(
    'apps/projector/src/main.ts',
    ['--data-dir', dir, '--replica', id, '--collection', 'remote', '--dimension', '8', '--geometry', 'euclidean', ...extra],
    { NATS_URL: srv.url, HVS_NVM_ENCODER: 'hashing', ...env },
  );
  replicas.push(child);
  return child;
}

/**
 * Runs `total` queries with `inFlight` of them outstanding at all times; once `killAt` have been answered, `kill`
 * runs while the other queries are still in flight (some of them on the replica being killed). Resolves with the
 * number answered and how many were in flight at the kill.
 */
async function concurrently(
  total: number,
  inFlight: number,
  killAt: number,
  kill: () => Promise<void>,
  query: (q: number) => Promise<void>,
): Promise<{ answered: number; inFlightAtKill: number }> {
  let next = 0;
  let answered = 0;
  let outstanding = 0;
  let inFlightAtKill = -1;
  let killing: Promise<void> | undefined;
  const worker = async () => {
    while (next < total) {
      const q = next++;
      outstanding++;
      try {
        await query(q);
      } finally {
        outstanding--;
      }
      answered++;
      if (answered === killAt && !killing) {
        inFlightAtKill = outstanding;
        killing = kill();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  await killing;
  return { answered, inFlightAtKill };
}

it('answers every query through two projector replicas while one is killed with kill -9', async () => {
  await using writer = await HVS.open({ storagePath: join(dir, 'w'), natsUrl: srv.url, collection: 'remote', dimension: 8 });
  await writer.batchStoreVectors(Array.from({ length: 300 }, (_, i) => ({ vector: randn(8), metadata: { i } })));
  const a = startReplica('a');
  const b = startReplica('b');
  await a.until((l) => l.length > 0);
  await b.until((l) => l.length > 0);
  await using client = await HVS.open({
    storagePath: join(dir, 'c'),
    natsUrl: srv.url,
    collection: 'remote',
    dimension: 8,
    projection: 'remote',
  });
  // Read-your-writes through the remote projection: the write's position travels with the query.
  const id = await client.storeVector(randn(8), { mine: true });
  expect((await client.retrieveVector(id)).metadata).toEqual({ mine: true });
  expect(await client.count()).toBe(301);

  // 16 queries in flight when replica a dies: the ones it had taken get no reply and are retried (by the client's
  // requestQuery) on replica b.
  const run = await concurrently(
    300,
    16,
    100,
    () => a.kill9(),
    async () => {
      const hits = await client.semanticSearch(randn(8), { k: 5, filter: { i: { $lt: 150 } } });
      expect(hits).toHaveLength(5);
    },
  );
  expect(run.inFlightAtKill).toBeGreaterThanOrEqual(15);
  expect(run.answered).toBe(300);
}, 120_000);

it('serves the NVM block view through two replicas: reads, permissions, read-your-writes, and kill -9 of one', async () => {
  const namespace = 'remotens';
  await using writer = await NVM.open({
    natsUrl: srv.url,
    storagePath: join(dir, 'nvm-w'),
    namespace,
    actor: 'alice',
    encoder: hashingEncoder(),
  });
  const doc = await writer.createBlock({ name: 'guide', blockClass: BlockClass.DOCUMENTATION, content: 'how agents share memory' });
  await writer.createBlock({
    name: 'private',
    blockClass: BlockClass.PROGRAM_STATE,
    content: 'alice only',
    permissions: { read: ['alice'], write: ['alice'] },
  });
  const a = startReplica('na', ['--namespace', namespace]);
  const b = startReplica('nb', ['--namespace', namespace]);
  await a.until((l) => l.length > 0);
  await b.until((l) => l.length > 0);
  await using bob = await BlockReader.open({ natsUrl: srv.url, namespace, actor: 'bob' });
  await using alice = await BlockReader.open({ natsUrl: srv.url, namespace, actor: 'alice' });

  // The same answers a local NVM gives, with the reader's permissions.
  const got = await bob.getBlock(doc.id);
  expect(got).toEqual(await writer.getBlock(doc.id));
  expect(got.createdAt).toBeInstanceOf(Date);
  expect((await bob.getBlockByName('guide'))?.id).toBe(doc.id);
  expect(await bob.getBlockByName('private')).toBeNull();
  expect((await bob.listBlocks()).map((x) => x.name)).toEqual(['guide']);
  expect((await alice.listBlocks()).map((x) => x.name).sort()).toEqual(['guide', 'private']);
  await expect(bob.getBlock('no-such-block')).rejects.toBeInstanceOf(BlockNotFoundError);
  const privateId = (await alice.getBlockByName('private'))!.id;
  await expect(bob.getBlock(privateId)).rejects.toBeInstanceOf(PermissionDeniedError);

  // Read-your-writes: the writer's position travels with the query.
  const updated = await writer.updateBlock(doc.id, 'how agents share memory, version two');
  const seen = await bob.getBlock(doc.id, { minPosition: writer.lastWritePosition });
  expect(seen.version).toBe(updated.version);
  expect(seen.content).toBe('how agents share memory, version two');
  expect((await bob.blockHistory(doc.id, { minPosition: writer.lastWritePosition })).map((h) => h.version)).toEqual([1, 2]);
  const hits = await bob.semanticQuery('how agents share memory', { k: 1, minPosition: writer.lastWritePosition });
  expect(hits[0]?.block.id).toBe(doc.id);

  // One replica dies with 16 reads in flight: every read is still answered.
  const run = await concurrently(
    200,
    16,
    60,
    () => a.kill9(),
    async () => {
      expect((await bob.getBlock(doc.id)).id).toBe(doc.id);
    },
  );
  expect(run.inFlightAtKill).toBeGreaterThanOrEqual(15);
  expect(run.answered).toBe(200);
}, 120_000);

it("NVM.open({ projection: 'remote' }) reads and writes through two replicas, projecting nothing itself, while one is killed with kill -9", async () => {
  const namespace = 'remotewr';
  const open = (who: string) =>
    NVM.open({ natsUrl: srv.url, storagePath: join(dir, `nvm-remote-${who}`), namespace, actor: who, projection: 'remote' });
  const a = startReplica('wa', ['--namespace', namespace]);
  const b = startReplica('wb', ['--namespace', namespace]);
  await a.until((l) => l.length > 0);
  await b.until((l) => l.length > 0);
  await using alice = await open('alice');
  await using bob = await open('bob');

  // Writes decide on the block's own stream; reads go to the replicas with the writer's position (read-your-writes).
  const doc = await alice.createBlock({
    name: 'guide',
    blockClass: BlockClass.DOCUMENTATION,
    content: 'how agents share memory',
    readonly: true,
  });
  expect(doc).toMatchObject({ name: 'guide', version: 1, readonly: true });
  expect(await alice.getBlock(doc.id)).toEqual(doc);
  const counter = await alice.createBlock({
    name: 'counter',
    blockClass: BlockClass.PROGRAM_STATE,
    content: { n: 0 },
    permissions: { read: ['alice', 'bob'], write: ['alice', 'bob'] },
  });
  const secret = await alice.createBlock({
    name: 'secret',
    blockClass: BlockClass.PROGRAM_STATE,
    content: 'alice only',
    permissions: { read: ['alice'], write: ['alice'] },
  });
  await expect(bob.createBlock({ name: 'guide', blockClass: BlockClass.DOCUMENTATION, content: 'again' })).rejects.toBeInstanceOf(
    BlockExistsError,
  );
  await expect(bob.updateBlock(doc.id, 'changed')).rejects.toBeInstanceOf(ReadOnlyBlockError);
  await expect(bob.updateBlock(secret.id, 'mine now')).rejects.toBeInstanceOf(PermissionDeniedError);
  await expect(bob.getBlock(secret.id)).rejects.toBeInstanceOf(PermissionDeniedError);
  await expect(alice.updateBlock(counter.id, { n: 9 }, { expectedVersion: 7 })).rejects.toBeInstanceOf(ConcurrencyError);
  await bob.sync();
  expect((await bob.listBlocks()).map((x) => x.name)).toEqual(['guide', 'counter']);
  expect((await bob.getBlockByName('guide'))?.id).toBe(doc.id);
  expect((await bob.semanticQuery('how agents share memory', { k: 1 }))[0]?.block.id).toBe(doc.id);
  // Neither client keeps a block view (no projection folder, no checkpoint).
  expect(existsSync(join(dir, 'nvm-remote-alice', 'projection'))).toBe(false);
  expect(existsSync(join(dir, 'nvm-remote-bob', 'projection'))).toBe(false);

  // 16 operations in flight when replica a dies, a quarter of them read-modify-write updates of one counter by two
  // writers: every operation completes and no update is lost.
  let increments = 0;
  const run = await concurrently(
    200,
    16,
    60,
    () => a.kill9(),
    async (q) => {
      const who = q % 2 === 0 ? alice : bob;
      if (q % 4 === 0) {
        await who.updateBlock(counter.id, (current) => ({ n: (JSON.parse(current.content) as { n: number }).n + 1 }));
        increments++;
        return;
      }
      expect((await who.getBlock(doc.id)).content).toBe('how agents share memory');
    },
  );
  expect(run.inFlightAtKill).toBeGreaterThanOrEqual(15);
  expect(run.answered).toBe(200);
  expect(increments).toBe(50);
  const final = await alice.getBlock(counter.id);
  expect(JSON.parse(final.content)).toEqual({ n: 50 });
  expect(final.version).toBe(51);
  expect((await bob.blockHistory(counter.id)).map((h) => h.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
}, 180_000);

it('a replica logs where it listens at startup: NATS URL, request subjects and queue group', async () => {
  const r = startReplica('log', ['--namespace', 'logns'], { HVS_NVM_LOG_LEVEL: 'info' });
  await r.until((l) => l.length > 0);
  const ready = r.lines[0] as {
    ready: boolean;
    natsUrl: string;
    subjects: string[];
    queue: string;
    nvm: { subjects: string[]; queue: string };
  };
  expect(ready).toMatchObject({ ready: true, natsUrl: srv.url, queue: 'hvs-projector-remote', nvm: { queue: 'nvm-projector-logns' } });
  expect(ready.subjects).toContain('hvsnvm.q.hvs.remote.search');
  expect(ready.nvm.subjects).toContain('hvsnvm.q.nvm.logns.get');
  type LogLine = { msg: string; natsUrl?: string; queue?: string; subjects?: string[] };
  const logged = (msg: string) =>
    r
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine)
      .find((l) => l.msg === msg);
  // stderr arrives on its own pipe: the log lines may come just after the ready line.
  await expect.poll(() => logged('serving the NVM block view')).toMatchObject({ natsUrl: srv.url, queue: 'nvm-projector-logns' });
  expect(logged('serving the HVS projection')).toMatchObject({ natsUrl: srv.url, queue: 'hvs-projector-remote' });
  expect(logged('serving the HVS projection')!.subjects).toContain('hvsnvm.q.hvs.remote.search');
  await r.kill9();
});

it('a replica started with --quantization holds its graph so: exact answers, and its checkpoint records it', async () => {
  const dim = 16;
  await using writer = await HVS.open({
    storagePath: join(dir, 'qw'),
    natsUrl: srv.url,
    collection: 'quant',
    dimension: dim,
    geometry: 'spherical',
  });
  const vectors = Array.from({ length: 300 }, () => randn(dim));
  const ids = await writer.batchStoreVectors(vectors.map((vector, i) => ({ vector, metadata: { i } })));
  const r = runFixture(
    'apps/projector/src/main.ts',
    ['--data-dir', dir, '--replica', 'q', '--collection', 'quant', '--dimension', String(dim), '--geometry', 'spherical'].concat([
      '--quantization',
      'binary',
      '--rescore-factor',
      '30',
      '--insert-threads',
      '2',
    ]),
    { NATS_URL: srv.url, HVS_NVM_ENCODER: 'hashing' },
  );
  replicas.push(r);
  await r.until((l) => l.length > 0);
  await using client = await HVS.open({
    storagePath: join(dir, 'qc'),
    natsUrl: srv.url,
    collection: 'quant',
    dimension: dim,
    geometry: 'spherical',
    projection: 'remote',
  });
  // Rescored from the float vectors: a stored vector's own id comes first at distance 0 (not a Hamming estimate).
  for (const i of [0, 17, 299]) {
    const hits = await client.semanticSearch(vectors[i]!, { k: 3 });
    expect(hits[0]?.vector.id).toBe(ids[i]);
    expect(hits[0]?.distance).toBeCloseTo(0, 5);
  }
  r.proc.kill('SIGTERM');
  expect(await r.exited).toBe(0);
  const projection = join(dir, 'projector', 'quant-rq', 'projection', `quant-spherical-${dim}`, 'index');
  const manifest = JSON.parse(readFileSync(join(projection, 'manifest.json'), 'utf8')) as { quantization?: string };
  expect(manifest.quantization).toBe('binary');
  expect(readdirSync(projection).some((f) => f.endsWith('.hnsw.raw'))).toBe(true);
}, 120_000);

it('bad projector arguments are usage errors (exit 2) naming the argument, before anything connects', async () => {
  for (const [args, named] of [
    [['--dimension', 'many'], '--dimension'],
    [['--dimension', '0'], '--dimension'],
    [['--geometry', 'flat'], '--geometry'],
    [['--collection', 'no spaces'], '--collection'],
    [['--namespace', 'a.b'], '--namespace'],
    [['--encoder', 'gpt'], '--encoder'],
    [['--no-such-flag'], 'no-such-flag'],
    [['--quantization', 'int4'], '--quantization'],
    [['--quantization', 'binary', '--geometry', 'euclidean'], '--quantization'],
    [['--quantization', 'int8', '--rescore-factor', '0'], '--rescore-factor'],
    [['--insert-threads', 'two'], '--insert-threads'],
  ] as const) {
    const child = runFixture('apps/projector/src/main.ts', [...args], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(await child.exited, args.join(' ')).toBe(2);
    expect(child.stderr()).toContain(named);
    expect(child.stderr()).toContain('usage: projector');
  }
});

it('a projector for a collection of another shape exits with the typed error, not a stack trace', async () => {
  await using writer = await HVS.open({ storagePath: join(dir, 'shape'), natsUrl: srv.url, collection: 'shaped', dimension: 8 });
  await writer.storeVector(randn(8));
  const child = startReplica('shape', ['--collection', 'shaped', '--dimension', '16']);
  expect(await child.exited).toBe(2);
  expect(child.stderr()).toContain('projector: COLLECTION_MISMATCH: ');
  expect(child.stderr()).not.toMatch(/\n\s+at /);
});
