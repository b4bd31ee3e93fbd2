// The event-store port the libs write and read through: implemented over JetStream (EventStore) and in memory
// (InMemoryEventStore, for tests of deciders, projections and patterns that need no server).
import type { EventType } from '@hvs-nvm/events';
import type { AnyNewEvent, AppendOptions, AppendResult, LogIdentity, ReadAllOptions, ReadStreamOptions } from './event-store-types.js';
import type { ParkedMessage, RecordedEvent } from './recorded.js';

export interface SubscribeOptions {
  /** First position to deliver (inclusive); resume from a checkpoint with `checkpoint + 1`. Default 1. */
  fromPosition?: number;
  /** For stream subscriptions: skip events below this revision. */
  fromRevision?: number;
  /** Stream-id pattern (subscribeToAll only), e.g. `fact.>`. */
  filter?: string;
  types?: readonly EventType[];
  signal?: AbortSignal;
  /** Called once each stored message has been dealt with (delivered and consumed, skipped, or parked). */
  onProgress?: (position: number) => void;
  /** Called for each invalid or foreign message skipped by this subscription. */
  onParked?: (parked: ParkedMessage) => void;
  /**
   * Messages of the streams this says yes to are passed over undecoded (a projector shard's view of other shards'
   * vectors): they only move the position. A store that cannot skip before decoding may deliver them anyway.
   */
  skip?: (streamId: string) => boolean;
}

/**
 * A catch-up subscription: history from a position, then live, no gap, no duplicate. `caughtUp` resolves once the
 * history up to the head at subscribe time has been delivered; `pending` counts stored events still ahead.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  readonly position: number;
  readonly pending: number;
  readonly parked: readonly ParkedMessage[];
  readonly caughtUp: Promise<void>;
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

export interface EventStorePort extends AsyncDisposable {
  appendToStream(streamId: string, events: AnyNewEvent[], options?: AppendOptions): Promise<AppendResult>;
  appendNewStreams(items: { streamId: string; event: AnyNewEvent }[], actor?: string): Promise<AppendResult[]>;
  readStream<T extends EventType = EventType>(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<T>[]>;
  readAll(options?: ReadAllOptions): AsyncGenerator<RecordedEvent>;
  streamTip(streamId: string): Promise<{ revision: number; position: number } | undefined>;
  lastEvent(streamId: string): Promise<RecordedEvent | undefined>;
  subscribeToStream(streamId: string, options?: Omit<SubscribeOptions, 'filter'>): EventSubscription;
  subscribeToAll(options?: SubscribeOptions): EventSubscription;
  headPosition(): Promise<number>;
  identity(): Promise<LogIdentity>;
  close(): Promise<void>;
}
