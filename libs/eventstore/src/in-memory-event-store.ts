// The event-store port in memory, with the JetStream store's semantics (expected revisions, global positions,
// event-id dedupe, reads, catch-up subscriptions), for tests of deciders, projections and patterns without a server.
import { randomUUID } from 'node:crypto';
import { currentSchemaVersion, decodeEventData, encodeEventData, eventDataSchemas, type EventData, type EventType } from '@hvs-nvm/events';
import { z } from 'zod';
import {
  EventStoreClosedError,
  EventValidationError,
  InvalidStreamIdError,
  NewStreamsConflictError,
  WrongExpectedVersionError,
} from './errors.js';
import type { AnyNewEvent, AppendOptions, AppendResult, LogIdentity, ReadAllOptions, ReadStreamOptions } from './event-store-types.js';
import type { EventStorePort, EventSubscription, SubscribeOptions } from './port.js';
import type { ParkedMessage, RecordedEvent } from './recorded.js';

// The JetStream store's rules for stream ids and patterns (NATS subject tokens).
const STREAM_ID = /^[A-Za-z0-9_\-:=]+(\.[A-Za-z0-9_\-:=]+)*$/;
const STREAM_PATTERN = /^([A-Za-z0-9_\-:=]+|\*)(\.([A-Za-z0-9_\-:=]+|\*))*(\.>)?$|^>$/;

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
function matches(pattern: string | undefined, streamId: string): boolean {
  if (pattern === undefined || pattern === '>') return true;
  const p = pattern.split('.');
  const s = streamId.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

export interface InMemoryEventStoreOptions {
  /** Default actor recorded on appended events. */
  actor?: string;
}

export class InMemoryEventStore implements EventStorePort {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  /** Event id → position, as JetStream's dedupe window (here: forever). */
  private readonly byEventId = new Map<string, number>();
  private readonly subscriptions = new Set<MemorySubscription>();
  private readonly created = new Date().toISOString();
  private closed = false;

  constructor(private readonly options: InMemoryEventStoreOptions = {}) {}

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  private checkStreamId(streamId: string): void {
    if (!STREAM_ID.test(streamId)) throw new InvalidStreamIdError(streamId);
  }

  private checkPattern(pattern: string | undefined): void {
    if (pattern !== undefined && pattern !== '' && !STREAM_PATTERN.test(pattern)) throw new InvalidStreamIdError(pattern);
  }

  /** Validates like the JetStream store, and round-trips the data through the codec so readers get what they would. */
  private prepare(event: AnyNewEvent): { type: EventType; data: EventData<EventType> } {
    const schema = eventDataSchemas[event.type] as z.ZodType | undefined;
    if (!schema) throw new EventValidationError(String(event.type), 'unknown event type');
    const parsed = schema.safeParse(event.data);
    if (!parsed.success) throw new EventValidationError(event.type, z.prettifyError(parsed.error));
    const data = schema.parse(decodeEventData(encodeEventData(event.data))) as EventData<EventType>;
    return { type: event.type, data };
  }

  private record(streamId: string, event: AnyNewEvent, prepared: ReturnType<InMemoryEventStore['prepare']>, actor: string) {
    const stream = this.streams.get(streamId) ?? [];
    const eventId = event.eventId ?? randomUUID();
    const now = new Date();
    const recorded = {
      streamId,
      revision: stream.length,
      position: this.log.length + 1,
      type: prepared.type,
      data: prepared.data,
      metadata: {
        eventId,
        type: prepared.type,
        schemaVersion: currentSchemaVersion[prepared.type],
        occurredAt: now.toISOString(),
        actor,
        ...(event.correlationId ? { correlationId: event.correlationId } : {}),
        ...(event.causationId ? { causationId: event.causationId } : {}),
      },
      recordedAt: now,
    } as RecordedEvent;
    stream.push(recorded);
    this.streams.set(streamId, stream);
    this.log.push(recorded);
    this.byEventId.set(eventId, recorded.position);
    for (const sub of this.subscriptions) sub.notify();
    return recorded;
  }

  async appendToStream(streamId: string, events: AnyNewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    this.checkStreamId(streamId);
    if (events.length === 0) throw new EventValidationError('(none)', 'append needs at least one event');
    const prepared = events.map((e) => this.prepare(e));
    const expected = options.expectedRevision ?? 'any';
    // A retry of events already stored (every event id known) is answered as a duplicate, as JetStream's dedupe does.
    const known = events.map((e) => (e.eventId !== undefined ? this.byEventId.get(e.eventId) : undefined));
    if (known.every((p) => p !== undefined)) {
      const last = this.log[known[known.length - 1]! - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position, duplicate: true };
    }
    const tip = (this.streams.get(streamId)?.length ?? 0) - 1;
    const exists = tip >= 0;
    if (expected === 'no_stream' && exists) throw new WrongExpectedVersionError(streamId, expected, tip);
    if (expected === 'stream_exists' && !exists) throw new WrongExpectedVersionError(streamId, expected, 'no_stream');
    if (typeof expected === 'number' && tip !== expected)
      throw new WrongExpectedVersionError(streamId, expected, exists ? tip : 'no_stream');
    const actor = options.actor ?? this.options.actor ?? 'system';
    let last: RecordedEvent | undefined;
    for (const [i, e] of events.entries()) last = this.record(streamId, e, prepared[i]!, actor);
    return { nextExpectedRevision: last!.revision, position: last!.position, duplicate: false };
  }

  async appendNewStreams(items: { streamId: string; event: AnyNewEvent }[], actor?: string): Promise<AppendResult[]> {
    this.assertOpen();
    for (const { streamId } of items) this.checkStreamId(streamId);
    const prepared = items.map(({ event }) => this.prepare(event));
    const results: (AppendResult | undefined)[] = [];
    const conflicts: number[] = [];
    for (const [i, { streamId, event }] of items.entries()) {
      const dup = event.eventId !== undefined ? this.byEventId.get(event.eventId) : undefined;
      if (dup !== undefined) {
        results.push({ nextExpectedRevision: 0, position: dup, duplicate: true });
      } else if (this.streams.has(streamId)) {
        results.push(undefined);
        conflicts.push(i);
      } else {
        const r = this.record(streamId, event, prepared[i]!, actor ?? this.options.actor ?? 'system');
        results.push({ nextExpectedRevision: 0, position: r.position, duplicate: false });
      }
    }
    if (conflicts.length > 0) throw new NewStreamsConflictError(items[conflicts[0]!]!.streamId, results, conflicts);
    return results as AppendResult[];
  }

  async readStream<T extends EventType = EventType>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<T>[]> {
    this.checkStreamId(streamId);
    const all = [...(this.streams.get(streamId) ?? [])] as RecordedEvent<T>[];
    const backwards = options.direction === 'backwards';
    let out = backwards ? all.reverse() : all;
    if (options.fromRevision !== undefined) {
      const from = options.fromRevision;
      out = out.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    }
    return options.maxCount !== undefined ? out.slice(0, options.maxCount) : out;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.checkPattern(options.filter);
    const head = this.log.length;
    let n = 0;
    for (let i = Math.max(1, options.fromPosition ?? 1) - 1; i < head; i++) {
      const e = this.log[i]!;
      if (!matches(options.filter || undefined, e.streamId)) continue;
      if (options.types && !options.types.includes(e.type)) continue;
      yield e;
      if (options.maxCount !== undefined && ++n >= options.maxCount) return;
    }
  }

  async streamTip(streamId: string): Promise<{ revision: number; position: number } | undefined> {
    this.assertOpen();
    this.checkStreamId(streamId);
    const last = this.streams.get(streamId)?.at(-1);
    return last ? { revision: last.revision, position: last.position } : undefined;
  }

  async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    this.checkStreamId(streamId);
    return this.streams.get(streamId)?.at(-1);
  }

  subscribeToStream(streamId: string, options: Omit<SubscribeOptions, 'filter'> = {}): EventSubscription {
    this.checkStreamId(streamId);
    return this.track(new MemorySubscription(this.log, (e) => e.streamId === streamId, options));
  }

  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    this.checkPattern(options.filter);
    const filter = options.filter || undefined;
    return this.track(new MemorySubscription(this.log, (e) => matches(filter, e.streamId), options));
  }

  private track(sub: MemorySubscription): MemorySubscription {
    this.assertOpen();
    this.subscriptions.add(sub);
    sub.closed.finally(() => this.subscriptions.delete(sub)).catch(() => undefined);
    return sub;
  }

  async headPosition(): Promise<number> {
    return (await this.identity()).headPosition;
  }

  async identity(): Promise<LogIdentity> {
    this.assertOpen();
    return { created: this.created, headPosition: this.log.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A catch-up subscription over the in-memory log: walks it from a position, then waits for appends. */
class MemorySubscription implements EventSubscription {
  position = 0;
  pending = Number.POSITIVE_INFINITY;
  readonly parked: ParkedMessage[] = [];
  readonly caughtUp: Promise<void>;
  readonly closed: Promise<void>;
  private resolveCaughtUp!: () => void;
  private resolveClosed!: () => void;
  private wake?: () => void;
  private stopped = false;
  private started = false;

  constructor(
    private readonly log: readonly RecordedEvent[],
    private readonly accepts: (e: RecordedEvent) => boolean,
    private readonly options: Omit<SubscribeOptions, 'filter'>,
  ) {
    this.caughtUp = new Promise((r) => (this.resolveCaughtUp = r));
    this.closed = new Promise((r) => (this.resolveClosed = r));
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  notify(): void {
    this.wake?.();
  }

  /** Stored events after `index` that this subscription would see. */
  private ahead(index: number): number {
    let n = 0;
    for (let i = index; i < this.log.length; i++) if (this.accepts(this.log[i]!)) n++;
    return n;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated once');
    this.started = true;
    let next = Math.max(1, this.options.fromPosition ?? 1) - 1;
    try {
      while (!this.stopped) {
        if (next >= this.log.length) {
          this.pending = 0;
          this.resolveCaughtUp();
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
          continue;
        }
        const e = this.log[next++]!;
        if (!this.accepts(e)) continue;
        this.position = e.position;
        this.pending = this.ahead(next);
        if (
          (!this.options.types || this.options.types.includes(e.type)) &&
          (this.options.fromRevision === undefined || e.revision >= this.options.fromRevision)
        ) {
          yield e;
        }
        this.options.onProgress?.(e.position);
        if (this.pending === 0) this.resolveCaughtUp();
      }
    } finally {
      this.stopped = true;
      this.resolveClosed();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.wake) this.wake();
    else if (!this.started) this.resolveClosed();
    await this.closed;
  }
}
