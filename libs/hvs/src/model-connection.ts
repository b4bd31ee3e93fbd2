// A model's live connection to its mailbox: an async iterator with explicit acks, fetched ahead and kept alive.
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { AckBatch } from './ack-batch.js';
import { PREFETCH, type DeliveredMessage, type ReceivedMessage, type ReceiveOptions, type ReplayOptions } from './mail-messages.js';

/** What a connection asks of the mailboxes it belongs to (Mailboxes in mailbox.ts). */
export interface MailboxAccess {
  readonly ackWaitMs: number;
  consumer(modelId: string): Promise<Consumer>;
  deliver(m: JsMsg, acks: AckBatch): DeliveredMessage | undefined | Promise<undefined>;
  send(from: string, to: string, body: unknown): Promise<string>;
  receive(modelId: string, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  replay(modelId: string, options?: ReplayOptions): Promise<ReceivedMessage[]>;
}

/** A model's live connection: its mailbox as an async iterator with explicit acks. */
export class ModelConnection {
  private stopped = false;
  private stops = new Set<() => void>();
  /** Unconfirmed acks of this connection's messages, sent together at the end of each turn. */
  private readonly acks = new AckBatch();

  constructor(
    readonly modelId: string,
    private readonly mailboxes: MailboxAccess,
  ) {}

  /**
   * Live mailbox: pending messages first, then new ones as they arrive; unacked ones come back. Messages are fetched
   * ahead for throughput; while they wait behind one being handled, the server is told they are in progress, so
   * their ack wait starts when they are handed out, not when they were fetched.
   */
  async *messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<DeliveredMessage> {
    const consumer = await this.mailboxes.consumer(this.modelId);
    const queue: { m: JsMsg; at: number }[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const iter = await consumer.consume({
      max_messages: PREFETCH,
      callback: (m) => {
        queue.push({ m, at: Date.now() });
        notify();
      },
    });
    let ended = false;
    void iter.closed().then(
      () => ((ended = true), notify()),
      () => ((ended = true), notify()),
    );
    const stop = () => {
      iter.stop();
      ended = true;
      notify();
    };
    this.stops.add(stop);
    options.signal?.addEventListener('abort', stop, { once: true });
    const keepAliveMs = Math.max(50, Math.floor(this.mailboxes.ackWaitMs / 3));
    const keepAlive = setInterval(() => {
      const now = Date.now();
      for (const q of queue) {
        if (now - q.at < keepAliveMs) continue;
        q.m.working();
        q.at = now;
      }
    }, keepAliveMs);
    keepAlive.unref();
    try {
      while (!this.stopped) {
        const next = queue.shift();
        if (!next) {
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        // The one handed out is the caller's: past its ack wait without ack() or working(), it comes back.
        const delivered = this.mailboxes.deliver(next.m, this.acks);
        if (delivered instanceof Promise) await delivered;
        else if (delivered) yield delivered;
      }
    } finally {
      clearInterval(keepAlive);
      this.stops.delete(stop);
      iter.stop();
      this.acks.flush();
      // Fetched but never handed out: let them go to the next consumer now rather than at their ack wait.
      for (const q of queue.splice(0)) q.m.nak();
    }
  }

  send(to: string, body: unknown): Promise<string> {
    return this.mailboxes.send(this.modelId, to, body);
  }

  receive(options?: ReceiveOptions): Promise<ReceivedMessage[]> {
    return this.mailboxes.receive(this.modelId, options);
  }

  replay(options?: ReplayOptions): Promise<ReceivedMessage[]> {
    return this.mailboxes.replay(this.modelId, options);
  }

  close(): void {
    this.stopped = true;
    this.acks.flush();
    for (const s of this.stops) s();
  }
}
