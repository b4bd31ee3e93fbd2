// What mailboxes hand out and take: received, delivered and fetched messages, receive and replay options, and the
// checks of model ids and message bodies.
import { Id, isJsonValue, MAX_JSON_DEPTH } from '@hvs-nvm/events';
import type { RecordedEvent } from '@hvs-nvm/eventstore';
import { InvalidArgumentError, InvalidIdError, PayloadTooLargeError } from './errors.js';

export interface ReceivedMessage {
  id: string;
  from: string;
  to: string;
  body: unknown;
  sentAt: Date;
  /** Position of the message in the mail log (a replay can start after it). */
  seq: number;
}

/** A message handed out by a live mailbox iterator; acknowledge it, or it is delivered again. */
export interface DeliveredMessage extends ReceivedMessage {
  /** 1 on first delivery, more after a crash, nak or ack timeout. */
  deliveryCount: number;
  /**
   * Marks it handled. By default the ack is sent without waiting (a crash right after may redeliver it: at least
   * once); `{ confirm: true }` waits until the server has recorded it.
   */
  ack(options?: { confirm?: boolean }): Promise<void>;
  /** Asks for redelivery, optionally after a delay. */
  nak(delayMs?: number): void;
  /** Resets the ack timer while work goes on. */
  working(): void;
}

/** A message taken from a mailbox but not yet acknowledged. */
export interface FetchedMessage extends ReceivedMessage {
  /**
   * Acknowledges this message through `HVS.ackMessages` (from any client of the same collection, also after a
   * restart) until its ack wait runs out. Opaque; it acknowledges nothing but this message of this mailbox.
   */
  ackToken: string;
}

/**
 * Messages handed out and not acknowledged, as JetStream itself hands them out: ack() once the caller has them, or
 * they are delivered again. Until ack(), nak() or release() they are kept in progress (their ack wait does not run).
 */
export interface FetchedBatch {
  messages: FetchedMessage[];
  /** Acknowledges every message of the batch; resolves once the server has recorded each ack. */
  ack(): Promise<void>;
  /** Gives them back at once: the next receive gets them (rather than after the ack wait). */
  nak(): void;
  /** Stops keeping them in progress: each comes back after the ack wait unless its ackToken is acknowledged. */
  release(): void;
  /** How long a released message waits for its ack before it is delivered again. */
  ackWaitMs: number;
}

/** Messages a live iterator fetches ahead of the one being handled. */
export const PREFETCH = 256;

/** The longest a receive may wait for a first message (a long poll, not a subscription). */
export const MAX_WAIT_MS = 300_000;

export interface ReceiveOptions {
  /** At most this many messages (default 256). */
  max?: number;
  /** Wait up to this long (at most MAX_WAIT_MS) for a first message when none is pending (default 0: return at once). */
  waitMs?: number;
}

export interface ReplayOptions {
  /** From this time, or from this mail-log position (inclusive). */
  since?: Date | number;
  max?: number;
}

export interface MailboxOptions {
  /** Unacknowledged messages are delivered again after this long. */
  ackWaitMs?: number;
  /** After this many deliveries without an ack, a message is dead-lettered. */
  maxDeliveries?: number;
}

export function validateModelId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success) throw new InvalidIdError(id);
  return id;
}

export function validateBody(body: unknown, maxBytes: number): unknown {
  if (body === undefined) throw new InvalidArgumentError('a message body is required');
  // Plain JSON already (the usual case): stringify without a replacer, which runs per key and cost more than the
  // rest of the check, and no copy: the append encodes it before the caller gets control back. Anything else (a
  // Date, a toJSON object, NaN somewhere) takes the checking path and is sent as its JSON form.
  const plain = isJsonValue(body);
  let json: string;
  try {
    json = plain
      ? JSON.stringify(body)
      : JSON.stringify(body, (_k, v: unknown) => {
          if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${v} is not JSON`);
          if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') throw new Error(`a ${typeof v} is not JSON`);
          return v;
        });
  } catch (err) {
    throw new InvalidArgumentError(`a message body must be JSON: ${(err as Error).message}`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new PayloadTooLargeError('message body', bytes, maxBytes);
  if (plain) return body;
  const copy = JSON.parse(json) as unknown;
  // What MessageSent's schema takes (the append relies on it): JSON within its nesting limit.
  if (!isJsonValue(copy)) throw new InvalidArgumentError(`a message body must be JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
  return copy;
}

export function toMessage(event: RecordedEvent): ReceivedMessage | undefined {
  if (event.type !== 'MessageSent') return undefined;
  const d = event.data;
  return { id: d.messageId, from: d.from, to: d.to, body: d.body, sentAt: event.recordedAt, seq: event.position };
}

/** The sender named in the body must be the sender in the subject, which NATS permissions vouch for. */
export function sentAsItself(message: ReceivedMessage, subject: string): boolean {
  const tokens = subject.split('.');
  return tokens[tokens.length - 2] === message.from && tokens[tokens.length - 3] === message.to;
}
