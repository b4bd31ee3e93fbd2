// Stored formats over a real nats-server: events written in format 1 by the encoder as it was before format 2 read
// exactly as before, beside format-2 events in the same streams; format-2 records from an untrusted publisher are
// checked like format-1 messages.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { currentSchemaVersion, encodeEventData, frameEventRecord, hvsNames, jsonParts, registerUpcaster } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { EventStore, withCall, type AnyNewEvent, type RecordedEvent } from './index.js';
import type { ParkedMessage } from './recorded.js';

let srv: TempNatsServer;
let nc: NatsConnection;
let count = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc = await connect({ servers: srv.url, name: 'record-format-test' });
});
afterAll(async () => {
  await nc?.close();
  await srv?.stop();
});

/**
 * The format-1 writer as it was before format 2 (append-encoding.ts prepareEvent and EventStore.publish at commit
 * 3879573), kept verbatim apart from taking the occurredAt, event id and links as arguments.
 */
function oldEncoder(
  event: { type: string; data: unknown },
  actor: string,
  ids: { eventId: string; occurredAt: string; correlationId?: string; causationId?: string },
  revision: number,
): { payload: Uint8Array; hdrs: MsgHdrs; eventId: string } {
  const hdrs = natsHeaders();
  hdrs.append('Hvs-Type', event.type);
  hdrs.append('Hvs-Schema', String(currentSchemaVersion[event.type as keyof typeof currentSchemaVersion]));
  hdrs.append('Hvs-Occurred-At', ids.occurredAt);
  hdrs.append('Hvs-Actor', actor);
  if (ids.correlationId) hdrs.append('Hvs-Correlation-Id', ids.correlationId);
  if (ids.causationId) hdrs.append('Hvs-Causation-Id', ids.causationId);
  hdrs.set('Hvs-Revision', String(revision));
  return { payload: encodeEventData(event.data), hdrs, eventId: ids.eventId };
}

async function publishOld(store: EventStore, streamId: string, message: ReturnType<typeof oldEncoder>, lastSeq: number) {
  return jetstream(nc).publish(`${store.names.prefix}.${streamId}`, message.payload, {
    msgID: message.eventId,
    headers: message.hdrs,
    expect: { lastSubjectSequence: lastSeq },
  });
}

async function openStore(options: { recordFormat?: 1 | 2; onParked?: (p: ParkedMessage) => void } = {}, collection?: string) {
  return EventStore.open(nc, { names: hvsNames(collection ?? `rf${++count}`), actor: 'writer', ...options });
}

const vector = new Float32Array([0.5, -1.25, 3]);
const vectorEvent: AnyNewEvent = { type: 'VectorStored', data: { id: 'v1', vector, metadata: { tag: 'a', $f32: 'user key' } } };
const mailEvent: AnyNewEvent = {
  type: 'MessageSent',
  data: { messageId: 'm1', from: 'alice', to: 'bob', body: { text: 'hi', n: [1, 2] } },
};

/** What a reader sees of an event, without what differs between two writes of it (ids, times, positions). */
const seen = (e: RecordedEvent) => ({
  streamId: e.streamId,
  revision: e.revision,
  type: e.type,
  data: e.data,
  actor: e.metadata.actor,
  schemaVersion: e.metadata.schemaVersion,
});

