// The impure shell around a decider, written once: load fresh state, decide, append with the expected revision, retry on conflict.
import { WrongExpectedVersionError, type AnyNewEvent, type EventStorePort } from '@hvs-nvm/eventstore';

export interface Loaded<S> {
  state: S;
  /** Revision of the stream the state reflects (-1: no stream). */
  revision: number;
}

export interface HandleOptions<S> {
  store: EventStorePort;
  streamId: string;
  actor: string;
  /** Fresh state: reflects at least every event of the stream up to its tip as of the call. */
  load: () => Promise<Loaded<S>>;
  /** Decides from the state of this attempt; throws a domain error to refuse. */
  decide: (state: S) => AnyNewEvent[] | Promise<AnyNewEvent[]>;
  /** Retry on fresh state when another writer got in first (false: the caller pinned a version). */
  retryOnConflict: boolean;
  /** The error to throw when a conflict ends the command. */
  conflictError: (conflict: WrongExpectedVersionError) => Error;
  maxAttempts?: number;
}

export interface Handled<S> {
  /** State the decision was made on. */
  state: S;
  events: AnyNewEvent[];
  /** Position of the last appended event (0 when nothing was appended). */
  position: number;
}

/**
 * Runs a command against one stream with optimistic concurrency. Each attempt decides on fresh state, so a retry
 * re-checks every rule (a block deleted meanwhile fails with the decider's own error).
 */
export async function handleCommand<S>(options: HandleOptions<S>): Promise<Handled<S>> {
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 1; ; attempt++) {
    const loaded = await options.load();
    const events = await options.decide(loaded.state);
    if (events.length === 0) return { state: loaded.state, events, position: 0 };
    try {
      const result = await options.store.appendToStream(options.streamId, events, {
        expectedRevision: loaded.revision < 0 ? 'no_stream' : loaded.revision,
        actor: options.actor,
      });
      return { state: loaded.state, events, position: result.position };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
      if (!options.retryOnConflict || attempt >= maxAttempts) throw options.conflictError(err);
      // Under heavy contention, a little jitter keeps writers from colliding in lock step.
      if (attempt > 3) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 2)));
    }
  }
}
