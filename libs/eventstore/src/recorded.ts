// Recorded events: how an event travels in NATS headers and payload, and parsing a stored message back (or parking it).
import type { MsgHdrs } from '@nats-io/nats-core';
import {
  currentSchemaVersion,
  decodeEventData,
  eventDataSchemas,
  upcast,
  type EventData,
  type EventMetadata,
  type EventType,
} from '@hvs-nvm/events';
import type { z } from 'zod';

/** Header names. Nats-Msg-Id carries the event id too, for JetStream's dedupe. */
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
  if (!hdrs) return park('message has no headers (not an HVS-NVM event)');
  // One pass over the headers: MsgHdrs.get scans and copies the key list on every call.
  const h: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [key, values] of hdrs) h[key] = values[0];
  const type = (h[H.type] ?? '') as EventType;
  const schema = eventDataSchemas[type] as z.ZodType | undefined;
  if (!schema) return park(`unknown event type '${type}'`);
  const schemaVersion = Number(h[H.schema] ?? '');
  const current = currentSchemaVersion[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    return park(`unsupported schema version '${h[H.schema] ?? ''}' for ${type}`);
  }
  const revision = Number(h[H.revision] ?? '');
  let raw: unknown;
  try {
    raw = decodeEventData(payload);
    if (schemaVersion < current) raw = upcast(type, schemaVersion, current, raw);
  } catch (err) {
    return park(`undecodable ${type} payload: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return park(`${type} failed its schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const occurredAt = h[H.occurredAt] ?? '';
  return {
    kind: 'event',
    event: {
      streamId: subject.slice(prefix.length + 1),
      revision: Number.isInteger(revision) ? revision : -1,
      position,
      type,
      data: parsed.data as EventData<EventType>,
      metadata: {
        eventId: h[H.eventId] ?? '',
        type,
        schemaVersion: current,
        occurredAt,
        actor: h[H.actor] || 'unknown',
        ...(h[H.correlationId] !== undefined ? { correlationId: h[H.correlationId] } : {}),
        ...(h[H.causationId] !== undefined ? { causationId: h[H.causationId] } : {}),
      },
      recordedAt: timestampNanos ? new Date(timestampNanos / 1e6) : new Date(occurredAt),
    } as RecordedEvent,
  };
}
