// The event store's errors: a small hierarchy, each with a stable code and the HTTP status it maps to.
import type { AppendResult } from './event-store-types.js';
import { CodedError } from '@hvs-nvm/events';

export class EventStoreError extends CodedError {}

/** Optimistic concurrency: the stream was not at the revision the caller expected. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number | 'no_stream' | 'unknown',
  ) {
    super(
      'WRONG_EXPECTED_VERSION',
      `stream '${streamId}' is at revision ${String(actual)}, but revision ${String(expected)} was expected`,
      412,
    );
  }
}

/**
 * Some streams of an appendNewStreams call existed already. The others were appended: `results` has their
 * positions (undefined at each index of `conflicts`).
 */
export class NewStreamsConflictError extends WrongExpectedVersionError {
  constructor(
    streamId: string,
    readonly results: readonly (AppendResult | undefined)[],
    readonly conflicts: readonly number[],
  ) {
    super(streamId, 'no_stream', 'unknown');
  }
}

/** An event failed its schema at append; nothing was appended. */
export class EventValidationError extends EventStoreError {
  constructor(type: string, detail: string) {
    super('INVALID_EVENT', `event '${type}' does not match its schema: ${detail}`, 400);
  }
}

export class InvalidStreamIdError extends EventStoreError {
  constructor(streamId: string) {
    super('INVALID_STREAM_ID', `invalid stream id '${streamId}': use dot-separated tokens of A-Z a-z 0-9 _ - : =`, 400);
  }
}

/** NATS could not be reached, or did not answer in time, after retries. */
export class EventStoreUnavailableError extends EventStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super('EVENT_STORE_UNAVAILABLE', message, 503, options);
  }
}

export class EventStoreClosedError extends EventStoreError {
  constructor() {
    super('EVENT_STORE_CLOSED', 'the event store is closed', 409);
  }
}

/** A write on an as-of view of the log: a view answers reads as the world was at its point, and takes no writes. */
export class ReadOnlyViewError extends EventStoreError {
  constructor(what: string, upTo: number) {
    super('READ_ONLY_VIEW', `${what} refused: this is a read-only view of the log as of position ${upTo}`, 409);
  }
}
