// How an append becomes NATS messages: the call's correlation and causation links, and each event validated and
// encoded in a stored format (format 2 by default, record-format.ts; format 1 for readers older than it).
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { currentSchemaVersion, encodeEventData, eventDataSchemas } from '@hvs-nvm/events';
import { z } from 'zod';
import { currentCall } from './call-context.js';
import { EventValidationError } from './errors.js';
import type { AnyNewEvent } from './event-store-types.js';
import { H } from './recorded.js';
import { recordEncoder, type RecordFields, type RecordFormat } from './record-format.js';

/** What one append takes from the call it is part of, and gives back to it. */
export interface CallLinks {
  correlationId: string;
  causationId: string | undefined;
  appended(lastEventId: string): void;
}

/**
 * The call's correlation id and the cause of this append (the call's previous append), fixed when the append starts:
 * the events of one append are siblings, not each other's causes. Outside any call, an append is a call of its own.
 */
export function callLinks(): CallLinks {
  const call = currentCall();
  if (!call) return { correlationId: randomUUID(), causationId: undefined, appended: () => undefined };
  return {
    correlationId: call.correlationId,
    causationId: call.lastEventId,
    appended: (id) => {
      call.lastEventId = id;
    },
  };
}

/** An event validated for an append, to be published at the revision the append finds for it. */
export interface PreparedEvent {
  eventId: string;
  /** The message at a revision: the payload, and the headers besides Nats-Msg-Id (none in format 2). */
  at(revision: number): { payload: Uint8Array; hdrs: MsgHdrs | undefined };
}

/**
 * Validates an event and encodes it in a stored format (record-format.ts). Throws before anything is sent.
 * `validated`: the caller has checked the data against its type's schema already (readers check it again anyway).
 */
export function prepareEvent(
  event: AnyNewEvent,
  actor: string,
  call: CallLinks,
  format: RecordFormat = 2,
  validated = false,
): PreparedEvent {
  const schema = eventDataSchemas[event.type] as z.ZodType | undefined;
  if (!schema) throw new EventValidationError(String(event.type), 'unknown event type');
  if (!validated) {
    const parsed = schema.safeParse(event.data);
    if (!parsed.success) throw new EventValidationError(event.type, z.prettifyError(parsed.error));
  }
  const fields = {
    eventId: event.eventId ?? randomUUID(),
    type: event.type,
    schemaVersion: currentSchemaVersion[event.type],
    occurredAt: new Date().toISOString(),
    actor,
    correlationId: event.correlationId ?? call.correlationId,
    causationId: event.causationId ?? call.causationId,
  };
  if (format === 1) {
    const payload = encodeEventData(event.data);
    const hdrs = formatOneHeaders(fields);
    return {
      eventId: fields.eventId,
      at: (revision) => {
        hdrs.set(H.revision, String(revision));
        return { payload, hdrs };
      },
    };
  }
  const encode = recordEncoder(fields, event.data);
  return { eventId: fields.eventId, at: (revision) => ({ payload: encode(revision), hdrs: undefined }) };
}

/** Format 1's headers (without the revision, set per publish attempt): the metadata as NATS headers. */
function formatOneHeaders(fields: RecordFields): MsgHdrs {
  // append, not set: on fresh headers set's delete-then-append only doubles the key scans.
  const hdrs = natsHeaders();
  hdrs.append(H.type, fields.type);
  hdrs.append(H.schema, String(fields.schemaVersion));
  hdrs.append(H.occurredAt, fields.occurredAt);
  hdrs.append(H.actor, fields.actor);
  // The event id travels as Nats-Msg-Id (H.eventId): publish() sets it as the msgID, for JetStream's dedupe.
  if (fields.correlationId) hdrs.append(H.correlationId, fields.correlationId);
  if (fields.causationId) hdrs.append(H.causationId, fields.causationId);
  return hdrs;
}
