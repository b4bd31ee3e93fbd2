// Classifies NATS and JetStream client errors by the client's own types and codes, never by `name` or message text
// (names change between releases: nats-core 3.4 names its NoRespondersError 'NoResponders').
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
// JetStreamNotEnabled (what a JetStream request with no responders becomes) and JetStreamStatusError (a pull's
// status) are exported by the internal face only.
import { JetStreamStatusError, jserrors } from '@nats-io/jetstream/internal';
import { DisconnectedError } from './connection-state.js';

const { JetStreamNotEnabled } = jserrors;

/** Nobody answered the request: no service on the subject, or no JetStream (a server restarting, a stream without leader). */
export function isNoResponders(err: unknown): boolean {
  if (err instanceof NoRespondersError) return true;
  if (err instanceof RequestError) return err.isNoResponders();
  if (err instanceof JetStreamNotEnabled) return isNoResponders(err.cause);
  return false;
}

/** The request got no reply in time. */
export function isTimeout(err: unknown): boolean {
  return err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError);
}

/** JetStream refused an append because the subject was not at the expected last sequence (optimistic concurrency). */
export function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/**
 * A failure that a retry may cure: a timeout, no responders, a request cut off by a disconnect, JetStream not (yet)
 * enabled on a restarted node, or JetStream answering 503 (no leader yet, system temporarily unavailable).
 */
export function isTransient(err: unknown): boolean {
  return (
    isTimeout(err) ||
    isNoResponders(err) ||
    // A request cut off by a disconnect ("connection disconnected"); a closed connection is checked by the caller.
    err instanceof RequestError ||
    err instanceof DisconnectedError ||
    // A restarted cluster node answers this until its JetStream is back.
    err instanceof JetStreamNotEnabled ||
    (err instanceof JetStreamApiError && err.status === 503) ||
    (err instanceof JetStreamStatusError && err.code === 503)
  );
}

/** Any error the NATS or JetStream client raises about the server or the link (to be mapped at a boundary, never leaked). */
export function isNatsError(err: unknown): err is Error {
  return (
    err instanceof JetStreamError ||
    err instanceof JetStreamApiError ||
    err instanceof JetStreamNotEnabled ||
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError ||
    err instanceof ConnectionError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof PermissionViolationError ||
    err instanceof DisconnectedError
  );
}
