// How the event store talks to JetStream: request timeouts, waiting out a dropped connection, retrying transient
// failures with backoff.
import type { NatsConnection } from '@nats-io/nats-core';
import type { ConnectionState } from './connection-state.js';
import { EventStoreUnavailableError } from './errors.js';
import type { EventStoreOptions } from './event-store-types.js';
import { isTransient } from './nats-errors.js';

/** How long one JetStream request may take. */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How long a request waits for a dropped connection to come back. A restart of the server (the embedded one is
 * restarted by its supervisor) or a move to another cluster node takes less; longer, and the caller gets a typed
 * 503 at once rather than a write hanging until some timeout.
 */
export const RECONNECT_WAIT_MS = 2_000;
/** How long the health probe waits for JetStream to answer. */
export const PROBE_TIMEOUT_MS = 1_000;
/** Transient failures (no leader, a restarting server) are retried for this long… */
const RETRY_FOR_MS = 20_000;
/** …pausing at most this long between tries. */
const MAX_RETRY_PAUSE_MS = 250;

/**
 * Runs one JetStream request once the connection is up, abandoning it if the connection drops meanwhile, and
 * retries it with backoff while it fails for a transient reason. Other errors are rethrown as they are.
 */
export async function requestWithRetries<T>(
  connection: ConnectionState,
  nc: NatsConnection,
  options: Pick<EventStoreOptions, 'publishRetries' | 'retryForMs' | 'reconnectWaitMs'>,
  call: () => Promise<T>,
): Promise<T> {
  const retries = options.publishRetries ?? 8;
  // A stream whose leader died answers "no responders" until its peers elect another (seconds on 2.9): retry for
  // as long as that takes, with short pauses so the write goes through soon after the election.
  const deadline = Date.now() + (options.retryForMs ?? RETRY_FOR_MS);
  for (let attempt = 0; ; attempt++) {
    const waitMs = options.reconnectWaitMs ?? RECONNECT_WAIT_MS;
    try {
      // Only when down: an await here would hold every publish back a turn of the event loop, and publishes issued
      // in one turn go out in one socket write.
      if (connection.isDown) await connection.connected(waitMs);
    } catch (err) {
      // Not retried: the outage outlasted the wait, and the caller hears so now.
      throw new EventStoreUnavailableError(`NATS is not connected (no reconnect within ${waitMs} ms)`, { cause: err });
    }
    try {
      return await connection.unlessDropped(call());
    } catch (err) {
      if ((attempt >= retries && Date.now() >= deadline) || !isTransient(err) || nc.isClosed()) throw err;
      await new Promise((r) => setTimeout(r, Math.min(MAX_RETRY_PAUSE_MS, 25 * 2 ** attempt)));
    }
  }
}
