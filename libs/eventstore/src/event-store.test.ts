// Event store over a real nats-server: appends with expected revision under contention, idempotent ids,
// validation at append, and reading streams and the whole store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { hvsNames, type EventType } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import {
  EventStore,
  EventValidationError,
  InvalidStreamIdError,
  WrongExpectedVersionError,
  type AnyNewEvent,
  type AppendResult,
  type ExpectedRevision,
} from './index.js';

let srv: TempNatsServer;
let nc1: NatsConnection;
let nc2: NatsConnection;
let storeCount = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc1 = await connect({ servers: srv.url, name: 'es-test-1' });
  nc2 = await connect({ servers: srv.url, name: 'es-test-2' });
});
afterAll(async () => {
  await nc1?.close();
  await nc2?.close();
  await srv?.stop();
});

/** A fresh store (its own JetStream stream) for each test, so tests never see each other's events. */
async function openStore(nc: NatsConnection = nc1, collection = `es${++storeCount}`): Promise<EventStore> {
  return EventStore.open(nc, { names: hvsNames(collection) });
}

const fact = (i: number, eventId?: string): AnyNewEvent => ({
  type: 'FactAdded',
  data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
  ...(eventId ? { eventId } : {}),
});

/** Appends the same kind of event concurrently and sorts the outcomes into winners and losers. */
async function race(attempts: Promise<AppendResult>[]) {
  const settled = await Promise.allSettled(attempts);
  const won = settled.filter((s) => s.status === 'fulfilled');
  const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
  return { settled, won, lost };
}

