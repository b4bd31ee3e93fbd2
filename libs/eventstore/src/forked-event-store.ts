// A fork's event store: its base (the parent's log, read-only up to the fork point) followed by its own JetStream
// stream, whose positions continue the base's. Forking copies nothing: the base is read in place.
import type { EventType } from '@hvs-nvm/events';
import type { NatsConnection } from '@nats-io/nats-core';
import { NewStreamsConflictError, ReadOnlyViewError, WrongExpectedVersionError } from './errors.js';
import { EventStore } from './event-store.js';
import type {
  AnyNewEvent,
  AppendOptions,
  AppendResult,
  EventStoreOptions,
  LogIdentity,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-store-types.js';
import type { EventSubscription, SubscribeOptions } from './port.js';
import type { ParkedMessage, RecordedEvent } from './recorded.js';

/**
 * Reads the base up to the fork point, then the fork's own stream: one position order, no gap, no duplicate. The
 * base part ends at the fork point (a view's subscription never goes live), the own part then goes live.
 */
class ForkSubscription implements EventSubscription {
  position = 0;
  pending = Number.POSITIVE_INFINITY;
  readonly caughtUp: Promise<void>;
  readonly closed: Promise<void>;
  private resolveCaughtUp!: () => void;
  private resolveClosed!: () => void;
  private readonly parts: EventSubscription[] = [];
  private stopped = false;
  private started = false;

  constructor(
    private readonly forkPoint: number,
    private readonly fromPosition: number,
    private readonly openBase: (fromPosition: number) => EventSubscription,
    private readonly openOwn: (fromPosition: number) => EventSubscription,
  ) {
    this.caughtUp = new Promise((r) => (this.resolveCaughtUp = r));
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  get parked(): readonly ParkedMessage[] {
    return this.parts.flatMap((p) => p.parked);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated once');
    this.started = true;
    try {
      if (this.fromPosition <= this.forkPoint) {
        const base = this.openBase(this.fromPosition);
        this.parts.push(base);
        for await (const e of base) {
          this.position = e.position;
          this.pending = base.pending;
          yield e;
          if (this.stopped) return;
        }
      }
      if (this.stopped) return;
      const own = this.openOwn(Math.max(this.fromPosition, this.forkPoint + 1));
      this.parts.push(own);
      void own.caughtUp.then(() => this.resolveCaughtUp());
      for await (const e of own) {
        this.position = e.position;
        this.pending = own.pending;
        yield e;
        if (this.stopped) return;
      }
    } finally {
      this.stopped = true;
      await Promise.all(this.parts.map((p) => p.stop()));
      this.resolveCaughtUp();
      this.resolveClosed();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.parts.map((p) => p.stop()));
    if (!this.started) {
      this.resolveCaughtUp();
      this.resolveClosed();
    }
    await this.closed;
  }
}

/** A fork's log: `base` (a read-only view of the parent's log at the fork point) and then `own`. */
export class ForkedEventStore extends EventStore {
  private constructor(
    readonly base: EventStore,
    readonly own: EventStore,
    options: EventStoreOptions,
  ) {
    super(own.nc, own.js, own.jsm, own.names, options);
  }

  /**
   * Opens a fork's store: its own JetStream stream (`options.names`, created if need be) after `base`, which must be
   * a view (`EventStore.view`) of the parent's store at the fork point.
   */
  static async openFork(nc: NatsConnection, base: EventStore, options: EventStoreOptions): Promise<ForkedEventStore> {
    if (base.upTo === undefined) throw new TypeError('a fork needs a view of its parent as base');
    const ownOptions = { ...options, positionOffset: base.upTo };
    const own = await EventStore.open(nc, ownOptions);
    return new ForkedEventStore(base, own, ownOptions);
  }

  /** The position the fork branched at: the last of its base's events. */
  get forkPoint(): number {
    return this.base.upTo!;
  }

  override get upTo(): number | undefined {
    return this.own.upTo;
  }

  override get positionOffset(): number {
    return this.own.positionOffset;
  }

  override async view(position: number): Promise<EventStore> {
    const own = await this.own.view(position);
    const base = await this.base.view(Math.min(own.upTo!, this.forkPoint));
    return new ForkedEventStore(base, own, { ...this.options, upTo: own.upTo! });
  }

  override async positionAt(time: Date): Promise<number> {
    const own = await this.own.positionAt(time);
    return own > this.forkPoint ? own : this.base.positionAt(time);
  }

  override timeAt(position: number): Promise<Date | undefined> {
    return position <= this.forkPoint ? this.base.timeAt(position) : this.own.timeAt(position);
  }

  override async streamTip(streamId: string): Promise<{ revision: number; position: number } | undefined> {
    return (await this.own.streamTip(streamId)) ?? this.base.streamTip(streamId);
  }

  override async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    return (await this.own.lastEvent(streamId)) ?? this.base.lastEvent(streamId);
  }

  override async firstEvent(streamId: string, accept: (event: RecordedEvent) => boolean = () => true): Promise<RecordedEvent | undefined> {
    return (await this.base.firstEvent(streamId, accept)) ?? this.own.firstEvent(streamId, accept);
  }

  private refuseOnView(what: string): void {
    if (this.upTo !== undefined) throw new ReadOnlyViewError(what, this.upTo);
  }

  /**
   * Appends on the fork's own stream. A stream whose events so far lie in the base goes on from the base's revision
   * (the server still refuses a concurrent first append in the fork: the own subject must still be empty).
   */
  override async appendToStream(streamId: string, events: AnyNewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.refuseOnView(`an append to ${streamId}`);
    if (await this.own.streamTip(streamId)) return this.own.appendToStream(streamId, events, options);
    const inBase = await this.base.streamTip(streamId);
    if (!inBase) return this.own.appendToStream(streamId, events, options);
    const expected = options.expectedRevision ?? 'any';
    if (expected === 'no_stream') throw new WrongExpectedVersionError(streamId, expected, inBase.revision);
    return this.own.appendToStream(streamId, events, { ...options, inheritedRevision: inBase.revision });
  }

  /** New streams in the fork: a stream the base already has is a conflict, as on the parent. */
  override async appendNewStreams(items: { streamId: string; event: AnyNewEvent }[], actor?: string): Promise<AppendResult[]> {
    this.refuseOnView(`an append of ${items.length} new streams`);
    const inBase = await Promise.all(items.map((i) => this.base.streamTip(i.streamId)));
    if (inBase.every((t) => t === undefined)) return this.own.appendNewStreams(items, actor);
    const fresh = items.flatMap((item, i) => (inBase[i] ? [] : [{ item, i }]));
    const results: (AppendResult | undefined)[] = items.map(() => undefined);
    const conflicts = items.flatMap((_, i) => (inBase[i] ? [i] : []));
    if (fresh.length > 0) {
      try {
        const appended = await this.own.appendNewStreams(
          fresh.map((f) => f.item),
          actor,
        );
        appended.forEach((r, j) => (results[fresh[j]!.i] = r));
      } catch (err) {
        if (!(err instanceof NewStreamsConflictError)) throw err;
        err.results.forEach((r, j) => (results[fresh[j]!.i] = r));
        for (const j of err.conflicts) conflicts.push(fresh[j]!.i);
      }
    }
    conflicts.sort((a, b) => a - b);
    throw new NewStreamsConflictError(items[conflicts[0]!]!.streamId, results, conflicts);
  }

  override async readStream<T extends EventType = EventType>(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<T>[]> {
    const all = [...(await this.base.readStream<T>(streamId)), ...(await this.own.readStream<T>(streamId))];
    const backwards = options.direction === 'backwards';
    let out = backwards ? all.reverse() : all;
    if (options.fromRevision !== undefined) {
      const from = options.fromRevision;
      out = out.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    }
    return options.maxCount !== undefined ? out.slice(0, options.maxCount) : out;
  }

  override async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    const from = options.fromPosition ?? 1;
    let left = options.maxCount ?? Number.POSITIVE_INFINITY;
    const parts: [EventStore, number][] = [];
    if (from <= this.forkPoint) parts.push([this.base, from]);
    parts.push([this.own, Math.max(from, this.forkPoint + 1)]);
    for (const [store, fromPosition] of parts) {
      for await (const e of store.readAll({ ...options, fromPosition, ...(Number.isFinite(left) ? { maxCount: left } : {}) })) {
        yield e;
        if (--left <= 0) return;
      }
    }
  }

  override subscribeToStream(streamId: string, options: Omit<SubscribeOptions, 'filter'> = {}): EventSubscription {
    return new ForkSubscription(
      this.forkPoint,
      options.fromPosition ?? 1,
      (fromPosition) => this.base.subscribeToStream(streamId, { ...options, fromPosition }),
      (fromPosition) => this.own.subscribeToStream(streamId, { ...options, fromPosition }),
    );
  }

  override subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    return new ForkSubscription(
      this.forkPoint,
      options.fromPosition ?? 1,
      (fromPosition) => this.base.subscribeToAll({ ...options, fromPosition }),
      (fromPosition) => this.own.subscribeToAll({ ...options, fromPosition }),
    );
  }

  override headPosition(): Promise<number> {
    return this.own.headPosition();
  }

  /** The fork's identity joins its base's and its own stream's: a checkpoint of either log alone does not fit it. */
  override async identity(): Promise<LogIdentity> {
    const [base, own] = await Promise.all([this.base.identity(), this.own.identity()]);
    return { created: `${base.created}+${own.created}`, headPosition: own.headPosition };
  }

  override probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.own.probe();
  }

  override async untilConnected(): Promise<void> {
    await this.own.untilConnected();
  }

  override async close(): Promise<void> {
    await this.own.close();
    await this.base.close();
  }
}
