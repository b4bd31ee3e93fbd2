// How an append becomes NATS messages: the call's correlation and causation links, and each event validated and
// encoded as payload and headers.
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { currentSchemaVersion, encodeEventData, eventDataSchemas } from '@hvs-nvm/events';
import { z } from 'zod';
import { currentCall } from './call-context.js';
import { EventValidationError } from './errors.js';
import type { AnyNewEvent } from './event-store-types.js';
import { H } from './recorded.js';

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

/** Validates an event and turns it into a NATS payload and headers. Throws before anything is sent. */
export function prepareEvent(event: AnyNewEvent, actor: string, call: CallLinks): { payload: Uint8Array; hdrs: MsgHdrs; eventId: string } {
  const schema = eventDataSchemas[event.type] as z.ZodType | undefined;
  if (!schema) throw new EventValidationError(String(event.type), 'unknown event type');
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw new EventValidationError(event.type, z.prettifyError(parsed.error));
  const eventId = event.eventId ?? randomUUID();
  // append, not set: on fresh headers set's delete-then-append only doubles the key scans.
  const hdrs = natsHeaders();
  hdrs.append(H.type, event.type);
  hdrs.append(H.schema, String(currentSchemaVersion[event.type]));
  hdrs.append(H.occurredAt, new Date().toISOString());
  hdrs.append(H.actor, actor);
  // The event id travels as Nats-Msg-Id (H.eventId): publish() sets it as the msgID, for JetStream's dedupe.
  const correlationId = event.correlationId ?? call.correlationId;
  const causationId = event.causationId ?? call.causationId;
  if (correlationId) hdrs.append(H.correlationId, correlationId);
  if (causationId) hdrs.append(H.causationId, causationId);
  return { payload: encodeEventData(event.data), hdrs, eventId };
}
