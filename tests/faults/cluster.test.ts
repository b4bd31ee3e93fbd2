// Fault test on a real 3-node JetStream cluster: kill -9 nodes while vectors and messages are written through it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { TempNatsCluster } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';

const COLLECTION = 'faults';
const DIM = 8;
const BATCH = 50;

let cluster: TempNatsCluster;
let dir: string;
let admin: NatsConnection;

beforeAll(async () => {
  cluster = await TempNatsCluster.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-cluster-'));
  admin = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'fault-admin' });
});
afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const randn = () => Array.from({ length: DIM }, () => Math.random() * 2 - 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node index of a stream's current leader (asked through the admin connection, which fails over too). */
async function streamLeader(stream: string): Promise<number> {
  const jsm = await jetstreamManager(admin, { timeout: 5000 });
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const leader = (await jsm.streams.info(stream)).cluster?.leader;
      if (leader) return cluster.indexOf(leader);
    } catch {
      // leader election in progress
    }
    await sleep(200);
  }
  throw new Error(`stream ${stream} has no leader`);
}

/**
 * How long writes stalled around a crash: the longest gap between consecutive acks from the crash until `until`
 * (writes in flight at the crash still complete at once; the stall comes when the next ones find no leader).
 */
function failoverMs(acks: number[], at: number, until: number): number {
  const times = [...acks].sort((a, b) => a - b);
  let longest = 0;
  let previous = times.filter((t) => t <= at).at(-1) ?? at;
  for (const t of times) {
    if (t <= at) continue;
    longest = Math.max(longest, t - previous);
    previous = t;
    // The first ack after the window closes the last gap in it.
    if (t > until) break;
  }
  return longest;
}

/** Waits until every replica of `stream` is current with its leader; returns how long that took. */
async function replicasCurrent(stream: string, timeoutMs = 60_000): Promise<number> {
  const jsm = await jetstreamManager(admin, { timeout: 5000 });
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const info = await jsm.streams.info(stream);
      const replicas = info.cluster?.replicas ?? [];
      if (info.cluster?.leader && replicas.length === 2 && replicas.every((r) => r.current && !r.offline && (r.lag ?? 0) === 0)) {
        return Date.now() - started;
      }
    } catch {
      // leader election in progress
    }
    await sleep(100);
  }
  throw new Error(`replicas of ${stream} did not catch up within ${timeoutMs} ms`);
}

