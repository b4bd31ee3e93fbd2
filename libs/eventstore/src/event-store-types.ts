// The vocabulary of the event-store port: what an append takes and gives back, and what reads take.
import type { EventData, EventType } from '@hvs-nvm/events';

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
