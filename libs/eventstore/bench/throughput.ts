// Measures event store throughput on a private nats-server: batched and sequential appends, and catch-up reads.
//
// Run from the repo root: node --import tsx --conditions=@hvs-nvm/source libs/eventstore/bench/throughput.ts [events]
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { encodeEventData, hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { EventStore, type AnyNewEvent } from '@hvs-nvm/eventstore';

const total = Number(process.argv[2] ?? 50_000);
const batchSize = 1000;
const sequentialCount = Math.min(total, 5000);
/** 256 float32 = 1 KB of payload per event. */
const dimension = 256;

const vectorEvent = (i: number): AnyNewEvent => ({
  type: 'VectorStored',
  data: { id: `v${i}`, vector: Float32Array.from({ length: dimension }, (_, k) => Math.sin(i + k)), metadata: { i } },
});

function report(label: string, events: number, ms: number, bytesPerEvent: number): void {
  const perSecond = (events / ms) * 1000;
  const mbPerSecond = (perSecond * bytesPerEvent) / 1e6;
  console.log(
    `${label.padEnd(52)} ${String(events).padStart(7)} events  ${ms.toFixed(0).padStart(6)} ms  ${perSecond.toFixed(0).padStart(7)} events/s  ${mbPerSecond.toFixed(1)} MB/s`,
  );
}

const srv = await TempNatsServer.start();
const nc = await connect({ servers: srv.url, name: 'bench' });
try {
  const bytesPerEvent = dimension * 4;
  console.log(`nats-server ${srv.url}, file storage, ${total} events of ${bytesPerEvent} B vector payload`);

  // 0. Baseline: raw JetStream publishes of the same payloads, pipelined in the same batches.
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'RAW', subjects: ['raw.>'] });
  const js = jetstream(nc);
  const payloads = Array.from({ length: total }, (_, i) => encodeEventData(vectorEvent(i).data));
  let t = performance.now();
  for (let i = 0; i < total; i += batchSize) {
    await Promise.all(payloads.slice(i, i + batchSize).map((p, k) => js.publish(`raw.b${i + k}`, p, { msgID: randomUUID() })));
  }
  report(`raw js.publish baseline (batches of ${batchSize})`, total, performance.now() - t, bytesPerEvent);

  // 1. appendNewStreams, batches of 1000 (publishes pipelined, acks awaited per batch).
  const store = await EventStore.open(nc, { names: hvsNames('bench_batch') });
  const events = Array.from({ length: total }, (_, i) => vectorEvent(i));
  t = performance.now();
  for (let i = 0; i < total; i += batchSize) {
    await store.appendNewStreams(events.slice(i, i + batchSize).map((event, k) => ({ streamId: `vec.b${i + k}`, event })));
  }
  report(`appendNewStreams (batches of ${batchSize})`, total, performance.now() - t, bytesPerEvent);

  // 2. Sequential appendToStream 'any' on distinct streams (a tip lookup plus a publish each).
  const seq = await EventStore.open(nc, { names: hvsNames('bench_seq') });
  t = performance.now();
  for (let i = 0; i < sequentialCount; i++) await seq.appendToStream(`vec.s${i}`, [events[i]!]);
  report("appendToStream 'any', sequential, distinct streams", sequentialCount, performance.now() - t, bytesPerEvent);

  // 3. Sequential appendToStream 'any' on one stream (tip cached after the first append).
  t = performance.now();
  for (let i = 0; i < sequentialCount; i++) await seq.appendToStream('vec.one', [events[i]!]);
  report("appendToStream 'any', sequential, one stream", sequentialCount, performance.now() - t, bytesPerEvent);

  // 4. Catch-up subscription over the whole batched store, decoding and validating every event.
  t = performance.now();
  const sub = store.subscribeToAll();
  let seen = 0;
  for await (const e of sub) {
    if (++seen === total) break;
    void e;
  }
  report('subscribeToAll catch-up (decode + validate)', seen, performance.now() - t, bytesPerEvent);

  // 5. readAll over the same events.
  t = performance.now();
  let read = 0;
  for await (const e of store.readAll()) {
    read++;
    void e;
  }
  report('readAll', read, performance.now() - t, bytesPerEvent);

  await store.close();
  await seq.close();
} finally {
  await nc.close();
  await srv.stop();
}
