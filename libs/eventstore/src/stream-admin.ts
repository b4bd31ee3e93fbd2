// Stream admin: the JetStream stream behind an event store, created, or updated to the store's options.
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { StoreNames } from '@hvs-nvm/events';
import { EventStoreUnavailableError } from './errors.js';
import { isStreamNotFound } from './nats-errors.js';

/** The stream settings an event store's options fix (EventStoreOptions has them). */
export interface StreamLimits {
  replicas?: number;
  maxAgeSeconds?: number;
  duplicateWindowSeconds?: number;
}

/** Creates the store's JetStream stream, or brings its replicas and age limit to what the options ask. */
export async function ensureStream(jsm: JetStreamManager, names: StoreNames, options: StreamLimits): Promise<void> {
  const config = {
    name: names.stream,
    subjects: [`${names.prefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas ?? 1,
    max_age: (options.maxAgeSeconds ?? 0) * 1e9,
    duplicate_window: (options.duplicateWindowSeconds ?? 120) * 1e9,
    allow_direct: true,
    max_msgs_per_subject: -1,
  };
  try {
    const info = await jsm.streams.info(names.stream);
    if (info.config.num_replicas !== config.num_replicas || info.config.max_age !== config.max_age) {
      await jsm.streams.update(names.stream, {
        num_replicas: config.num_replicas,
        max_age: config.max_age,
      });
    }
  } catch (err) {
    if (isStreamNotFound(err)) await jsm.streams.add(config);
    else throw new EventStoreUnavailableError(`cannot open stream ${names.stream}: ${String(err)}`, { cause: err });
  }
}

/**
 * Deletes the store's JetStream stream and everything in it (its consumers too). Resolves false when there was none.
 * Only this one stream: other stores' streams, even ones whose names share a prefix, are untouched.
 */
export async function deleteStoreStream(jsm: JetStreamManager, names: StoreNames): Promise<boolean> {
  try {
    return await jsm.streams.delete(names.stream);
  } catch (err) {
    if (isStreamNotFound(err)) return false;
    throw new EventStoreUnavailableError(`cannot delete stream ${names.stream}: ${String(err)}`, { cause: err });
  }
}
