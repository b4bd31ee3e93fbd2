// What a change feed says of one event: where it is in the log, what happened, who did it, and a short summary.
import { z } from 'zod';
import type { RecordedEvent } from '@hvs-nvm/eventstore';

/** The three logs a feed can follow: vectors and presence, mailboxes, memory blocks and facts. */
export const FeedStoreSchema = z.enum(['hvs', 'mail', 'nvm']);
export type FeedStore = z.infer<typeof FeedStoreSchema>;

export interface FeedEvent {
  store: FeedStore;
  /** The event's position in its store's log: resume after it with `since`. */
  position: number;
  type: RecordedEvent['type'];
  /** The event-store stream it belongs to (`block.<id>`, `vec.<id>`, `box.<to>.<from>.<id>`, …). */
  stream: string;
  actor: string;
  /** When it was recorded (ISO time). */
  time: string;
  correlationId?: string;
  causationId?: string;
  /** A line for people: what happened, with an excerpt of the content. */
  summary: string;
}

const EXCERPT_CHARS = 160;

/** The first characters of a text on one line, with an ellipsis when cut. */
export function excerpt(text: string, maxChars = EXCERPT_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= maxChars ? line : `${line.slice(0, maxChars - 1)}…`;
}

const json = (value: unknown) => excerpt(JSON.stringify(value) ?? String(value));

/** The summary line of an event. */
export function summarise(event: RecordedEvent): string {
  switch (event.type) {
    case 'CollectionConfigured':
      return `collection configured: ${event.data.dimension}-d ${event.data.geometry}`;
    case 'CollectionCreated':
      return `collection '${event.data.name}' created: ${event.data.dimension}-d ${event.data.geometry}`;
    case 'CollectionDeleted':
      return `collection '${event.data.name}' deleted`;
    case 'NamespaceCreated':
      return `namespace '${event.data.name}' created`;
    case 'NamespaceDeleted':
      return `namespace '${event.data.name}' deleted`;
    case 'VectorStored':
      return `vector ${event.data.id} stored: ${json(event.data.metadata)}`;
    case 'VectorDeleted':
      return `vector ${event.data.id} deleted`;
    case 'ModelConnected':
      return `${event.data.modelId} connected`;
    case 'ModelDisconnected':
      return `${event.data.modelId} disconnected`;
    case 'MessageSent':
      return `${event.data.from} → ${event.data.to}: ${json(event.data.body)}`;
    case 'MessageAcked':
      return `${event.data.modelId} acknowledged message ${event.data.messageId}`;
    case 'MessageDeadLettered':
      return `message ${event.data.messageId} to ${event.data.to} dead-lettered after ${event.data.deliveries} deliveries: ${event.data.reason}`;
    case 'BlockCreated':
      return `block '${event.data.name}' (${event.data.blockClass}) created: ${excerpt(event.data.content)}`;
    case 'BlockUpdated':
      return `block ${event.data.blockId} updated: ${excerpt(event.data.content)}`;
    case 'BlockPatched':
      return `block ${event.data.blockId} patched: ${json(event.data.patch)}`;
    case 'BlockDeleted':
      return `block ${event.data.blockId} deleted`;
    case 'BlockExpired':
      return `block ${event.data.blockId} expired`;
    case 'BlockNameClaimed':
      return `name '${event.data.name}' claimed by block ${event.data.blockId}`;
    case 'BlockNameReleased':
      return `name '${event.data.name}' released by block ${event.data.blockId}`;
    case 'FactAdded':
      return `fact: ${excerpt(`${event.data.subject} ${event.data.predicate} ${event.data.object}`)} (source ${event.data.source})`;
    case 'CacheEntrySet':
      return `cache entry set: ${excerpt(event.data.key)}`;
    case 'ForkCreated':
      return `world '${event.data.name}' forked from '${event.data.parent}' (${event.data.kind})`;
    case 'ForkDeleted':
      return `fork '${event.data.name}' deleted (${event.data.kind})`;
    case 'WorldAliased':
      return `alias '${event.data.alias}' now names world '${event.data.world}'`;
  }
}

export function toFeedEvent(store: FeedStore, event: RecordedEvent): FeedEvent {
  return {
    store,
    position: event.position,
    type: event.type,
    stream: event.streamId,
    actor: event.metadata.actor,
    time: event.recordedAt.toISOString(),
    ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}),
    ...(event.metadata.causationId ? { causationId: event.metadata.causationId } : {}),
    summary: summarise(event),
  };
}
