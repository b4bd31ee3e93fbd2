// The vocabulary of the event-store port: what an append takes and gives back, and what reads take.
import type { EventData, EventType, StoreNames } from '@hvs-nvm/events';
import type { ParkedMessage } from './recorded.js';
import type { RecordFormat } from './record-format.js';

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
  /** Idempotency key: a retried append with the same event id is stored once (JetStream dedupe window). */
  eventId?: string;
  correlationId?: string;
  causationId?: string;
}

export type AnyNewEvent = { [T in EventType]: NewEvent<T> }[EventType];

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /** Who appends; defaults to the store's actor. */
  actor?: string;
  /**
   * @internal For a fork's stream whose events so far all lie in its base: the base's last revision, which this
   * append continues (the fork's own stream has no message on the subject yet).
   */
  inheritedRevision?: number;
}

/** Which log a store is (its JetStream stream's creation time) and how far it reaches. */
export interface LogIdentity {
  created: string;
  headPosition: number;
}

export interface AppendResult {
  /** Revision of the last appended event: pass it as expectedRevision for the next append. */
  nextExpectedRevision: number;
  /** Position (JetStream sequence) of the last appended event: the read-your-writes token. */
  position: number;
  /** True when JetStream recognised every event as a duplicate of an earlier append. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** First revision to return (forwards: lowest; backwards: highest). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** First position (JetStream sequence) to read. Default 1. */
  fromPosition?: number;
  /** Stream-id pattern with NATS wildcards, e.g. `block.>`; default every stream of this store. */
  filter?: string;
  /** Only these event types. */
  types?: readonly EventType[];
  maxCount?: number;
}

/** How an EventStore is opened: which stream, and how it retries and waits. */
export interface EventStoreOptions {
  names: StoreNames;
  /** Stream replicas (1 single node, 3 in a cluster). */
  replicas?: number;
  /** Drop events older than this (0: keep forever, the default — the log is the source of truth). */
  maxAgeSeconds?: number;
  /** JetStream dedupe window for event ids. */
  duplicateWindowSeconds?: number;
  /** Default actor recorded on appended events. */
  actor?: string;
  /** Retries of a request that timed out or found no responders (server restarting), with backoff: at least this
   * many, and for at least `retryForMs` (default 20 s). */
  publishRetries?: number;
  retryForMs?: number;
  /** How long a request waits for a dropped connection to come back before it fails with EventStoreUnavailableError
   * (default 2 s): a write during an outage answers promptly instead of hanging. */
  reconnectWaitMs?: number;
  onParked?: (parked: ParkedMessage) => void;
  /**
   * A read-only view of the log up to this position (EventStore.view sets it): reads and subscriptions end there and
   * appends throw ReadOnlyViewError.
   */
  upTo?: number;
  /** Added to every JetStream sequence to make a position: a fork's own log continues its base's positions. */
  positionOffset?: number;
  /**
   * The stored format appends write (record-format.ts): 2, the default, keeps the envelope in the payload; 1 keeps
   * it in NATS headers, for readers older than format 2 sharing the log. Both formats always read.
   */
  recordFormat?: RecordFormat;
}
