// The event-store port the libs write and read through: implemented over JetStream (EventStore) and in memory
// (InMemoryEventStore, for tests of deciders, projections and patterns that need no server).
import type { EventType } from '@hvs-nvm/events';
import type { AnyNewEvent, AppendOptions, AppendResult, LogIdentity, ReadAllOptions, ReadStreamOptions } from './event-store.js';
import type { ParkedMessage, RecordedEvent } from './recorded.js';
import type { SubscribeOptions } from './subscription.js';

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
