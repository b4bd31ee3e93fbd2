// A live change feed of one store's log: history after a position, then every new event as it is appended.
import { z } from 'zod';
import { EventTypeSchema } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';
import { FeedStoreSchema, toFeedEvent, type FeedEvent, type FeedStore } from './feed-event.js';
import { parseInput } from '../input.js';
import { Visibility } from './visibility.js';

export const ChangeFeedOptionsSchema = z.strictObject({
  store: FeedStoreSchema,
  /** Deliver the events after this position (the last one a client saw); 0 or absent: from the start of the log. */
  since: z.number().int().min(0).optional(),
  /** Only these event types. */
  types: z.array(EventTypeSchema).min(1).optional(),
  /** Only streams whose id starts with this (`block.`, `box.bob.`, `fact.`). */
  streamPrefix: z.string().min(1).max(256).optional(),
  /** Whose view: an agent sees what its reads would show it; absent, the trusted owner sees everything. */
  actor: z.string().min(1).optional(),
});
export type ChangeFeedOptions = z.input<typeof ChangeFeedOptionsSchema> & { signal?: AbortSignal };

export interface FeedStores {
  hvs: EventStore;
  mail: EventStore;
  nvm: EventStore;
}

/** The event-store filter for a stream prefix, when the prefix ends on a token boundary (the server then filters). */
function serverFilter(prefix: string | undefined): string | undefined {
  if (!prefix || !prefix.endsWith('.') || /[*> ]/.test(prefix)) return undefined;
  return `${prefix}>`;
}

/**
 * The feed as an async iterable: every event after `since`, in log order, each once, then live ones as they are
 * appended, until the caller stops iterating or the signal aborts. Resuming with the last position seen continues
 * exactly where a client left off, across disconnects and server restarts, since positions are the log's own.
 */
export async function* changeFeed(stores: FeedStores, options: ChangeFeedOptions): AsyncGenerator<FeedEvent> {
  const { signal, ...rest } = options;
  const opts = parseInput(ChangeFeedOptionsSchema, rest, 'change feed options');
  const store: FeedStore = opts.store;
  const visibility = new Visibility(stores.nvm, opts.actor);
  const filter = serverFilter(opts.streamPrefix);
  const sub = stores[store].subscribeToAll({
    fromPosition: (opts.since ?? 0) + 1,
    ...(filter ? { filter } : {}),
    ...(opts.types ? { types: opts.types } : {}),
    ...(signal ? { signal } : {}),
  });
  try {
    for await (const event of sub) {
      if (opts.streamPrefix && !event.streamId.startsWith(opts.streamPrefix)) continue;
      if (!(await visibility.visible(store, event))) continue;
      yield toFeedEvent(store, event);
    }
  } finally {
    await sub.stop();
  }
}
