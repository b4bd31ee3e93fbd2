// The event store over one JetStream stream: append with expected revision, read, and catch-up subscriptions.
//
// Vocabulary (as KurrentDB's client): an event-store *stream* (`block.abc`) is a subject in the store's JetStream
// stream; its *revision* counts its events from 0; an event's *position* is its JetStream sequence (global order).
// Appends with an expected revision use JetStream's expected-last-subject-sequence, so the server, not the client,
// refuses a stale write.
//
// Over 400 lines for a reason: one class, because its append, read and subscribe paths share the stream-tip cache,
// the closed state, and the two position rules every one of them applies (an as-of view's `upTo`, a fork's own
// log's `positionOffset`; the composition of a fork is forked-event-store.ts). Around it: its vocabulary in event-store-types.ts, event encoding in append-encoding.ts,
// the request policy (timeouts, reconnect wait, backoff) in request-policy.ts, stream subjects in
// stream-subjects.ts, the stream's settings in stream-admin.ts, subscriptions in subscription.ts, the connection's
// state in connection-state.ts.
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type StoredMsg,
} from '@nats-io/jetstream';
import type { EventType, StoreNames } from '@hvs-nvm/events';
import {
  EventStoreClosedError,
  EventStoreUnavailableError,
  EventValidationError,
  NewStreamsConflictError,
  ReadOnlyViewError,
  WrongExpectedVersionError,
} from './errors.js';
import { callLinks, prepareEvent } from './append-encoding.js';
import { ConnectionState } from './connection-state.js';
import { isWrongLastSequence } from './nats-errors.js';
import { parseStoredMessage, storedRevision, type RecordedEvent } from './recorded.js';
import { ensureStream } from './stream-admin.js';
import { PROBE_TIMEOUT_MS, REQUEST_TIMEOUT_MS, requestWithRetries } from './request-policy.js';
import { filterSubject, streamSubject } from './stream-subjects.js';
import { CatchUpSubscription } from './subscription.js';
import type { EventStorePort, EventSubscription, SubscribeOptions } from './port.js';
import type {
  AnyNewEvent,
  AppendOptions,
  AppendResult,
  EventStoreOptions,
  LogIdentity,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-store-types.js';

export type {
  AnyNewEvent,
  EventStoreOptions,
  AppendOptions,
  AppendResult,
  ExpectedRevision,
  LogIdentity,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-store-types.js';

/** Stream tips remembered for appends (each a few hundred bytes; long-lived writers touch unbounded numbers of streams). */
const MAX_CACHED_TIPS = 10_000;

/** One JetStream stream, seen as an event store. */
export class EventStore implements EventStorePort {
  private closed = false;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  /** Last known (revision, position) per stream id, so appends with 'any' usually skip a lookup. */
  private readonly tips = new Map<string, { revision: number; position: number }>();
  private readonly connection: ConnectionState;

  protected constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: StoreNames,
    protected readonly options: EventStoreOptions,
  ) {
    this.connection = new ConnectionState(nc);
  }

  /** Opens the store on a connection, creating or updating its JetStream stream. */
  static async open(nc: NatsConnection, options: EventStoreOptions): Promise<EventStore> {
    const jsm = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
    const store = new EventStore(nc, jetstream(nc, { timeout: REQUEST_TIMEOUT_MS }), jsm, options.names, options);
    try {
      await ensureStream(jsm, options.names, options);
    } catch (err) {
      store.connection.stop();
      throw err;
    }
    return store;
  }

  /** One JetStream request under the store's request policy (see request-policy.ts). */
  private request<T>(call: () => Promise<T>): Promise<T> {
    return requestWithRetries(this.connection, this.nc, this.options, call);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  /**
   * The last position this store shows when it is an as-of view (`upTo` option): reads and subscriptions end there,
   * appends throw ReadOnlyViewError. Undefined for the live store.
   */
  get upTo(): number | undefined {
    return this.options.upTo;
  }

  private assertWritable(what: string): void {
    if (this.options.upTo !== undefined) throw new ReadOnlyViewError(what, this.options.upTo);
  }

  private beyondView(position: number): boolean {
    return this.options.upTo !== undefined && position > this.options.upTo;
  }

  /** Positions of this store's events are their JetStream sequences plus this (a fork's own log follows its base's). */
  get positionOffset(): number {
    return this.options.positionOffset ?? 0;
  }

  /** The position of the message at JetStream sequence `seq`. */
  private pos(seq: number): number {
    return seq + (this.options.positionOffset ?? 0);
  }

  /** The JetStream sequence of `position` (0 or less: before this stream's first message). */
  private seqOf(position: number): number {
    return position - (this.options.positionOffset ?? 0);
  }

  /**
   * The same log as a read-only view up to `position` (clamped to the head as of now), on the same connection: reads
   * and subscriptions end at that position, appends throw ReadOnlyViewError. Closing the view closes nothing else.
   */
  async view(position: number): Promise<EventStore> {
    const head = await this.headPosition();
    const upTo = Math.max(0, Math.min(position, head));
    return new EventStore(this.nc, this.js, this.jsm, this.names, { ...this.options, upTo });
  }

  /**
   * The position of the last event recorded at or before `time` (0 when the log starts after it): the point of an
   * as-of view by time. One ordered consumer starting at that time, asked for its first message.
   */
  async positionAt(time: Date): Promise<number> {
    this.assertOpen();
    const head = await this.headPosition();
    if (head === 0) return 0;
    // JetStream delivers from the first message stored at or after opt_start_time: one millisecond past `time`
    // keeps the events of that very millisecond in the view.
    const start = new Date(time.getTime() + 1).toISOString();
    try {
      return await this.request(async () => {
        const consumer = await this.js.consumers.get(this.names.stream, {
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: start,
        });
        try {
          if ((await consumer.info(true)).num_pending === 0) return head;
          const first = await consumer.next({ expires: 5_000 });
          return first ? this.pos(first.seq - 1) : head;
        } finally {
          await consumer.delete().catch(() => undefined);
        }
      });
    } catch (err) {
      throw new EventStoreUnavailableError(`cannot find the position of ${time.toISOString()} in ${this.names.stream}: ${String(err)}`, {
        cause: err,
      });
    }
  }

  /** The server time an event was recorded at a position (undefined when none is stored there). */
  async timeAt(position: number): Promise<Date | undefined> {
    this.assertOpen();
    if (this.seqOf(position) <= 0) return undefined;
    try {
      const msg = await this.request(() => this.jsm.streams.getMessage(this.names.stream, { seq: this.seqOf(position) }));
      return msg ? msg.time : undefined;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
      throw new EventStoreUnavailableError(`cannot read position ${position} of ${this.names.stream}: ${String(err)}`, { cause: err });
    }
  }

  /** The last event of a stream: its revision and position, or undefined when the stream has none. */
  async streamTip(streamId: string): Promise<{ revision: number; position: number } | undefined> {
    const msg = await this.lastMessage(streamId, 'the tip');
    if (!msg) return undefined;
    if (this.beyondView(this.pos(msg.seq))) {
      const last = (await this.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
      return last ? { revision: last.revision, position: last.position } : undefined;
    }
    const revision = storedRevision(msg.header, msg.data);
    const tip = { revision: Number.isInteger(revision) ? revision : -1, position: this.pos(msg.seq) };
    this.rememberTip(streamId, tip);
    return tip;
  }

  /** The newest stored message of a stream (a direct get by subject), or undefined when it has none. */
  private async lastMessage(streamId: string, what: string): Promise<StoredMsg | undefined> {
    this.assertOpen();
    const subject = streamSubject(this.names, streamId);
    try {
      const msg = await this.request(() => this.jsm.streams.getMessage(this.names.stream, { last_by_subj: subject }));
      return msg ?? undefined;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
      throw new EventStoreUnavailableError(`cannot read ${what} of ${streamId}: ${String(err)}`, { cause: err });
    }
  }

  /** The last event of a stream, read straight from the log (one direct get, no consumer); undefined if it has none. */
  async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const msg = await this.lastMessage(streamId, 'the last event');
    if (!msg) return undefined;
    // A view: the stream's newest event is past the view's point; its last one at that point is read from the stream.
    if (this.beyondView(this.pos(msg.seq))) return (await this.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
    const parsed = parseStoredMessage(this.names.prefix, msg.subject, this.pos(msg.seq), msg.header, msg.data, msg.time.getTime() * 1e6);
    return parsed.kind === 'event' ? parsed.event : undefined;
  }

  /**
   * The first event of a stream that `accept` takes, in log order, skipping anything that is not a valid event (one
   * direct get per message looked at). For streams whose first event decides (a collection's configuration): a
   * message that landed later, or a foreign one before it, changes nothing.
   */
  async firstEvent(streamId: string, accept: (event: RecordedEvent) => boolean = () => true): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const subject = streamSubject(this.names, streamId);
    for (let seq = 1; ;) {
      let msg: StoredMsg | null;
      try {
        // The stream-API get takes `next_by_subj` too (nats.js types it for direct gets only), and needs no allow_direct.
        const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
        msg = await this.request(() => this.jsm.streams.getMessage(this.names.stream, query));
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return undefined;
        throw new EventStoreUnavailableError(`cannot read the first event of ${streamId}: ${String(err)}`, { cause: err });
      }
      if (!msg || this.beyondView(this.pos(msg.seq))) return undefined;
      const parsed = parseStoredMessage(this.names.prefix, msg.subject, this.pos(msg.seq), msg.header, msg.data, msg.time.getTime() * 1e6);
      if (parsed.kind === 'event' && accept(parsed.event)) return parsed.event;
      seq = msg.seq + 1;
    }
  }

  /** Caches a stream's tip for the next append; bounded, most recent kept (a Map iterates oldest first). */
  private rememberTip(streamId: string, tip: { revision: number; position: number }): void {
    this.tips.delete(streamId);
    this.tips.set(streamId, tip);
    if (this.tips.size > MAX_CACHED_TIPS) this.tips.delete(this.tips.keys().next().value!);
  }

  private async publish(subject: string, payload: Uint8Array, hdrs: MsgHdrs | undefined, eventId: string, lastSeq?: number) {
    try {
      // Same msgID on retry: JetStream's dedupe makes a retried publish land once.
      return await this.request(() =>
        this.js.publish(subject, payload, {
          msgID: eventId,
          ...(hdrs ? { headers: hdrs } : {}),
          ...(lastSeq !== undefined ? { expect: { lastSubjectSequence: lastSeq } } : {}),
        }),
      );
    } catch (err) {
      if (isWrongLastSequence(err)) throw err;
      throw new EventStoreUnavailableError(`append to ${subject} failed: ${String(err)}`, { cause: err });
    }
  }

  /** The revision recorded on the event stored at a position (for an append JetStream answered as a duplicate). */
  private async revisionAt(streamId: string, position: number): Promise<number> {
    try {
      const msg = await this.request(() => this.jsm.streams.getMessage(this.names.stream, { seq: position }));
      const revision = msg ? storedRevision(msg.header, msg.data) : NaN;
      if (Number.isInteger(revision)) return revision;
    } catch (err) {
      throw new EventStoreUnavailableError(`cannot read ${streamId} at position ${position}: ${String(err)}`, { cause: err });
    }
    throw new EventStoreUnavailableError(`the event at position ${position} of ${streamId} has no revision`);
  }

  /**
   * Appends events to one stream. With a numeric expected revision, 'no_stream' or 'stream_exists', the server
   * refuses the append if another writer got there first (WrongExpectedVersionError). With 'any', the append
   * retries on the fresh tip so revisions stay contiguous. Several events are appended in order, each
   * conditioned on the previous one (JetStream 2.9 has no atomic multi-message publish).
   *
   * A retry of an append that was already stored (same event ids, within the dedupe window) is answered from
   * JetStream's dedupe: nothing new is stored and the result, flagged `duplicate`, carries the stored revision.
   */
  async appendToStream(streamId: string, events: AnyNewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    this.assertWritable(`an append to ${streamId}`);
    const subject = streamSubject(this.names, streamId);
    const expected = options.expectedRevision ?? 'any';
    if (events.length === 0) throw new EventValidationError('(none)', 'append needs at least one event');
    const actor = options.actor ?? this.options.actor ?? 'system';
    const call = callLinks();
    const prepared = events.map((e) => prepareEvent(e, actor, call, this.options.recordFormat));
    for (let attempt = 0; ; attempt++) {
      let tip: { revision: number; position: number } | undefined;
      // The stream is past the expected revision: only a retry of events already stored can succeed.
      let retryProbe = false;
      if (expected === 'no_stream') tip = undefined;
      else if (typeof expected === 'number' || expected === 'stream_exists' || expected === 'any') {
        // A cached tip is only a guess: the server still checks it, and a stale guess just costs a retry.
        const cached = attempt === 0 ? this.tips.get(streamId) : undefined;
        const usable = cached && (expected === 'any' || (typeof expected === 'number' && cached.revision === expected));
        tip = usable ? cached : await this.streamTip(streamId);
        if (expected === 'stream_exists' && !tip) throw new WrongExpectedVersionError(streamId, expected, 'no_stream');
        // A fork's stream whose events so far are all in its base: revisions go on from the base's.
        if (!tip && options.inheritedRevision !== undefined) tip = { revision: options.inheritedRevision, position: this.pos(0) };
        if (typeof expected === 'number' && (tip?.revision ?? -1) !== expected) {
          const mayBeRetry = tip !== undefined && tip.revision > expected && events.every((e) => e.eventId !== undefined);
          if (!mayBeRetry) throw new WrongExpectedVersionError(streamId, expected, tip ? tip.revision : 'no_stream');
          retryProbe = true;
        }
      }
      try {
        let revision = tip?.revision ?? -1;
        let lastSeq = tip ? this.seqOf(tip.position) : 0;
        let duplicate = true;
        for (const p of prepared) {
          revision++;
          const { payload, hdrs } = p.at(revision);
          // A probe expects subject sequence 0, which cannot hold on a stream that has events: JetStream checks
          // its dedupe window first, so a stored event is answered as a duplicate and anything else is refused.
          const ack = await this.publish(subject, payload, hdrs, p.eventId, retryProbe ? 0 : lastSeq);
          if (ack.duplicate) revision = await this.revisionAt(streamId, ack.seq);
          duplicate &&= ack.duplicate;
          lastSeq = ack.seq;
        }
        // A duplicate's position need not be the stream's tip, so it is not cached.
        if (duplicate) this.tips.delete(streamId);
        else this.rememberTip(streamId, { revision, position: this.pos(lastSeq) });
        call.appended(prepared.at(-1)!.eventId);
        return { nextExpectedRevision: revision, position: this.pos(lastSeq), duplicate };
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
        this.tips.delete(streamId);
        if (expected === 'any' && attempt < 20) continue;
        const now = await this.streamTip(streamId);
        throw new WrongExpectedVersionError(streamId, expected, now ? now.revision : 'no_stream');
      }
    }
  }

  /**
   * Appends the first event of many new streams at once: all publishes go out before any ack is awaited.
   * Each is conditioned on its stream not existing yet (a fresh id), so no lookups are needed.
   *
   * `options.validated` (@internal): the caller built every event's data from values it checked against the
   * event's schema (the mailbox's sends), so the append does not check it again. Readers still check every event.
   */
  async appendNewStreams(
    items: { streamId: string; event: AnyNewEvent }[],
    actor?: string,
    options: { validated?: boolean } = {},
  ): Promise<AppendResult[]> {
    this.assertOpen();
    this.assertWritable(`an append of ${items.length} new streams`);
    const who = actor ?? this.options.actor ?? 'system';
    const call = callLinks();
    const prepared = items.map(({ streamId, event }) => {
      const subject = streamSubject(this.names, streamId);
      const p = prepareEvent(event, who, call, this.options.recordFormat, options.validated === true);
      return { subject, streamId, eventId: p.eventId, ...p.at(0) };
    });
    const acks = await Promise.allSettled(prepared.map((p) => this.publish(p.subject, p.payload, p.hdrs, p.eventId, 0)));
    const results: (AppendResult | undefined)[] = [];
    const conflicts: number[] = [];
    let failure: unknown;
    for (const [i, settled] of acks.entries()) {
      if (settled.status === 'rejected') {
        results.push(undefined);
        if (isWrongLastSequence(settled.reason)) conflicts.push(i);
        else failure ??= settled.reason;
        continue;
      }
      results.push({ nextExpectedRevision: 0, position: this.pos(settled.value.seq), duplicate: settled.value.duplicate });
    }
    if (failure !== undefined) throw failure;
    // The callers go on with `results` and `conflicts`; a lookup of the first stream's revision for the message
    // would cost a request on every upsert batch.
    if (conflicts.length > 0) throw new NewStreamsConflictError(prepared[conflicts[0]!]!.streamId, results, conflicts);
    if (prepared.length > 0) call.appended(prepared.at(-1)!.eventId);
    return results as AppendResult[];
  }

  /** Reads one stream's events in revision order (or reversed). */
  async readStream<T extends EventType = EventType>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<T>[]> {
    const subject = streamSubject(this.names, streamId);
    const all: RecordedEvent<T>[] = [];
    for await (const e of this.iterate(subject, 1)) {
      if (e.kind === 'event') all.push(e.event as RecordedEvent<T>);
    }
    const backwards = options.direction === 'backwards';
    let out = backwards ? all.reverse() : all;
    if (options.fromRevision !== undefined) {
      const from = options.fromRevision;
      out = out.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    }
    return options.maxCount !== undefined ? out.slice(0, options.maxCount) : out;
  }

  /** Reads every event of the store (or of a stream pattern) from a position up to the head as of the call. */
  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    let n = 0;
    for await (const e of this.iterate(filterSubject(this.names, options.filter), options.fromPosition ?? 1)) {
      if (e.kind !== 'event') continue;
      if (options.types && !options.types.includes(e.event.type)) continue;
      yield e.event;
      if (options.maxCount !== undefined && ++n >= options.maxCount) return;
    }
  }

  /**
   * @internal Creates an ordered consumer on a subject from a position (waiting for the connection, retrying
   * transient failures) and says how many messages it has pending.
   */
  async openOrderedConsumer(filterSubject: string, fromPosition: number): Promise<{ consumer: Consumer; pending: number }> {
    this.assertOpen();
    try {
      return await this.request(async () => {
        const consumer = await this.js.consumers.get(this.names.stream, {
          filter_subjects: filterSubject,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: Math.max(1, this.seqOf(fromPosition)),
        });
        return { consumer, pending: (await consumer.info(true)).num_pending };
      });
    } catch (err) {
      throw new EventStoreUnavailableError(`cannot read ${filterSubject}: ${String(err)}`, { cause: err });
    }
  }

  /** Iterates stored messages on a subject from a position to the head as of the call. */
  private async *iterate(filterSubject: string, fromPosition: number) {
    if (this.beyondView(fromPosition)) return;
    const { consumer, pending } = await this.openOrderedConsumer(filterSubject, fromPosition);
    let messages: ConsumerMessages | undefined;
    try {
      if (pending === 0) return;
      messages = await consumer.consume({ max_messages: 1024 });
      for await (const m of messages) {
        if (this.beyondView(this.pos(m.seq))) break;
        yield parseStoredMessage(this.names.prefix, m.subject, this.pos(m.seq), m.headers, m.data, m.info.timestampNanos);
        if (m.info.pending === 0) break;
      }
    } catch (err) {
      if (err instanceof EventStoreUnavailableError) throw err;
      throw new EventStoreUnavailableError(`reading ${filterSubject} failed: ${String(err)}`, { cause: err });
    } finally {
      messages?.stop();
      await consumer.delete().catch(() => undefined);
    }
  }

  /** Catch-up subscription to one stream: history from a revision, then live, no gap, no duplicate. */
  subscribeToStream(streamId: string, options: Omit<SubscribeOptions, 'filter'> = {}): EventSubscription {
    return this.track(new CatchUpSubscription(this, streamSubject(this.names, streamId), options, this.options.onParked));
  }

  /** Catch-up subscription to the whole store (or a stream pattern) from a position, resuming from a checkpoint. */
  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    const subject = filterSubject(this.names, options.filter);
    return this.track(new CatchUpSubscription(this, subject, options, this.options.onParked));
  }

  private track(sub: CatchUpSubscription): CatchUpSubscription {
    this.assertOpen();
    this.subscriptions.add(sub);
    sub.closed.finally(() => this.subscriptions.delete(sub)).catch(() => undefined);
    return sub;
  }

  /** The position of the newest event in the store (0 when empty). */
  async headPosition(): Promise<number> {
    return (await this.identity()).headPosition;
  }

  /**
   * Which log this is and how far it reaches: the JetStream stream's creation time (a deleted and recreated stream,
   * or another server's, has another) and its head. A checkpoint records the former to refuse a foreign log.
   */
  async identity(): Promise<LogIdentity> {
    this.assertOpen();
    try {
      const info = await this.request(() => this.jsm.streams.info(this.names.stream));
      const head = this.pos(info.state.last_seq);
      return { created: info.created, headPosition: this.options.upTo !== undefined ? Math.min(head, this.options.upTo) : head };
    } catch (err) {
      throw new EventStoreUnavailableError(`cannot read the state of ${this.names.stream}: ${String(err)}`, { cause: err });
    }
  }

  /** @internal Resolves once the connection is up again; with causedByOutage, how subscriptions ride out an outage. */
  async untilConnected(): Promise<void> {
    await this.connection.untilUp();
  }

  /**
   * Whether a write could be acknowledged now: the connection is up and JetStream answers for this store's stream
   * within a second. For health checks; never waits for a reconnect.
   */
  async probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.closed) return { ok: false, reason: 'the event store is closed' };
    if (this.connection.isDown || this.nc.isClosed()) return { ok: false, reason: 'NATS is not connected' };
    try {
      const msg = await this.nc.request(`$JS.API.STREAM.INFO.${this.names.stream}`, undefined, { timeout: PROBE_TIMEOUT_MS });
      const answer = JSON.parse(new TextDecoder().decode(msg.data)) as { error?: { description?: string } };
      if (answer.error) return { ok: false, reason: `JetStream: ${answer.error.description ?? 'error'}` };
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `JetStream did not answer: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.connection.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
