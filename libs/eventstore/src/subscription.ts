// Catch-up subscriptions: one ordered JetStream consumer reads history and then goes live, with no gap and no duplicate.
import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection, Status } from '@nats-io/nats-core';
import type { StoreNames } from '@hvs-nvm/events';
import { causedByOutage } from './connection-state.js';
import type { EventSubscription, SubscribeOptions } from './port.js';
import { parseStoredMessage, type ParkedMessage, type RecordedEvent } from './recorded.js';

/** What a subscription reads through: the store's connection, names and ordered consumers (EventStore gives it). */
export interface SubscriptionSource {
  readonly nc: NatsConnection;
  readonly names: StoreNames;
  openOrderedConsumer(filterSubject: string, fromPosition: number): Promise<{ consumer: Consumer; pending: number }>;
  untilConnected(): Promise<void>;
  /** An as-of view's last position: the subscription delivers history up to it and ends there (never goes live). */
  readonly upTo?: number | undefined;
  /** Added to a JetStream sequence to make a position (a fork's own log). */
  readonly positionOffset?: number;
}

/**
 * An async iterator of recorded events. `caughtUp` resolves once history up to the head at subscribe time has
 * been delivered; `pending` says how many stored events are still ahead of the last one delivered. Invalid or
 * foreign messages are parked (reported through `onParked` and kept in `parked`), never delivered, never fatal.
 */
export class CatchUpSubscription implements EventSubscription {
  /** Position of the last message seen (delivered or parked). */
  position = 0;
  /** Stored messages still ahead of the last one seen (0 = at the head). */
  pending = Number.POSITIVE_INFINITY;
  readonly parked: ParkedMessage[] = [];
  readonly caughtUp: Promise<void>;
  readonly closed: Promise<void>;
  private resolveCaughtUp!: () => void;
  private resolveClosed!: () => void;
  private messages?: ConsumerMessages;
  private stopped = false;
  private started = false;

  constructor(
    private readonly store: SubscriptionSource,
    private readonly filterSubject: string,
    private readonly options: SubscribeOptions,
    private readonly onParked?: (p: ParkedMessage) => void,
  ) {
    this.caughtUp = new Promise((r) => (this.resolveCaughtUp = r));
    this.closed = new Promise((r) => (this.resolveClosed = r));
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated once');
    this.started = true;
    let from = this.options.fromPosition ?? 1;
    const upTo = this.store.upTo;
    const offset = this.store.positionOffset ?? 0;
    /** A view's subscription is done once nothing at or before its point is left (it has no live part). */
    const viewDone = () => {
      this.pending = 0;
      this.resolveCaughtUp();
    };
    try {
      while (!this.stopped) {
        if (upTo !== undefined && from > upTo) return viewDone();
        let opened: Awaited<ReturnType<SubscriptionSource['openOrderedConsumer']>>;
        try {
          opened = await this.store.openOrderedConsumer(this.filterSubject, from);
        } catch (err) {
          // Requests fail fast while NATS is down; a subscription outlives the outage and reopens where it was.
          if (this.stopped || this.store.nc.isClosed() || !causedByOutage(err)) throw err;
          await this.store.untilConnected();
          continue;
        }
        const { consumer } = opened;
        const pending = upTo === undefined ? opened.pending : Math.min(opened.pending, upTo - from + 1);
        if (pending === 0) {
          this.pending = 0;
          this.resolveCaughtUp();
          if (upTo !== undefined) {
            await consumer.delete().catch(() => undefined);
            return;
          }
        }
        if (this.stopped) return;
        const messages = await consumer.consume({ max_messages: 2048, expires: 5_000 });
        this.messages = messages;
        // nats.js does not recreate a consumer whose node died (it only reports missed heartbeats): when the
        // heartbeats stop, or the connection comes back after a drop (the server may have restarted and lost the
        // ephemeral consumer), drop it and reopen from the next position, so the subscription follows the log
        // without waiting for heartbeats to time out.
        let stale = false;
        const reopen = () => {
          stale = true;
          messages.stop();
        };
        void (async () => {
          for await (const status of messages.status()) {
            if (status.type === 'heartbeats_missed' && status.count >= 2) return reopen();
          }
        })().catch(() => undefined);
        // nats-core's status iterator has stop() (not in its type): without it the watcher would outlive the round.
        const connection = this.store.nc.status() as AsyncIterable<Status> & { stop?: () => void };
        void (async () => {
          for await (const status of connection) {
            if (status.type === 'reconnect') return reopen();
          }
        })().catch(() => undefined);
        void messages.closed().then(
          () => connection.stop?.(),
          () => connection.stop?.(),
        );
        for await (const m of messages) {
          const position = m.seq + offset;
          if (upTo !== undefined && position > upTo) {
            // Past the view's point: what was gathered up to it is complete.
            viewDone();
            this.options.onProgress?.(upTo);
            return;
          }
          this.position = position;
          this.pending = upTo === undefined ? m.info.pending : Math.min(m.info.pending, upTo - position);
          from = position + 1;
          if (this.options.skip?.(m.subject.slice(this.store.names.prefix.length + 1))) {
            this.options.onProgress?.(position);
            if (this.pending === 0) this.resolveCaughtUp();
            if (upTo !== undefined && this.pending === 0) return;
            if (this.stopped) break;
            continue;
          }
          const parsed = parseStoredMessage(this.store.names.prefix, m.subject, position, m.headers, m.data, m.info.timestampNanos);
          if (parsed.kind === 'parked') {
            this.parked.push(parsed.parked);
            if (this.parked.length > 1000) this.parked.shift();
            this.onParked?.(parsed.parked);
            this.options.onParked?.(parsed.parked);
          } else if (
            (!this.options.types || this.options.types.includes(parsed.event.type)) &&
            (this.options.fromRevision === undefined || parsed.event.revision >= this.options.fromRevision)
          ) {
            yield parsed.event;
          }
          this.options.onProgress?.(position);
          if (this.pending === 0) this.resolveCaughtUp();
          if (upTo !== undefined && this.pending === 0) return;
          if (this.stopped) break;
        }
        if (!stale) break;
      }
    } finally {
      this.stopped = true;
      this.messages?.stop();
      this.resolveClosed();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.messages) this.messages.stop();
    else this.resolveClosed();
    await this.closed;
  }
}
