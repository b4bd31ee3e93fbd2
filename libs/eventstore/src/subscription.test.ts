// Catch-up subscriptions over a real nats-server: history then live with no gap and no duplicate, resuming from a
// checkpoint, and parking foreign or malformed messages without stopping.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { encodeEventData, hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { EventStore, type AnyNewEvent, type ParkedMessage, type RecordedEvent } from './index.js';

let srv: TempNatsServer;
let nc: NatsConnection;
let writerNc: NatsConnection;
let storeCount = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc = await connect({ servers: srv.url, name: 'sub-test-reader' });
  writerNc = await connect({ servers: srv.url, name: 'sub-test-writer' });
});
afterAll(async () => {
  await nc?.close();
  await writerNc?.close();
  await srv?.stop();
});

const fact = (i: number): AnyNewEvent => ({
  type: 'FactAdded',
  data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
});
const indexOf = (e: RecordedEvent) => (e.data as { timestamp: number }).timestamp;

/** Appends events i in [from, to) one by one, spread over a few streams. */
async function appendRange(store: EventStore, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await store.appendToStream(`fact.s${i % 7}`, [fact(i)]);
}

describe('catch-up subscriptions', () => {
  it('passes over the streams `skip` names without delivering them, and still reports their positions', async () => {
    const collection = `sub${++storeCount}`;
    await using store = await EventStore.open(nc, { names: hvsNames(collection) });
    await appendRange(store, 0, 21);
    const progressed: number[] = [];
    // fact.s0 .. fact.s6: skip the streams of even number.
    const sub = store.subscribeToAll({
      skip: (streamId) => Number(streamId.slice('fact.s'.length)) % 2 === 0,
      onProgress: (p) => progressed.push(p),
    });
    const seen: RecordedEvent[] = [];
    for await (const e of sub) {
      seen.push(e);
      if (seen.length === 9) break;
    }
    expect(seen.map(indexOf)).toEqual([1, 3, 5, 8, 10, 12, 15, 17, 19]);
    // Every position before the last delivered one was dealt with, the skipped ones included.
    expect(progressed.slice(0, 19)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    await sub.stop();
  });

  it('started mid-store, delivers every event from that position exactly once, in order, history then live', async () => {
    const collection = `sub${++storeCount}`;
    await using store = await EventStore.open(nc, { names: hvsNames(collection) });
    await using writer = await EventStore.open(writerNc, { names: hvsNames(collection) });
    await appendRange(writer, 0, 40);
    const sub = store.subscribeToAll({ fromPosition: 11 });
    const seen: RecordedEvent[] = [];
    let live: Promise<void> | undefined;
    for await (const e of sub) {
      seen.push(e);
      // Start writing while history is still being delivered, so history and live overlap.
      live ??= appendRange(writer, 40, 100);
      if (seen.length === 90) break;
    }
    await live;
    await sub.caughtUp;
    expect(seen.map((e) => e.position)).toEqual(Array.from({ length: 90 }, (_, i) => i + 11));
    expect(seen.map(indexOf)).toEqual(Array.from({ length: 90 }, (_, i) => i + 10));
    expect(sub.position).toBe(100);
    expect(sub.parked).toEqual([]);
  });

  it('resumed from its checkpoint (last position + 1) while appends go on, sees every event exactly once overall', async () => {
    const collection = `sub${++storeCount}`;
    await using store = await EventStore.open(nc, { names: hvsNames(collection) });
    await using writer = await EventStore.open(writerNc, { names: hvsNames(collection) });
    const total = 150;
    await appendRange(writer, 0, 20);
    const writing = appendRange(writer, 20, total);
    const seen: number[] = [];
    let checkpoint = 0;
    for (let round = 0; seen.length < total; round++) {
      expect(round).toBeLessThan(total);
      const sub = store.subscribeToAll({ fromPosition: checkpoint + 1 });
      let inRound = 0;
      for await (const e of sub) {
        seen.push(indexOf(e));
        checkpoint = e.position;
        // Stop after a few events each round: a checkpointing consumer that restarts all the time.
        if (++inRound === 17 || seen.length === total) break;
      }
      await sub.closed;
    }
    await writing;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('to one stream, delivers its events from a revision and none of other streams', async () => {
    await using store = await EventStore.open(nc, { names: hvsNames(`sub${++storeCount}`) });
    await store.appendToStream('block.a', [fact(0), fact(1), fact(2)]);
    await store.appendToStream('block.b', [fact(100)]);
    const sub = store.subscribeToStream('block.a', { fromRevision: 1 });
    const seen: number[] = [];
    for await (const e of sub) {
      seen.push(e.revision);
      if (e.revision === 2) void store.appendToStream('block.a', [fact(3)]).then(() => store.appendToStream('block.b', [fact(101)]));
      if (e.revision === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('filtered by stream pattern and event type, delivers only matching events but still reports progress', async () => {
    await using store = await EventStore.open(nc, { names: hvsNames(`sub${++storeCount}`) });
    await store.appendToStream('fact.a', [fact(0)]);
    await store.appendToStream('block.x', [{ type: 'BlockDeleted', data: { blockId: 'x' } }]);
    await store.appendToStream('fact.b', [{ type: 'BlockDeleted', data: { blockId: 'y' } }]);
    await store.appendToStream('fact.c', [fact(1)]);
    const progress: number[] = [];
    const sub = store.subscribeToAll({ filter: 'fact.>', types: ['FactAdded'], onProgress: (p) => progress.push(p) });
    const seen: string[] = [];
    for await (const e of sub) {
      seen.push(`${e.position}:${e.streamId}:progress=${progress.join(',')}`);
      if (e.position === 4) break;
    }
    // Position 3 (a BlockDeleted on fact.b) is skipped but still counted; block.x never reaches this subscriber.
    expect(seen).toEqual(['1:fact.a:progress=', '4:fact.c:progress=1,3']);
  });

  it('stops on abort, and stop() before iterating resolves', async () => {
    await using store = await EventStore.open(nc, { names: hvsNames(`sub${++storeCount}`) });
    await store.appendToStream('fact.a', [fact(0)]);
    const ac = new AbortController();
    const sub = store.subscribeToAll({ signal: ac.signal });
    const seen: number[] = [];
    for await (const e of sub) {
      seen.push(e.position);
      ac.abort();
    }
    await sub.closed;
    expect(seen).toEqual([1]);
    const idle = store.subscribeToAll();
    await idle.stop();
    await idle.closed;
  });
});

describe('foreign and malformed messages on a store subject', () => {
  it('are skipped and reported as parked; the subscriber keeps going and delivers the next valid event', async () => {
    const names = hvsNames(`sub${++storeCount}`);
    const storeParked: ParkedMessage[] = [];
    await using store = await EventStore.open(nc, { names, onParked: (p) => storeParked.push(p) });
    await store.appendToStream('fact.ok', [fact(0)]);

    const js = jetstream(writerNc);
    // 2: raw core publish, no headers.
    writerNc.publish(`${names.prefix}.fact.raw`, new TextEncoder().encode('hello'));
    await writerNc.flush();
    // 3: JetStream publish of junk bytes, no headers.
    await js.publish(`${names.prefix}.fact.junk`, new Uint8Array([1, 2, 3, 4, 5]));
    // 4: a valid payload under an unknown event type.
    const unknown = headers();
    unknown.set('Hvs-Type', 'Bogus');
    unknown.set('Hvs-Schema', '1');
    await js.publish(`${names.prefix}.fact.unknown`, encodeEventData({}), { headers: unknown });
    // 5: a known type whose payload is not our codec.
    const known = headers();
    known.set('Hvs-Type', 'FactAdded');
    known.set('Hvs-Schema', '1');
    known.set('Hvs-Revision', '0');
    await js.publish(`${names.prefix}.fact.bytes`, new TextEncoder().encode('{"factId":"x"}'), { headers: known });
    // 6: a known type whose data fails its schema.
    await js.publish(`${names.prefix}.fact.schema`, encodeEventData({ factId: 'bad id' }), { headers: known });
    // 7: a schema version from the future.
    const future = headers();
    future.set('Hvs-Type', 'FactAdded');
    future.set('Hvs-Schema', '99');
    await js.publish(`${names.prefix}.fact.future`, encodeEventData(fact(9).data), { headers: future });
    await store.appendToStream('fact.ok', [fact(1)]);

    const subParked: ParkedMessage[] = [];
    const sub = store.subscribeToAll({ onParked: (p) => subParked.push(p) });
    const seen: number[] = [];
    for await (const e of sub) {
      seen.push(e.position);
      if (e.position === 1) void store.appendToStream('fact.ok', [fact(2)]);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 8, 9]);
    expect(subParked.map((p) => [p.position, p.subject])).toEqual([
      [2, `${names.prefix}.fact.raw`],
      [3, `${names.prefix}.fact.junk`],
      [4, `${names.prefix}.fact.unknown`],
      [5, `${names.prefix}.fact.bytes`],
      [6, `${names.prefix}.fact.schema`],
      [7, `${names.prefix}.fact.future`],
    ]);
    expect(subParked.map((p) => p.reason)).toEqual([
      expect.stringContaining('no headers'),
      expect.stringContaining('no headers'),
      expect.stringContaining("unknown event type 'Bogus'"),
      expect.stringContaining('undecodable FactAdded payload'),
      expect.stringContaining('FactAdded failed its schema'),
      expect.stringContaining("unsupported schema version '99'"),
    ]);
    expect(sub.parked).toEqual(subParked);
    expect(storeParked).toEqual(subParked);

    // Reads skip them too.
    const all: number[] = [];
    for await (const e of store.readAll()) all.push(e.position);
    expect(all).toEqual([1, 8, 9]);
    expect(await store.readStream('fact.schema')).toEqual([]);
  });

  it('do not disturb appends with an expected revision on other streams', async () => {
    const names = hvsNames(`sub${++storeCount}`);
    await using store = await EventStore.open(nc, { names });
    writerNc.publish(`${names.prefix}.fact.a`, new Uint8Array([0]));
    await writerNc.flush();
    const id = randomUUID();
    const r = await store.appendToStream('fact.b', [{ ...fact(0), eventId: id }], { expectedRevision: 'no_stream' });
    expect(r).toMatchObject({ nextExpectedRevision: 0, position: 2 });
    expect((await store.readStream('fact.b')).map((e) => e.metadata.eventId)).toEqual([id]);
  });
});
