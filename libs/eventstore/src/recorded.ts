// Recorded events: parsing a stored message of either format back into an event (or parking it), and format 1's
// header names. Format 2 is in record-format.ts.
import type { MsgHdrs } from '@nats-io/nats-core';
import {
  currentSchemaVersion,
  decodeEventData,
  isEventRecord,
  eventDataSchemas,
  upcast,
  type EventData,
  type EventMetadata,
  type EventType,
} from '@hvs-nvm/events';
import type { z } from 'zod';
import { readRecord, type StoredEnvelope } from './record-format.js';

/** Format 1's header names. Nats-Msg-Id carries the event id in both formats, for JetStream's dedupe. */
export const H = {
  eventId: 'Nats-Msg-Id',
  type: 'Hvs-Type',
  schema: 'Hvs-Schema',
  occurredAt: 'Hvs-Occurred-At',
  actor: 'Hvs-Actor',
  correlationId: 'Hvs-Correlation-Id',
  causationId: 'Hvs-Causation-Id',
  revision: 'Hvs-Revision',
} as const;

interface RecordedEventOf<T extends EventType> {
  streamId: string;
  /** 0-based index of this event in its stream. */
  revision: number;
  /** JetStream sequence: the event's place in the store's global order. */
  position: number;
  type: T;
  data: EventData<T>;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** A stored event; a union over event types, so checking `type` narrows `data`. */
export type RecordedEvent<T extends EventType = EventType> = T extends EventType ? RecordedEventOf<T> : never;

/** A message found on a store subject that is not a valid event: reported and skipped, never applied. */
export interface ParkedMessage {
  position: number;
  subject: string;
  reason: string;
}

export type ParsedMessage = { kind: 'event'; event: RecordedEvent } | { kind: 'parked'; parked: ParkedMessage };

export function parseStoredMessage(
  prefix: string,
  subject: string,
  position: number,
  hdrs: MsgHdrs | undefined,
  payload: Uint8Array,
  timestampNanos?: number,
): ParsedMessage {
  const park = (reason: string): ParsedMessage => ({ kind: 'parked', parked: { position, subject, reason } });
  // Format 2 (record-format.ts): everything is in the payload, and the headers are never decoded.
  if (isEventRecord(payload)) {
    let envelope: StoredEnvelope;
    try {
      envelope = readRecord(payload);
    } catch (err) {
      return park(`undecodable event record: ${(err as Error).message}`);
    }
    return checked(prefix, subject, position, envelope, undefined, timestampNanos, park);
  }
  // Format 1: the metadata in headers, the data alone in the payload.
  if (!hdrs) return park('message has no headers (not an HVS-NVM event)');
  // One pass over the headers: MsgHdrs.get scans and copies the key list on every call.
  const h: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [key, values] of hdrs) h[key] = values[0];
  const envelope: StoredEnvelope = {
    revision: Number(h[H.revision] ?? ''),
    eventId: h[H.eventId] ?? '',
    type: h[H.type] ?? '',
    schemaVersion: h[H.schema],
    occurredAt: h[H.occurredAt] ?? '',
    actor: h[H.actor],
    correlationId: h[H.correlationId],
    causationId: h[H.causationId],
    data: undefined,
  };
  return checked(prefix, subject, position, envelope, payload, timestampNanos, park);
}

/**
 * The event a stored envelope holds, or why not: its type must be known, its schema version one this code reads
 * (older ones are upcast), its data must pass the type's schema. `formatOnePayload`: the data is still to decode.
 */
function checked(
  prefix: string,
  subject: string,
  position: number,
  envelope: StoredEnvelope,
  formatOnePayload: Uint8Array | undefined,
  timestampNanos: number | undefined,
  park: (reason: string) => ParsedMessage,
): ParsedMessage {
  const type = envelope.type as EventType;
  const schema = eventDataSchemas[type] as z.ZodType | undefined;
  if (!schema) return park(`unknown event type '${type}'`);
  const schemaVersion = Number(envelope.schemaVersion ?? '');
  const current = currentSchemaVersion[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    return park(`unsupported schema version '${envelope.schemaVersion ?? ''}' for ${type}`);
  }
  let raw: unknown;
  try {
    raw = formatOnePayload ? decodeEventData(formatOnePayload) : envelope.data;
    if (schemaVersion < current) raw = upcast(type, schemaVersion, current, raw);
  } catch (err) {
    return park(`undecodable ${type} payload: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return park(`${type} failed its schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const revision = envelope.revision;
  const occurredAt = envelope.occurredAt;
  return {
    kind: 'event',
    event: {
      streamId: subject.slice(prefix.length + 1),
      revision: revision !== undefined && Number.isInteger(revision) ? revision : -1,
      position,
      type,
      data: parsed.data as EventData<EventType>,
      metadata: {
        eventId: envelope.eventId,
        type,
        schemaVersion: current,
        occurredAt,
        actor: envelope.actor || 'unknown',
        ...(envelope.correlationId !== undefined ? { correlationId: envelope.correlationId } : {}),
        ...(envelope.causationId !== undefined ? { causationId: envelope.causationId } : {}),
      },
      recordedAt: timestampNanos ? new Date(timestampNanos / 1e6) : new Date(occurredAt),
    } as RecordedEvent,
  };
}

/** The revision recorded on a stored event of either format (NaN when it has none). */
export function storedRevision(hdrs: MsgHdrs | undefined, payload: Uint8Array): number {
  if (isEventRecord(payload)) {
    try {
      return readRecord(payload).revision ?? NaN;
    } catch {
      // Not a readable record: it has no revision, which the caller reports.
      return NaN;
    }
  }
  return Number(hdrs?.get(H.revision) ?? NaN);
}
