// Tracks whether a NATS connection is up, so requests wait for a reconnect instead of timing out on a dead socket.
//
// A request sent while nats.js is reconnecting is buffered, but its reply is lost: it fails only when its timeout
// (10 s) runs out. And a request in flight when the server dies never gets its reply either. So the event store
// waits for the connection before each request and abandons (and retries) a request as soon as the link drops.
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { EventStoreError } from './errors.js';

/** The connection dropped while a request was in flight; safe to retry (appends carry their event id). */
export class DisconnectedError extends EventStoreError {
  constructor(message: string) {
    super('DISCONNECTED', message, 503);
  }
}

/** Whether an error (or one in its cause chain) says the connection was down: an outage, not a broken request. */
export function causedByOutage(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DisconnectedError) return true;
  }
  return false;
}

export class ConnectionState {
  private down?: { promise: Promise<void>; resolve: () => void };
  private readonly dropListeners = new Set<() => void>();
  private readonly statuses: AsyncIterable<Status> & { stop?: () => void };

  constructor(nc: NatsConnection) {
    this.statuses = nc.status() as AsyncIterable<Status> & { stop?: () => void };
    void this.watch();
  }

  private async watch(): Promise<void> {
    try {
      for await (const s of this.statuses) {
        if (s.type === 'disconnect') this.markDown();
        else if (s.type === 'reconnect') this.markUp();
        else if (s.type === 'close') break;
      }
    } catch {
      // The status iterator only ends with the connection; requests then fail with the client's own error.
    } finally {
      this.markUp();
    }
  }

  private markDown(): void {
    if (!this.down) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.down = { promise, resolve };
    }
    for (const drop of [...this.dropListeners]) drop();
  }

  private markUp(): void {
    this.down?.resolve();
    this.down = undefined;
  }

  get isDown(): boolean {
    return this.down !== undefined;
  }

  /** Resolves once the connection is up, however long that takes (at once when it is). */
  untilUp(): Promise<void> {
    return this.down?.promise ?? Promise.resolve();
  }

  /** Resolves once the connection is up (at once when it is); rejects with DisconnectedError after timeoutMs. */
  async connected(timeoutMs: number): Promise<void> {
    const down = this.down;
    if (!down) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        down.promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DisconnectedError(`NATS did not reconnect within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Settles like `request`, except that it rejects with DisconnectedError as soon as the connection drops. */
  unlessDropped<T>(request: Promise<T>): Promise<T> {
    // One promise per request (no race, no async frame): this wraps every publish on the hot path.
    return new Promise<T>((resolve, reject) => {
      const drop = () => {
        this.dropListeners.delete(drop);
        reject(new DisconnectedError('the NATS connection dropped while a request was in flight'));
      };
      this.dropListeners.add(drop);
      // An abandoned request still settles later (usually by timing out); settling this promise again is a no-op.
      request.then(
        (value) => {
          this.dropListeners.delete(drop);
          resolve(value);
        },
        (err: unknown) => {
          this.dropListeners.delete(drop);
          reject(err);
        },
      );
    });
  }

  stop(): void {
    this.statuses.stop?.();
    this.markUp();
  }
}