describe('format 1, as written before format 2', () => {
  it('reads exactly as before: data with vectors, metadata, links, revisions, by every read path', async () => {
    await using store = await openStore();
    const occurredAt = '2026-01-02T03:04:05.678Z';
    const first = oldEncoder(vectorEvent, 'alice', { eventId: randomUUID(), occurredAt, correlationId: 'corr-1' }, 0);
    const second = oldEncoder(
      mailEvent,
      'bob',
      { eventId: randomUUID(), occurredAt, correlationId: 'corr-1', causationId: first.eventId },
      1,
    );
    const a1 = await publishOld(store, 'vec.v1', first, 0);
    const a2 = await publishOld(store, 'vec.v1', second, a1.seq);

    const events = await store.readStream('vec.v1');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      streamId: 'vec.v1',
      revision: 0,
      position: a1.seq,
      type: 'VectorStored',
      data: { id: 'v1', metadata: { tag: 'a', $f32: 'user key' } },
      metadata: { eventId: first.eventId, type: 'VectorStored', schemaVersion: 1, occurredAt, actor: 'alice', correlationId: 'corr-1' },
    });
    expect(events[0]!.metadata).not.toHaveProperty('causationId');
    const data0 = events[0]!.data as { vector: Float32Array };
    expect(data0.vector).toBeInstanceOf(Float32Array);
    expect([...data0.vector]).toEqual([...vector]);
    expect(events[1]).toMatchObject({
      revision: 1,
      position: a2.seq,
      data: mailEvent.data,
      metadata: { eventId: second.eventId, actor: 'bob', correlationId: 'corr-1', causationId: first.eventId },
    });
    expect(events[0]!.recordedAt.getTime()).toBeGreaterThan(0);

    // Every other read path gives the same events.
    const all: RecordedEvent[] = [];
    for await (const e of store.readAll()) all.push(e);
    expect(all).toEqual(events);
    // Direct gets give the server's time to the millisecond, consumers to the nanosecond.
    const noTime = ({ recordedAt: _, ...e }: RecordedEvent) => e;
    expect(noTime((await store.lastEvent('vec.v1'))!)).toEqual(noTime(events[1]!));
    expect(noTime((await store.firstEvent('vec.v1'))!)).toEqual(noTime(events[0]!));
    expect(await store.streamTip('vec.v1')).toEqual({ revision: 1, position: a2.seq });
    const sub = store.subscribeToStream('vec.v1');
    const live: RecordedEvent[] = [];
    for await (const e of sub) {
      live.push(e);
      if (live.length === 2) break;
    }
    await sub.stop();
    expect(live).toEqual(events);
  });

  it('a stream written in format 1 goes on in format 2 with contiguous revisions, and back (an older writer beside)', async () => {
    await using store = await openStore();
    await using oldWriter = await openStore({ recordFormat: 1 }, store.names.stream.slice('HVS_'.length).toLowerCase());
    expect(oldWriter.names.stream).toBe(store.names.stream);
    const old = oldEncoder(mailEvent, 'alice', { eventId: randomUUID(), occurredAt: new Date().toISOString() }, 0);
    await publishOld(store, 'mail.x', old, 0);
    // The tip comes from the format-1 revision header.
    const r1 = await store.appendToStream('mail.x', [mailEvent], { expectedRevision: 0 });
    expect(r1.nextExpectedRevision).toBe(1);
    // A format-1 writer reads the format-2 tip from the payload.
    const r2 = await oldWriter.appendToStream('mail.x', [mailEvent], { expectedRevision: 1 });
    expect(r2.nextExpectedRevision).toBe(2);
    const r3 = await store.appendToStream('mail.x', [mailEvent, vectorEvent]);
    expect(r3.nextExpectedRevision).toBe(4);
    const events = await store.readStream('mail.x');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(events.map((e) => e.type)).toEqual(['MessageSent', 'MessageSent', 'MessageSent', 'MessageSent', 'VectorStored']);
    expect(events.slice(0, 4).every((e) => JSON.stringify(e.data) === JSON.stringify(mailEvent.data))).toBe(true);
  });

  it('recordFormat 1 writes what the old encoder wrote; format 2 writes one header; both read as the same events', async () => {
    await using one = await openStore({ recordFormat: 1 });
    await using two = await openStore();
    for (const s of [one, two]) {
      await withCall(async () => {
        await s.appendToStream('vec.v1', [vectorEvent]);
        await s.appendToStream('vec.v1', [mailEvent], { actor: 'bob' });
      }, 'corr-x');
    }
    const [a, b] = [await one.readStream('vec.v1'), await two.readStream('vec.v1')];
    expect(a.map(seen)).toEqual(b.map(seen));
    for (const events of [a, b]) {
      expect(events[0]!.metadata.correlationId).toBe('corr-x');
      expect(events[1]!.metadata.causationId).toBe(events[0]!.metadata.eventId);
    }
    const stored1 = await one.jsm.streams.getMessage(one.names.stream, { seq: 2 });
    const stored2 = await two.jsm.streams.getMessage(two.names.stream, { seq: 2 });
    expect([...stored1!.header.keys()].sort()).toEqual(
      ['Hvs-Actor', 'Hvs-Causation-Id', 'Hvs-Correlation-Id', 'Hvs-Occurred-At', 'Hvs-Revision', 'Hvs-Schema', 'Hvs-Type', 'Nats-Msg-Id']
        .concat([...stored1!.header.keys()].filter((k) => k.startsWith('Nats-Expected')))
        .sort(),
    );
    expect(stored1!.header.get('Nats-Msg-Id')).toBe(a[1]!.metadata.eventId);
    expect([...stored2!.header.keys()].filter((k) => !k.startsWith('Nats-Expected'))).toEqual(['Nats-Msg-Id']);
    expect(stored2!.header.get('Nats-Msg-Id')).toBe(b[1]!.metadata.eventId);
  });

  it('JetStream dedupe still works in format 2: a retried append with the same event id lands once', async () => {
    await using store = await openStore();
    const eventId = randomUUID();
    const first = await store.appendToStream('vec.d', [{ ...mailEvent, eventId }], { expectedRevision: 'no_stream' });
    const again = await store.appendToStream('vec.d', [{ ...mailEvent, eventId }], { expectedRevision: 'no_stream' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await store.readStream('vec.d')).toHaveLength(1);
  });
});

