// The audit trail of one thing (a vector, a block, a fact or a mailbox), read from the log: when, who, which call,
// and what it was before and after.
import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import { Id, streamIds } from '@hvs-nvm/events';
import type { EventStore, RecordedEvent } from '@hvs-nvm/eventstore';
import { NVMError, patchedContent, PermissionDeniedError, SYSTEM_ACTOR } from '@hvs-nvm/nvm';
import type { FeedStore } from '../feed/feed-event.js';
import type { FeedStores } from '../feed/change-feed.js';
import { Visibility } from '../feed/visibility.js';
import { parseInput } from '../input.js';

export const AuditKindSchema = z.enum(['vector', 'block', 'fact', 'mailbox']);
export type AuditKind = z.infer<typeof AuditKindSchema>;

export const AuditOptionsSchema = z.strictObject({
  /** What the id names; absent: the first of block, vector, fact, mailbox that has events under it. */
  kind: AuditKindSchema.optional(),
  /** Whose view: an agent sees the audit of what it may read; absent, the trusted owner. */
  actor: z.string().min(1).optional(),
});
export type AuditOptions = z.input<typeof AuditOptionsSchema>;

export interface AuditEntry {
  store: FeedStore;
  stream: string;
  position: number;
  time: string;
  actor: string;
  type: RecordedEvent['type'];
  eventId: string;
  /** The API call that made it (one id per HTTP request, MCP request or library call). */
  correlationId?: string;
  /** The event it followed from, within the same call. */
  causationId?: string;
  /** The value before this change (block content, vector metadata), where there was one. */
  before?: unknown;
  /** The value after it. */
  after?: unknown;
  /** For block content: a unified diff from before to after. */
  diff?: string;
}

export interface AuditTrail {
  kind: AuditKind;
  id: string;
  entries: AuditEntry[];
}

export class AuditSubjectNotFoundError extends NVMError {
  constructor(
    readonly id: string,
    kind?: AuditKind,
  ) {
    super('AUDIT_SUBJECT_NOT_FOUND', `no ${kind ?? 'vector, block, fact or mailbox'} '${id}' in the log`, 404);
  }
}

function entry(store: FeedStore, e: RecordedEvent, change: Pick<AuditEntry, 'before' | 'after' | 'diff'> = {}): AuditEntry {
  return {
    store,
    stream: e.streamId,
    position: e.position,
    time: e.recordedAt.toISOString(),
    actor: e.metadata.actor,
    type: e.type,
    eventId: e.metadata.eventId,
    ...(e.metadata.correlationId ? { correlationId: e.metadata.correlationId } : {}),
    ...(e.metadata.causationId ? { causationId: e.metadata.causationId } : {}),
    ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
  };
}

/** A block's versions as changes: content before and after, with a diff people can read. */
function blockEntries(events: RecordedEvent[], blockId: string): AuditEntry[] {
  let content: string | undefined;
  let version = 0;
  const out: AuditEntry[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'BlockCreated':
        version = 1;
        content = e.data.content;
        out.push(entry('nvm', e, { after: e.data.content }));
        break;
      case 'BlockUpdated':
      case 'BlockPatched': {
        const before = content;
        // A patch event holds the change, not the content: the version it made is the patch applied to the one before.
        content = e.type === 'BlockUpdated' ? e.data.content : patchedContent(blockId, before ?? '', e.data.patch);
        const diff = createTwoFilesPatch(`${blockId}@v${version}`, `${blockId}@v${version + 1}`, before ?? '', content, '', '', {
          context: 3,
        });
        version++;
        out.push(entry('nvm', e, { before, after: content, diff }));
        break;
      }
      case 'BlockDeleted':
      case 'BlockExpired':
        out.push(entry('nvm', e, { before: content }));
        content = undefined;
        break;
      default:
        out.push(entry('nvm', e));
    }
  }
  return out;
}

/** A vector's changes: its metadata before and after (the vector itself is in `retrieveVector`). */
function vectorEntries(events: RecordedEvent[]): AuditEntry[] {
  let metadata: unknown;
  return events.map((e) => {
    if (e.type === 'VectorStored') {
      const before = metadata;
      metadata = e.data.metadata;
      return entry('hvs', e, { before, after: { metadata, dimension: e.data.vector.length } });
    }
    if (e.type === 'VectorDeleted') {
      const before = metadata;
      metadata = undefined;
      return entry('hvs', e, { before });
    }
    return entry('hvs', e);
  });
}

async function readAll(store: EventStore, filter: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll({ filter })) out.push(e);
  return out;
}

/**
 * The changes to `id`, oldest first, as `actor` may see them: a block it may not read is refused (PermissionDenied),
 * as a read of it would be; a mailbox is its owner's alone; vectors and facts are readable by every agent.
 */
export async function auditTrail(stores: FeedStores, id: string, options: AuditOptions = {}): Promise<AuditTrail> {
  parseInput(Id, id, 'audit id');
  const opts = parseInput(AuditOptionsSchema, options, 'audit options');
  const actor = opts.actor ?? SYSTEM_ACTOR;
  const kinds: AuditKind[] = opts.kind ? [opts.kind] : ['block', 'vector', 'fact', 'mailbox'];
  for (const kind of kinds) {
    switch (kind) {
      case 'block': {
        const events = await stores.nvm.readStream(streamIds.block(id));
        if (events.length === 0) continue;
        const visibility = new Visibility(stores.nvm, actor);
        if (!(await visibility.visible('nvm', events[0]!))) throw new PermissionDeniedError(actor, 'read', id);
        return { kind, id, entries: blockEntries(events, id) };
      }
      case 'vector': {
        const events = await stores.hvs.readStream(streamIds.vector(id));
        if (events.length === 0) continue;
        return { kind, id, entries: vectorEntries(events) };
      }
      case 'fact': {
        const events = await stores.nvm.readStream(streamIds.fact(id));
        if (events.length === 0) continue;
        return { kind, id, entries: events.map((e) => entry('nvm', e, e.type === 'FactAdded' ? { after: { ...e.data } } : {})) };
      }
      case 'mailbox': {
        const events = [
          ...(await readAll(stores.mail, streamIds.mailbox(id))),
          ...(await readAll(stores.mail, `${streamIds.deadLetter(id, '*').replace(/\*$/, '>')}`)),
        ].sort((a, b) => a.position - b.position);
        if (events.length === 0) continue;
        if (actor !== SYSTEM_ACTOR && actor !== id) throw new PermissionDeniedError(actor, 'read', `mailbox:${id}`);
        return {
          kind,
          id,
          entries: events.map((e) =>
            entry('mail', e, e.type === 'MessageSent' ? { after: { from: e.data.from, to: e.data.to, body: e.data.body } } : {}),
          ),
        };
      }
    }
  }
  throw new AuditSubjectNotFoundError(id, opts.kind);
}
