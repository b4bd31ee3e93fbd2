// The block decider: pure decide(command, state) → events and evolve(state, event) → state for one block's stream.
import type { EventData } from '@hvs-nvm/events';
import type { AnyNewEvent, RecordedEvent } from '@hvs-nvm/eventstore';
import { applyBlockPatch, patchedContent, type BlockPatch } from './block-patch.js';
import {
  canRead,
  canWrite,
  expiresAtMs,
  isDueForExpiry,
  isReadable,
  MAX_TTL_SECONDS,
  type BlockMetadata,
  type BlockState,
} from './block.js';
import {
  BlockExistsError,
  BlockNotFoundError,
  ConcurrencyError,
  ContentTooLargeError,
  PermissionDeniedError,
  ReadOnlyBlockError,
} from './errors.js';

export type BlockCommand =
  | { type: 'CreateBlock'; data: EventData<'BlockCreated'> }
  | {
      type: 'UpdateBlock';
      blockId: string;
      content: string;
      metadata?: BlockMetadata;
      expectedVersion?: number;
      actor: string;
      nowMs: number;
    }
  | {
      type: 'PatchBlock';
      blockId: string;
      patch: BlockPatch;
      expectedVersion?: number;
      actor: string;
      nowMs: number;
      /** The content limit the patched content must fit (input.ts's maxContentBytes). */
      maxContentBytes: number;
    }
  | { type: 'DeleteBlock'; blockId: string; actor: string; nowMs: number }
  | { type: 'ExpireBlock'; blockId: string; nowMs: number };

/** The parts of a recorded event that evolve reads (so tests can write events by hand). */
export type BlockEvent = Pick<RecordedEvent, 'type' | 'data' | 'revision' | 'recordedAt'>;

/** A CACHE block's TTL from `metadata.ttl_seconds`, when that is a positive number of at most MAX_TTL_SECONDS. */
export function ttlFromMetadata(metadata: BlockMetadata | undefined): number | undefined {
  const ttl = metadata?.['ttl_seconds'];
  return typeof ttl === 'number' && ttl > 0 && ttl <= MAX_TTL_SECONDS ? ttl : undefined;
}

function requireWritable(state: BlockState | undefined, blockId: string, actor: string, nowMs: number): BlockState {
  if (!state || state.status !== 'live') throw new BlockNotFoundError(blockId, state ? state.status : '');
  if (!isReadable(state, nowMs)) throw new BlockNotFoundError(blockId, 'expired');
  if (!canWrite(state, actor)) throw new PermissionDeniedError(actor, 'write', blockId);
  if (state.readonly) throw new ReadOnlyBlockError(blockId, state.name);
  return state;
}

export function decide(command: BlockCommand, state: BlockState | undefined): AnyNewEvent[] {
  switch (command.type) {
    case 'CreateBlock':
      // Ids are fresh UUIDs, so this only fires on a replayed command.
      if (state) throw new BlockExistsError(command.data.name, state.id);
      return [{ type: 'BlockCreated', data: command.data }];
    case 'UpdateBlock': {
      const current = requireWritable(state, command.blockId, command.actor, command.nowMs);
      if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
        throw new ConcurrencyError(command.blockId, command.expectedVersion, current.version);
      }
      const data: EventData<'BlockUpdated'> = { blockId: command.blockId, content: command.content };
      if (command.metadata !== undefined) data.metadata = command.metadata;
      return [{ type: 'BlockUpdated', data }];
    }
    case 'PatchBlock': {
      const current = requireWritable(state, command.blockId, command.actor, command.nowMs);
      // A patch reads what it changes (test, move, copy): the writer must be able to read the block too.
      if (!canRead(current, command.actor)) throw new PermissionDeniedError(command.actor, 'read', command.blockId);
      if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
        throw new ConcurrencyError(command.blockId, command.expectedVersion, current.version);
      }
      // Applied here to refuse what would not apply; evolve applies the same patch to the same version.
      const content = applyBlockPatch(command.blockId, current.content, command.patch);
      const bytes = Buffer.byteLength(content);
      if (bytes > command.maxContentBytes) {
        throw new ContentTooLargeError(`patched content of block '${command.blockId}'`, bytes, command.maxContentBytes);
      }
      return [{ type: 'BlockPatched', data: { blockId: command.blockId, patch: command.patch } }];
    }
    case 'DeleteBlock':
      requireWritable(state, command.blockId, command.actor, command.nowMs);
      return [{ type: 'BlockDeleted', data: { blockId: command.blockId } }];
    case 'ExpireBlock': {
      // Idempotent: whoever notices first records the expiry; everyone else decides nothing.
      if (!state || !isDueForExpiry(state, command.nowMs)) return [];
      const expiredAt = new Date(expiresAtMs(state)!).toISOString();
      return [{ type: 'BlockExpired', data: { blockId: command.blockId, expiredAt } }];
    }
  }
}

export function evolve(state: BlockState | undefined, event: BlockEvent): BlockState | undefined {
  const at = event.recordedAt.getTime();
  const version = event.revision + 1;
  switch (event.type) {
    case 'BlockCreated': {
      const d = event.data as EventData<'BlockCreated'>;
      const next: BlockState = {
        id: d.blockId,
        name: d.name,
        blockClass: d.blockClass,
        content: d.content,
        readonly: d.readonly,
        metadata: d.metadata,
        permissions: d.permissions,
        version,
        createdAt: at,
        updatedAt: at,
        status: 'live',
      };
      if (d.ttlSeconds !== undefined) next.ttlSeconds = d.ttlSeconds;
      return next;
    }
    case 'BlockUpdated': {
      if (!state) return state;
      const d = event.data as EventData<'BlockUpdated'>;
      const next: BlockState = { ...state, content: d.content, version, updatedAt: at };
      if (d.metadata !== undefined) {
        next.metadata = d.metadata;
        // A cache block's TTL follows its metadata when the update sets one.
        const ttl = state.blockClass === 'cache' ? ttlFromMetadata(d.metadata) : undefined;
        if (ttl !== undefined) next.ttlSeconds = ttl;
      }
      return next;
    }
    case 'BlockPatched': {
      if (!state) return state;
      const d = event.data as EventData<'BlockPatched'>;
      return { ...state, content: patchedContent(d.blockId, state.content, d.patch), version, updatedAt: at };
    }
    case 'BlockDeleted':
      return state && { ...state, version, status: 'deleted' };
    case 'BlockExpired':
      return state && { ...state, version, status: 'expired' };
    default:
      return state;
  }
}