describe('format 2 from an untrusted publisher', () => {
  /** A format-2 payload from an envelope object as given (the writer's splicing is not needed here). */
  const record = (envelope: unknown) => {
    const { json, arrays, floats } = jsonParts(envelope);
    return frameEventRecord(json, arrays, floats);
  };
  const good = { r: 0, i: 'e1', t: 'MessageSent', s: 1, o: '2026-01-01T00:00:00.000Z', a: 'alice', d: mailEvent.data };

  it('parks records whose envelope or data is wrong, with the reason, and reads the good one', async () => {
    const parked: ParkedMessage[] = [];
    await using store = await openStore({ onParked: (p) => parked.push(p) });
    const bad: [unknown, RegExp][] = [
      [[1, 2], /not an object/],
      [{ ...good, d: undefined, i: 'x' }, /no data/],
      [{ ...good, i: 7 }, /no event id/],
      [{ ...good, t: 'Bogus' }, /unknown event type 'Bogus'/],
      [{ ...good, s: 99 }, /unsupported schema version '99'/],
      [{ ...good, s: '1' }, /schema version is not a number/],
      [{ ...good, a: { admin: true } }, /actor is not a string/],
      [{ ...good, c: 5 }, /correlationId is not a string/],
      [{ ...good, d: { ...mailEvent.data, from: 'not an id!' } }, /failed its schema/],
    ];
    const js = jetstream(nc);
    for (const [i, [envelope]] of bad.entries()) await js.publish(`${store.names.prefix}.bad.b${i}`, record(envelope));
    // Bad framing under the format-2 magic.
    await js.publish(`${store.names.prefix}.bad.trunc`, new Uint8Array([0x48, 0x56, 0x32, 0xff, 0xff, 0, 0]));
    await js.publish(`${store.names.prefix}.bad.good`, record(good));
    const events: RecordedEvent[] = [];
    for await (const e of store.readAll({ filter: 'bad.>' })) events.push(e);
    expect(events.map((e) => e.streamId)).toEqual(['bad.good']);
    expect(events[0]!.metadata).toEqual({ eventId: 'e1', type: 'MessageSent', schemaVersion: 1, occurredAt: good.o, actor: 'alice' });
    // Parked messages are reported by subscriptions.
    const sub = store.subscribeToAll({ filter: 'bad.>' });
    for await (const e of sub) if (e.streamId === 'bad.good') break;
    await sub.stop();
    expect(parked.map((p) => p.reason)).toHaveLength(bad.length + 1);
    for (const [i, [, reason]] of bad.entries()) expect(parked[i]!.reason).toMatch(reason);
    expect(parked.at(-1)!.reason).toMatch(/undecodable event record: payload head is truncated/);
  });

  it('upcasts a format-2 event of an older schema version, as format 1', async () => {
    const saved = currentSchemaVersion.MessageSent;
    try {
      currentSchemaVersion.MessageSent = saved + 1;
      registerUpcaster('MessageSent', saved, (d) => ({ ...(d as object), body: { wrapped: (d as { body: unknown }).body } }));
      await using store = await openStore();
      await jetstream(nc).publish(`${store.names.prefix}.up.a`, record(good));
      const [e] = await store.readStream('up.a');
      expect(e!.data).toEqual({ ...mailEvent.data, body: { wrapped: mailEvent.data.body } });
      expect(e!.metadata.schemaVersion).toBe(saved + 1);
    } finally {
      currentSchemaVersion.MessageSent = saved;
    }
  });
});