it("R3 streams: every acknowledged vector and message survives kill -9 of a stream leader and of the client's node, exactly once", async () => {
  await using hvs = await HVS.open({
    natsUrl: cluster.urls,
    replicas: 3,
    storagePath: join(dir, 'writer'),
    collection: COLLECTION,
    dimension: DIM,
    actor: 'fault-writer',
  });
  await hvs.connectModel('alice');
  await hvs.connectModel('bob');

  const vectorIds: string[] = [];
  const messageIds: string[] = [];
  const acks: number[] = [];
  const vectorAcks: number[] = [];
  const messageAcks: number[] = [];
  let batchRetries = 0;
  let messageFailures = 0;
  let running = true;

  // Vectors: fixed ids per batch, so a batch that failed is retried with the same ids (an upsert, never a second copy).
  const vectorLoop = (async () => {
    for (let b = 0; running; b++) {
      const items = Array.from({ length: BATCH }, (_, i) => ({ id: `v${b}_${i}`, vector: randn(), metadata: { b, i } }));
      for (;;) {
        try {
          await hvs.batchStoreVectors(items);
          break;
        } catch (err) {
          batchRetries++;
          console.warn(`batch ${b} failed, retrying: ${(err as Error).message}`);
          await sleep(100);
        }
      }
      acks.push(Date.now());
      vectorAcks.push(Date.now());
      vectorIds.push(...items.map((x) => x.id));
    }
  })();
  // Messages: three senders in parallel; a failed send is not retried (its id was never acknowledged).
  const messageLoops = [0, 1, 2].map(async (lane) => {
    for (let n = 0; running; n++) {
      try {
        const id = await hvs.sendMessage('alice', 'bob', { lane, n });
        acks.push(Date.now());
        messageAcks.push(Date.now());
        messageIds.push(id);
        await sleep(2);
      } catch (err) {
        messageFailures++;
        console.warn(`message ${lane}/${n} failed: ${(err as Error).message}`);
      }
    }
  });

  const crashes: { what: string; node: string; at: number; restartedAt: number; catchUpMs: Record<string, number> }[] = [];
  // A restarted node must catch up on what was written while it was down, with writes still going on.
  const crashAndRecover = async (what: string, node: number) => {
    const at = Date.now();
    await cluster.kill(node);
    await sleep(5000);
    await cluster.restart(node);
    const restartedAt = Date.now();
    const catchUpMs: Record<string, number> = {};
    for (const stream of [`HVS_${COLLECTION}`, `MAIL_${COLLECTION}`]) catchUpMs[stream] = await replicasCurrent(stream);
    crashes.push({ what, node: cluster.nameOf(node), at, restartedAt, catchUpMs });
  };
  try {
    await sleep(2000);
    // Crash 1: the leader of the vector stream.
    await crashAndRecover('HVS stream leader', await streamLeader(`HVS_${COLLECTION}`));
    await sleep(2000);
    // Crash 2: the node the HVS client is connected to (it must reconnect elsewhere).
    const mine = await cluster.nodeOfConnection(`hvs:${COLLECTION}`);
    expect(mine).toBeGreaterThanOrEqual(0);
    await crashAndRecover("client's node", mine);
    await sleep(2000);
  } finally {
    running = false;
    await Promise.all([vectorLoop, ...messageLoops]);
  }

  // Every vector written is in the projection exactly once.
  await hvs.sync();
  const expected = new Set(vectorIds);
  expect(expected.size).toBe(vectorIds.length);
  expect(await hvs.count()).toBe(expected.size);
  const found = await hvs.batchRetrieveVectors(vectorIds);
  expect(found.filter((v) => v === null)).toHaveLength(0);
  // Exact search sees no duplicate and nothing unexpected (k is capped at 10,000, so this samples the nearest).
  const k = Math.min(10_000, expected.size);
  const hits = (await hvs.semanticSearch(randn(), { k, exact: true })).map((r) => r.vector.id);
  expect(hits).toHaveLength(k);
  expect(new Set(hits).size).toBe(k);
  expect(hits.filter((id) => !expected.has(id))).toEqual([]);

  // A fresh reader replaying the log from the cluster sees the same set.
  await using reader = await HVS.open({
    natsUrl: cluster.urls,
    replicas: 3,
    storagePath: join(dir, 'reader'),
    collection: COLLECTION,
    dimension: DIM,
  });
  expect(await reader.count()).toBe(expected.size);

  // Every acknowledged message is delivered to bob exactly once (a failed send may have landed: at most once more).
  const received: string[] = [];
  for (;;) {
    const batch = await reader.receiveMessages('bob', { max: 1000, waitMs: 500 });
    if (batch.length === 0) break;
    received.push(...batch.map((m) => m.id));
  }
  expect(new Set(received).size).toBe(received.length);
  const got = new Set(received);
  expect(messageIds.filter((id) => !got.has(id))).toEqual([]);
  expect(received.length - messageIds.length).toBeLessThanOrEqual(messageFailures);

  const report = {
    crashesInjected: crashes.length,
    crashes: crashes.map((c) => ({
      ...c,
      failoverMs: failoverMs(acks, c.at, c.restartedAt),
      vectorFailoverMs: failoverMs(vectorAcks, c.at, c.restartedAt),
      messageFailoverMs: failoverMs(messageAcks, c.at, c.restartedAt),
    })),
    vectorsAcked: vectorIds.length,
    vectorsFound: await reader.count(),
    batchRetries,
    messagesAcked: messageIds.length,
    messagesReceived: received.length,
    messageFailures,
    maxGapBetweenAcksMs: Math.max(...acks.sort((a, b) => a - b).map((t, i) => (i === 0 ? 0 : t - acks[i - 1]!))),
  };
  console.log('[cluster fault report]', JSON.stringify(report, null, 2));
}, 240_000);