describe('appendToStream with an expected revision', () => {
  it('lets exactly one of many concurrent appends at the same revision win; the others get WrongExpectedVersionError', async () => {
    await using a = await openStore(nc1, 'race-rev');
    await using b = await openStore(nc2, 'race-rev');
    await a.appendToStream('block.r', [fact(0)], { expectedRevision: 'no_stream' });
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const { settled, lost } = await race(
      ids.map((id, i) => (i % 2 ? a : b).appendToStream('block.r', [fact(1, id)], { expectedRevision: 0 })),
    );
    const winners = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [ids[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const err of lost) {
      expect(err).toBeInstanceOf(WrongExpectedVersionError);
      expect(err).toMatchObject({ streamId: 'block.r', expected: 0, actual: 1, status: 412 });
    }
    const events = await a.readStream('block.r');
    expect(events.map((e) => e.revision)).toEqual([0, 1]);
    expect(events[1]!.metadata.eventId).toBe(winners[0]);
  });

  it("lets exactly one of many concurrent 'no_stream' appends create the stream", async () => {
    await using a = await openStore(nc1, 'race-new');
    await using b = await openStore(nc2, 'race-new');
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const { settled, lost } = await race(
      ids.map((id, i) => (i % 2 ? a : b).appendToStream('block.n', [fact(i, id)], { expectedRevision: 'no_stream' })),
    );
    const winners = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [ids[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(lost.every((e) => e instanceof WrongExpectedVersionError)).toBe(true);
    const events = await b.readStream('block.n');
    expect(events.map((e) => [e.revision, e.metadata.eventId])).toEqual([[0, winners[0]]]);
  });

  it("refuses 'stream_exists' on a stream with no events and accepts it once the stream exists", async () => {
    await using store = await openStore();
    await expect(store.appendToStream('block.e', [fact(0)], { expectedRevision: 'stream_exists' })).rejects.toThrow(
      WrongExpectedVersionError,
    );
    expect(await store.readStream('block.e')).toEqual([]);
    await store.appendToStream('block.e', [fact(0)], { expectedRevision: 'no_stream' });
    const r = await store.appendToStream('block.e', [fact(1)], { expectedRevision: 'stream_exists' });
    expect(r.nextExpectedRevision).toBe(1);
    await expect(store.appendToStream('block.e', [fact(2)], { expectedRevision: 'no_stream' })).rejects.toThrow(WrongExpectedVersionError);
    expect((await store.readStream('block.e')).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('refuses a stale numeric revision and a revision ahead of the stream', async () => {
    await using store = await openStore();
    await store.appendToStream('block.s', [fact(0), fact(1), fact(2)]);
    for (const expectedRevision of [0, 1, 3, 7] satisfies ExpectedRevision[]) {
      const err = await store.appendToStream('block.s', [fact(9)], { expectedRevision }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WrongExpectedVersionError);
      expect(err).toMatchObject({ expected: expectedRevision, actual: 2 });
    }
    const r = await store.appendToStream('block.s', [fact(3)], { expectedRevision: 2 });
    expect(r.nextExpectedRevision).toBe(3);
    expect((await store.readStream('block.s')).map((e) => e.data)).toMatchObject([0, 1, 2, 3].map((i) => ({ factId: `f${i}` })));
  });

  it("keeps revisions contiguous for 20 concurrent 'any' appends from two stores on two connections", async () => {
    await using a = await openStore(nc1, 'race-any');
    await using b = await openStore(nc2, 'race-any');
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const { won } = await race(ids.map((id, i) => (i % 2 ? a : b).appendToStream('block.any', [fact(i, id)])));
    expect(won).toHaveLength(20);
    const events = await a.readStream('block.any');
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(events.map((e) => e.metadata.eventId).sort()).toEqual([...ids].sort());
    for (let i = 1; i < events.length; i++) expect(events[i]!.position).toBeGreaterThan(events[i - 1]!.position);
  });

  it('appends several events in order with consecutive revisions', async () => {
    await using store = await openStore();
    const first = await store.appendToStream('block.m', [fact(0), fact(1), fact(2)], { expectedRevision: 'no_stream' });
    expect(first.nextExpectedRevision).toBe(2);
    const next = await store.appendToStream('block.m', [fact(3), fact(4)], { expectedRevision: 2 });
    expect(next.nextExpectedRevision).toBe(4);
    const events = await store.readStream('block.m');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(events.map((e) => (e.data as { timestamp: number }).timestamp)).toEqual([0, 1, 2, 3, 4]);
    expect(events.at(-1)!.position).toBe(next.position);
  });
});

describe('idempotent appends', () => {
  it("stores a retried 'any' append with the same event id once, reports it as a duplicate, and keeps counting revisions", async () => {
    await using store = await openStore();
    const id = randomUUID();
    const first = await store.appendToStream('block.i', [fact(0, id)]);
    const retry = await store.appendToStream('block.i', [fact(0, id)]);
    expect(first.duplicate).toBe(false);
    expect(retry).toEqual({ ...first, duplicate: true });
    const next = await store.appendToStream('block.i', [fact(1)]);
    expect(next.nextExpectedRevision).toBe(1);
    expect((await store.readStream('block.i')).map((e) => [e.revision, e.metadata.eventId])).toEqual([
      [0, id],
      [1, expect.any(String)],
    ]);
  });

  it('stores a retried append at the same expected revision once and reports it as a duplicate', async () => {
    await using store = await openStore();
    const [id0, id1] = [randomUUID(), randomUUID()];
    const created = await store.appendToStream('block.j', [fact(0, id0)], { expectedRevision: 'no_stream' });
    expect(await store.appendToStream('block.j', [fact(0, id0)], { expectedRevision: 'no_stream' })).toEqual({
      ...created,
      duplicate: true,
    });
    const second = await store.appendToStream('block.j', [fact(1, id1)], { expectedRevision: 0 });
    // A second client retrying (no cached tip) must get the same answer.
    await using other = await openStore(nc2, store.names.stream.slice('HVS_'.length));
    expect(await other.appendToStream('block.j', [fact(1, id1)], { expectedRevision: 0 })).toEqual({
      ...second,
      duplicate: true,
    });
    expect(await store.appendToStream('block.j', [fact(1, id1)], { expectedRevision: 0 })).toEqual({
      ...second,
      duplicate: true,
    });
    expect((await store.readStream('block.j')).map((e) => e.metadata.eventId)).toEqual([id0, id1]);
  });

  it('stores a retried batch of new streams once', async () => {
    await using store = await openStore();
    const items = Array.from({ length: 50 }, (_, i) => ({ streamId: `vec.v${i}`, event: fact(i, randomUUID()) }));
    const first = await store.appendNewStreams(items);
    const again = await store.appendNewStreams(items);
    expect(first.every((r) => !r.duplicate)).toBe(true);
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect(again.map((r) => r.position)).toEqual(first.map((r) => r.position));
    expect(await store.headPosition()).toBe(50);
  });
});

describe('validation at append', () => {
  it('rejects an event that fails its schema with the zod message and appends nothing', async () => {
    await using store = await openStore();
    const bad = { type: 'FactAdded', data: { factId: 'has space', subject: 's', predicate: 'p', object: 'o', source: 's', timestamp: 1 } };
    const err = await store.appendToStream('fact.x', [bad as AnyNewEvent]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventValidationError);
    expect((err as Error).message).toContain("event 'FactAdded' does not match its schema");
    expect((err as Error).message).toContain('an id is 1-128 characters');
    expect((err as Error).message).toContain('factId');
    expect(err).toMatchObject({ code: 'INVALID_EVENT', status: 400 });
    expect(await store.headPosition()).toBe(0);
  });

  it('appends nothing of a batch when any of its events is invalid', async () => {
    await using store = await openStore();
    const missing = { type: 'FactAdded', data: { factId: 'f1' } } as unknown as AnyNewEvent;
    await expect(store.appendToStream('fact.y', [fact(0), missing])).rejects.toThrow(EventValidationError);
    await expect(
      store.appendNewStreams([
        { streamId: 'fact.z', event: fact(0) },
        { streamId: 'fact.w', event: missing },
      ]),
    ).rejects.toThrow(EventValidationError);
    expect(await store.headPosition()).toBe(0);
  });

  it('rejects an unknown event type and an empty append', async () => {
    await using store = await openStore();
    const unknown = { type: 'NoSuchEvent', data: {} } as unknown as AnyNewEvent;
    await expect(store.appendToStream('fact.q', [unknown])).rejects.toThrow(/NoSuchEvent.*unknown event type/);
    await expect(store.appendToStream('fact.q', [])).rejects.toThrow(EventValidationError);
    expect(await store.headPosition()).toBe(0);
  });
});

describe('reading', () => {
  it('reads a stream forwards and backwards from a revision, at most maxCount events', async () => {
    await using store = await openStore();
    await store.appendToStream(
      'block.r',
      Array.from({ length: 10 }, (_, i) => fact(i)),
    );
    await store.appendToStream('block.other', [fact(100)]);
    const revs = async (o: Parameters<EventStore['readStream']>[1]) => (await store.readStream('block.r', o)).map((e) => e.revision);
    expect(await revs({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await revs({ fromRevision: 4 })).toEqual([4, 5, 6, 7, 8, 9]);
    expect(await revs({ fromRevision: 4, maxCount: 3 })).toEqual([4, 5, 6]);
    expect(await revs({ direction: 'backwards' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await revs({ direction: 'backwards', fromRevision: 4 })).toEqual([4, 3, 2, 1, 0]);
    expect(await revs({ direction: 'backwards', maxCount: 2 })).toEqual([9, 8]);
    expect(await revs({ fromRevision: 10 })).toEqual([]);
    expect(await revs({ maxCount: 0 })).toEqual([]);
    expect(await store.readStream('block.none')).toEqual([]);
    const [e] = await store.readStream('block.r', { maxCount: 1 });
    expect(e).toMatchObject({ streamId: 'block.r', revision: 0, type: 'FactAdded', metadata: { actor: 'system', schemaVersion: 1 } });
    expect(e!.recordedAt).toBeInstanceOf(Date);
  });

  it('reads the whole store from a position, filtered by event type and by stream pattern', async () => {
    await using store = await openStore();
    await store.appendToStream('fact.a', [fact(1), fact(2)]);
    await store.appendToStream('block.b', [{ type: 'BlockDeleted', data: { blockId: 'b' } }]);
    await store.appendToStream('fact.c', [fact(3)]);
    await store.appendToStream('vec.d', [{ type: 'VectorDeleted', data: { id: 'd' } }]);
    const read = async (o: Parameters<EventStore['readAll']>[0]) => {
      const out: string[] = [];
      for await (const e of store.readAll(o)) out.push(`${e.position}:${e.streamId}:${e.type}`);
      return out;
    };
    expect(await read({})).toEqual([
      '1:fact.a:FactAdded',
      '2:fact.a:FactAdded',
      '3:block.b:BlockDeleted',
      '4:fact.c:FactAdded',
      '5:vec.d:VectorDeleted',
    ]);
    expect(await read({ fromPosition: 3 })).toEqual(['3:block.b:BlockDeleted', '4:fact.c:FactAdded', '5:vec.d:VectorDeleted']);
    const types: EventType[] = ['FactAdded'];
    expect(await read({ fromPosition: 2, types })).toEqual(['2:fact.a:FactAdded', '4:fact.c:FactAdded']);
    expect(await read({ filter: 'fact.>' })).toEqual(['1:fact.a:FactAdded', '2:fact.a:FactAdded', '4:fact.c:FactAdded']);
    expect(await read({ filter: '*.c' })).toEqual(['4:fact.c:FactAdded']);
    expect(await read({ filter: 'block.>', types })).toEqual([]);
    expect(await read({ fromPosition: 1, maxCount: 2 })).toEqual(['1:fact.a:FactAdded', '2:fact.a:FactAdded']);
    expect(await read({ fromPosition: 6 })).toEqual([]);
  });

  it('rejects invalid stream ids and patterns with InvalidStreamIdError', async () => {
    await using store = await openStore();
    for (const bad of ['', 'has space', 'a..b', '.a', 'a.', 'a.*', 'a.>', 'ü']) {
      await expect(store.appendToStream(bad, [fact(0)])).rejects.toThrow(InvalidStreamIdError);
      await expect(store.readStream(bad)).rejects.toThrow(InvalidStreamIdError);
      expect(() => store.subscribeToStream(bad)).toThrow(InvalidStreamIdError);
    }
    await expect(store.appendNewStreams([{ streamId: 'a b', event: fact(0) }])).rejects.toThrow(InvalidStreamIdError);
    for (const bad of ['a b', 'a.>.b', '>.a', 'a..b']) {
      await expect(store.readAll({ filter: bad }).next()).rejects.toThrow(InvalidStreamIdError);
      expect(() => store.subscribeToAll({ filter: bad })).toThrow(InvalidStreamIdError);
    }
    const err = await store.readStream('has space').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_STREAM_ID', status: 400 });
    expect((err as Error).message).toContain("'has space'");
    expect(await store.headPosition()).toBe(0);
  });
});
