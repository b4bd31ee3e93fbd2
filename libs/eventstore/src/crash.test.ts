// Durability over a real `kill -9` of nats-server: acknowledged events survive, and appends in flight recover on restart.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { EventStore, type AnyNewEvent, type RecordedEvent } from './index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function serverAndConnection(): Promise<{ srv: TempNatsServer; nc: NatsConnection }> {
  const srv = await TempNatsServer.start();
  cleanup.push(() => srv.stop());
  // Reconnect forever, quickly: the test restarts the server on the same port.
  const nc = await connect({ servers: srv.url, maxReconnectAttempts: -1, reconnectTimeWait: 100, name: 'crash-test' });
  cleanup.push(() => nc.close());
  return { srv, nc };
}

const fact = (i: number, eventId = randomUUID()): AnyNewEvent => ({
  type: 'FactAdded',
  data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'crash', timestamp: i },
  eventId,
});

async function readAllEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
}

/** Retries a read until the restarted server answers (JetStream recovers its streams first). */
async function eventually<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('after kill -9 of nats-server', () => {
  it('keeps every acknowledged event; the store reconnects and reads them all back', async () => {
    const { srv, nc } = await serverAndConnection();
    await using store = await EventStore.open(nc, { names: hvsNames('durable') });
    const n = 500;
    const items = Array.from({ length: n }, (_, i) => ({ streamId: `vec.v${i}`, event: fact(i) }));
    await store.appendNewStreams(items.slice(0, 400));
    for (const { streamId, event } of items.slice(400)) await store.appendToStream(streamId, [event]);
    await store.appendToStream('block.multi', [fact(1000), fact(1001), fact(1002)], { expectedRevision: 'no_stream' });

    await srv.crashAndRestart();

    const events = await eventually(() => readAllEvents(store));
    expect(events).toHaveLength(n + 3);
    expect(events.map((e) => e.metadata.eventId)).toEqual([
      ...items.map((i) => i.event.eventId),
      ...events.slice(n).map((e) => e.metadata.eventId),
    ]);
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: n + 3 }, (_, i) => i + 1));
    expect((await store.readStream('block.multi')).map((e) => e.revision)).toEqual([0, 1, 2]);
    // Appending after the restart continues the revisions.
    const next = await store.appendToStream('block.multi', [fact(1003)], { expectedRevision: 2 });
    expect(next).toMatchObject({ nextExpectedRevision: 3, position: n + 4, duplicate: false });
  });

  it('an event store appending while the server is killed and restarted stores every acknowledged append exactly once', async () => {
    const { srv, nc } = await serverAndConnection();
    await using store = await EventStore.open(nc, { names: hvsNames('inflight'), publishRetries: 30 });
    const acked = new Map<string, number>();
    const failed: string[] = [];
    let stop = false;
    const writers = 4;
    const perWriter = 150;

    // Each writer appends to its own stream ('any') and to fresh streams, sequentially, until told to stop.
    const writer = async (w: number) => {
      for (let i = 0; i < perWriter && !stop; i++) {
        const event = fact(w * 10_000 + i);
        const streamId = i % 2 ? `block.w${w}` : `vec.w${w}-${i}`;
        try {
          const r = await store.appendToStream(streamId, [event], { expectedRevision: i % 2 ? 'any' : 'no_stream' });
          acked.set(event.eventId!, r.position);
        } catch {
          failed.push(event.eventId!);
        }
      }
    };
    const running = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    while (acked.size < 100) await new Promise((r) => setTimeout(r, 5));
    await srv.crashAndRestart();
    await running;
    stop = true;

    // The store rode out the crash: every append was eventually acknowledged.
    expect(failed).toEqual([]);
    expect(acked.size).toBe(writers * perWriter);
    const events = await eventually(() => readAllEvents(store));
    const ids = events.map((e) => e.metadata.eventId);
    // Nothing is stored twice …
    expect(new Set(ids).size).toBe(ids.length);
    // … every acknowledged append is there, at the position its ack named …
    const byId = new Map(events.map((e) => [e.metadata.eventId, e.position]));
    for (const [id, position] of acked) expect(byId.get(id)).toBe(position);
    // … and nothing appears that was neither acknowledged nor attempted.
    for (const id of ids) expect(acked.has(id) || failed.includes(id)).toBe(true);
    // Each writer's own stream has contiguous revisions.
    for (let w = 0; w < writers; w++) {
      const revs = (await store.readStream(`block.w${w}`)).map((e) => e.revision);
      expect(revs).toEqual(revs.map((_, i) => i));
    }
  });

  it('a live catch-up subscription carries on after the restart with no gap and no duplicate', async () => {
    const { srv, nc } = await serverAndConnection();
    await using store = await EventStore.open(nc, { names: hvsNames('live') });
    for (let i = 0; i < 50; i++) await store.appendToStream(`fact.s${i % 3}`, [fact(i)]);
    const sub = store.subscribeToAll();
    const seen: number[] = [];
    const positions: number[] = [];
    let firstWriter: Promise<void> | undefined;
    let writing: Promise<void> | undefined;
    for await (const e of sub) {
      seen.push((e.data as { timestamp: number }).timestamp);
      positions.push(e.position);
      if (seen.length === 50) {
        firstWriter = (async () => {
          for (let i = 50; i < 70; i++) await store.appendToStream(`fact.s${i % 3}`, [fact(i)]);
        })();
      }
      if (seen.length === 60) {
        const crashed = srv.crashAndRestart();
        // Keep appending through the crash; the store waits for the server and retries.
        writing = (async () => {
          await firstWriter;
          await crashed;
          for (let i = 70; i < 100; i++) await store.appendToStream(`fact.s${i % 3}`, [fact(i)]);
        })();
      }
      if (seen.length === 100) break;
    }
    await writing;
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(positions).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
