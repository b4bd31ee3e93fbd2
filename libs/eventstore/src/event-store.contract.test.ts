// The event-store port's contract, run against both implementations: JetStream (a real nats-server) and in memory.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import {
  EventStore,
  EventValidationError,
  InMemoryEventStore,
  InvalidStreamIdError,
  NewStreamsConflictError,
  WrongExpectedVersionError,
  type AnyNewEvent,
  type EventStorePort,
  type RecordedEvent,
} from './index.js';

let srv: TempNatsServer;
let nc: NatsConnection;
let count = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc = await connect({ servers: srv.url, name: 'contract-test' });
});
afterAll(async () => {
  await nc?.close();
  await srv?.stop();
});

const implementations: [string, () => Promise<EventStorePort>][] = [
  ['EventStore (JetStream)', () => EventStore.open(nc, { names: hvsNames(`contract${++count}`) })],
  ['InMemoryEventStore', async () => new InMemoryEventStore()],
];

const fact = (i: number, eventId?: string): AnyNewEvent => ({
  type: 'FactAdded',
  data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
  ...(eventId ? { eventId } : {}),
});

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe.each(implementations)('%s', (_name, open) => {
  it('appends with expected revisions: no_stream, a number, stream_exists, any; a stale one is refused', async () => {
    await using store = await open();
    const first = await store.appendToStream('s.a', [fact(0)], { expectedRevision: 'no_stream' });
    expect(first).toEqual({ nextExpectedRevision: 0, position: 1, duplicate: false });
    const second = await store.appendToStream('s.a', [fact(1), fact(2)], { expectedRevision: 0 });
    expect(second).toMatchObject({ nextExpectedRevision: 2, position: 3 });
    await store.appendToStream('s.a', [fact(3)], { expectedRevision: 'stream_exists' });
    await store.appendToStream('s.b', [fact(4)]);
    await expect(store.appendToStream('s.a', [fact(5)], { expectedRevision: 1 })).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      status: 412,
      actual: 3,
    });
    await expect(store.appendToStream('s.a', [fact(5)], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await expect(store.appendToStream('s.c', [fact(5)], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      actual: 'no_stream',
    });
    await expect(store.appendToStream('s.c', [fact(5)], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.headPosition()).toBe(5);
    expect(await store.streamTip('s.a')).toEqual({ revision: 3, position: 4 });
    expect(await store.streamTip('s.none')).toBeUndefined();
  });

  it('refuses bad events and bad stream ids, and appends nothing', async () => {
    await using store = await open();
    await expect(store.appendToStream('s.a', [])).rejects.toBeInstanceOf(EventValidationError);
    await expect(store.appendToStream('s.a', [{ type: 'FactAdded', data: { nope: 1 } } as never])).rejects.toBeInstanceOf(
      EventValidationError,
    );
    await expect(store.appendToStream('s.a', [{ type: 'NoSuchEvent', data: {} } as never])).rejects.toBeInstanceOf(EventValidationError);
    await expect(store.appendToStream('a b', [fact(0)])).rejects.toBeInstanceOf(InvalidStreamIdError);
    await expect(store.appendToStream('a.*', [fact(0)])).rejects.toBeInstanceOf(InvalidStreamIdError);
    expect(await store.headPosition()).toBe(0);
  });

  it('a retried append with the same event ids is stored once and answered as a duplicate', async () => {
    await using store = await open();
    const ids = [randomUUID(), randomUUID()];
    const a = await store.appendToStream('s.a', [fact(0, ids[0]), fact(1, ids[1])], { expectedRevision: 'no_stream' });
    const again = await store.appendToStream('s.a', [fact(0, ids[0]), fact(1, ids[1])], { expectedRevision: 'no_stream' });
    expect(again).toEqual({ nextExpectedRevision: a.nextExpectedRevision, position: a.position, duplicate: true });
    expect(await store.readStream('s.a')).toHaveLength(2);
  });

  it('reads a stream forwards and backwards, from a revision, and the store by pattern, type and position', async () => {
    await using store = await open();
    await store.appendToStream('fact.a', [fact(0), fact(1), fact(2)], { actor: 'alice', expectedRevision: 'no_stream' });
    await store.appendToStream('fact.b', [fact(3)]);
    await store.appendToStream('other.c', [{ type: 'VectorDeleted', data: { id: 'v1' } } as AnyNewEvent]);
    const forwards = await store.readStream('fact.a');
    expect(forwards.map((e) => [e.revision, e.position, e.streamId])).toEqual([
      [0, 1, 'fact.a'],
      [1, 2, 'fact.a'],
      [2, 3, 'fact.a'],
    ]);
    expect(forwards[0]!.metadata).toMatchObject({ actor: 'alice', type: 'FactAdded' });
    expect(forwards[0]!.data).toEqual(fact(0).data);
    expect((await store.readStream('fact.a', { direction: 'backwards', maxCount: 2 })).map((e) => e.revision)).toEqual([2, 1]);
    expect((await store.readStream('fact.a', { fromRevision: 1 })).map((e) => e.revision)).toEqual([1, 2]);
    expect(await store.readStream('none')).toEqual([]);
    expect((await collect(store.readAll())).map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
    expect((await collect(store.readAll({ filter: 'fact.>' }))).map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect((await collect(store.readAll({ filter: '*.b' }))).map((e) => e.position)).toEqual([4]);
    expect((await collect(store.readAll({ types: ['VectorDeleted'] }))).map((e) => e.position)).toEqual([5]);
    expect((await collect(store.readAll({ fromPosition: 3, maxCount: 2 }))).map((e) => e.position)).toEqual([3, 4]);
    expect((await store.lastEvent('fact.a'))?.position).toBe(3);
    expect(await store.lastEvent('none')).toBeUndefined();
  });

  it('appendNewStreams appends the fresh streams and reports the ones that exist', async () => {
    await using store = await open();
    await store.appendToStream('n.taken', [fact(0)]);
    const err = await store
      .appendNewStreams([
        { streamId: 'n.one', event: fact(1) },
        { streamId: 'n.taken', event: fact(2) },
        { streamId: 'n.two', event: fact(3) },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NewStreamsConflictError);
    expect((err as NewStreamsConflictError).conflicts).toEqual([1]);
    expect((err as NewStreamsConflictError).results.map((r) => r?.nextExpectedRevision)).toEqual([0, undefined, 0]);
    expect((await store.readStream('n.taken')).map((e) => e.revision)).toEqual([0]);
    expect((await store.readStream('n.two')).map((e) => e.revision)).toEqual([0]);
  });

  it('a catch-up subscription delivers history, then live events, in order, without gap or duplicate', async () => {
    await using store = await open();
    await store.appendToStream('fact.a', [fact(0), fact(1)]);
    await store.appendToStream('skip.x', [fact(2)]);
    const sub = store.subscribeToAll({ filter: 'fact.>', fromPosition: 2 });
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of sub) {
        seen.push(e.position);
        if (seen.length === 3) break;
      }
    })();
    await sub.caughtUp;
    await store.appendToStream('fact.b', [fact(3)]);
    await store.appendToStream('skip.x', [fact(4)]);
    await store.appendToStream('fact.a', [fact(5)]);
    await done;
    await sub.closed;
    expect(seen).toEqual([2, 4, 6]);
  });

  it('a stream subscription from a revision sees only that stream; stop() ends it', async () => {
    await using store = await open();
    await store.appendToStream('s.a', [fact(0), fact(1), fact(2)]);
    await store.appendToStream('s.b', [fact(3)]);
    const sub = store.subscribeToStream('s.a', { fromRevision: 1 });
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of sub) seen.push(e.revision);
    })();
    await sub.caughtUp;
    // caughtUp resolves once the last history event is handed out; the loop may still be taking it.
    await expect.poll(() => seen).toEqual([1, 2]);
    await sub.stop();
    await done;
    expect(sub.pending).toBe(0);
  });

  it('a closed store refuses appends', async () => {
    const store = await open();
    await store.close();
    await expect(store.appendToStream('s.a', [fact(0)])).rejects.toMatchObject({ code: 'EVENT_STORE_CLOSED' });
  });
});
