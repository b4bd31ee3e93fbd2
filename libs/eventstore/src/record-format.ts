// Stored event format 2: the event's envelope and its data in one payload ("HV2" magic), one encode on append and
// one parse on read. Only Nats-Msg-Id (the event id, for JetStream's dedupe) travels as a header.
//
// Format 1 (recorded.ts `H`, append-encoding.ts formatOneHeaders) kept the metadata in 7 NATS headers and the data
// alone in an "HV1" payload; it still reads, and a store can still write it (EventStoreOptions.recordFormat: 1) for
// readers older than format 2. The magic tells the two apart: format-1 data never starts with "HV2".
//
// The envelope's JSON head: {"r":revision,"i":eventId,"t":type,"s":schemaVersion,"o":occurredAt,"a":actor,
// "c":correlationId?,"k":causationId?,"d":data}. The revision leads so it can be set per publish attempt without
// encoding the rest again.
import { decodeEventRecord, frameEventRecord, jsonParts } from '@hvs-nvm/events';

/** The stored formats an EventStore can write; every one of them reads. */
export type RecordFormat = 1 | 2;

/** What a stored event says about itself, before its type and data are checked (read from either format). */
export interface StoredEnvelope {
  revision: number | undefined;
  eventId: string;
  type: string;
  /** As stored: a format-1 header is text, a format-2 field a number (both checked by the caller). */
  schemaVersion: string | number | undefined;
  occurredAt: string;
  actor: string | undefined;
  correlationId: string | undefined;
  causationId: string | undefined;
  data: unknown;
}

export interface RecordFields {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: string;
  correlationId: string | undefined;
  causationId: string | undefined;
}

/**
 * The payload of a format-2 event at a revision: the envelope and data are encoded once, the revision is spliced
 * in front on each call (an append that retries on a fresh tip publishes at another revision).
 */
export function recordEncoder(fields: RecordFields, data: unknown): (revision: number) => Uint8Array {
  const envelope: Record<string, unknown> = {
    i: fields.eventId,
    t: fields.type,
    s: fields.schemaVersion,
    o: fields.occurredAt,
    a: fields.actor,
  };
  // As format 1: an empty link is no link.
  if (fields.correlationId) envelope.c = fields.correlationId;
  if (fields.causationId) envelope.k = fields.causationId;
  envelope.d = data;
  const { json, arrays, floats } = jsonParts(envelope);
  const rest = json.slice(1);
  return (revision) => frameEventRecord(`{"r":${revision},${rest}`, arrays, floats);
}

/** Thrown by readRecord for a payload that has the format-2 magic but not its envelope; the message is the reason. */
export class RecordShapeError extends Error {}

const optionalString = (v: unknown, what: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RecordShapeError(`event record ${what} is not a string`);
  return v;
};

/**
 * The envelope of a format-2 payload. Anyone allowed to publish on a store subject can write one (an agent's mail),
 * so every field is checked here and the data against its schema by the caller, as for format 1.
 */
export function readRecord(payload: Uint8Array): StoredEnvelope {
  const value = decodeEventRecord(payload);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecordShapeError('event record is not an object');
  const e = value as Record<string, unknown>;
  if (!Object.hasOwn(e, 'd')) throw new RecordShapeError('event record has no data');
  if (typeof e.i !== 'string') throw new RecordShapeError('event record has no event id');
  if (typeof e.t !== 'string') throw new RecordShapeError('event record has no type');
  if (typeof e.o !== 'string') throw new RecordShapeError('event record has no occurredAt');
  if (e.s !== undefined && typeof e.s !== 'number') throw new RecordShapeError('event record schema version is not a number');
  return {
    revision: typeof e.r === 'number' ? e.r : undefined,
    eventId: e.i,
    type: e.t,
    schemaVersion: e.s as number | undefined,
    occurredAt: e.o,
    actor: optionalString(e.a, 'actor'),
    correlationId: optionalString(e.c, 'correlationId'),
    causationId: optionalString(e.k, 'causationId'),
    data: e.d,
  };
}
