// The memory lifecycle: get, list (cursor pages), update (re-embeds, keeps the id), delete and history of what
// HVSNVMIntegration.store wrote. A persisted memory is its block (`content_<id>`, the truth: its events decide) and
// its vector (the dense index of it, which follows the block); an unpersisted one is its vector alone.
import { z } from 'zod';
import { compileFilter, VectorNotFoundError, type HVS, type Metadata, type VectorRecord } from '@hvs-nvm/hvs';
import { RESERVED_METADATA_KEY, storeReservedVectors } from '@hvs-nvm/hvs/internal';
import { BlockClass, BlockNotFoundError, NVMError, type Block, type NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { Id, streamIds } from '@hvs-nvm/events';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from '../input.js';
import { WithoutReservedKey } from '../reserved.js';
import {
  combinedFilter,
  inScope,
  MEMORY_OWN_KEYS,
  MemoryScopeSchema,
  ReadScopeSchema,
  SCOPE_KEYS,
  scopeOf,
  type MemoryScope,
  type ReadScope,
} from './scope.js';
import { memoryBlockName, memoryIdOfBlock } from './memory-text.js';

export interface Memory extends MemoryScope {
  id: string;
  content: string;
  /** The caller's metadata (without the scope keys, which are fields of their own, and the integration's links). */
  metadata: Metadata;
  /** The block holding the text (persisted memories). */
  blockId?: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemoryVersion {
  version: number;
  type: 'created' | 'updated' | 'deleted' | 'expired';
  content: string;
  metadata: Metadata;
  actor: string;
  at: Date;
}

export interface ListMemoriesOptions extends ReadScope {
  /** A metadata filter (the vector filter language: equality, $in, $gt, $and, dotted paths…). */
  filter?: Record<string, unknown>;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
  /** Memories per page (default 100, at most 1000). */
  limit?: number;
}

export interface MemoryPage {
  memories: Memory[];
  /** Present when more follow: pass it as `cursor`. */
  nextCursor?: string;
}

export interface UpdateMemoryOptions extends MemoryScope {
  /** Replaces the caller's metadata (the scope stays). */
  metadata?: Metadata;
}

export class MemoryNotFoundError extends NVMError {
  constructor(readonly id: string) {
    super('MEMORY_NOT_FOUND', `memory '${id}' not found`, 404);
  }
}

/** Caller metadata must not set what the integration sets itself: the scope goes through its own options. */
export const MemoryMetadataSchema = WithoutReservedKey.refine(
  (m) => !Object.keys(m).some((k) => MEMORY_OWN_KEYS.has(k)),
  `metadata keys ${[...MEMORY_OWN_KEYS].join(', ')} are set by the integration (give agentId, userId and runId as options)`,
);

const ScopeOnly = ReadScopeSchema;
const ListOptionsSchema = ReadScopeSchema.extend({
  filter: z.record(z.string(), z.unknown()).optional(),
  cursor: z.string().min(1).max(1024).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
const UpdateOptionsSchema = MemoryScopeSchema.extend({ metadata: MemoryMetadataSchema.optional() });

/** Keys of a memory's stored metadata that are not the caller's. */
const INTERNAL_KEYS = new Set<string>([
  ...SCOPE_KEYS,
  'hvs_id',
  'nvm_block_id',
  'memory_version',
  'type',
  'content',
  RESERVED_METADATA_KEY,
]);

function callerMetadata(stored: Record<string, unknown>): Metadata {
  return Object.fromEntries(Object.entries(stored).filter(([k]) => !INTERNAL_KEYS.has(k))) as Metadata;
}

/** A page position: after the memory created at `t` with id `i` (in creation order, ids breaking ties). */
const Cursor = z.object({ t: z.number(), i: z.string() });
const encodeCursor = (m: Memory) => Buffer.from(JSON.stringify({ t: m.createdAt.getTime(), i: m.id })).toString('base64url');
function decodeCursor(cursor: string): z.output<typeof Cursor> {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError(cursor);
  }
}

export class InvalidCursorError extends NVMError {
  constructor(cursor: string) {
    super('INVALID_CURSOR', `'${cursor.slice(0, 60)}' is not a cursor this list returned`, 400);
  }
}

const HISTORY_TYPES: Record<string, MemoryVersion['type']> = {
  BlockCreated: 'created',
  BlockUpdated: 'updated',
  BlockPatched: 'updated',
  BlockDeleted: 'deleted',
  BlockExpired: 'expired',
};

export class Memories {
  private readonly log = createLogger('memories');

  constructor(
    private readonly hvs: HVS,
    private readonly nvm: NVM,
    private readonly encoder: Encoder,
  ) {}

  private fromBlock(block: Block, memoryId: string): Memory {
    return {
      id: memoryId,
      content: block.content,
      metadata: callerMetadata(block.metadata),
      ...scopeOf(block.metadata),
      blockId: block.id,
      version: block.version,
      createdAt: block.createdAt,
      updatedAt: block.updatedAt,
    };
  }

  /** An unpersisted memory: its vector, versioned by its stream's stores. */
  private async fromVector(v: VectorRecord): Promise<Memory> {
    const events = await this.hvs.eventStore.readStream(streamIds.vector(v.id));
    const stores = events.filter((e) => e.type === 'VectorStored');
    return {
      id: v.id,
      content: v.metadata['content'] as string,
      metadata: callerMetadata(v.metadata),
      ...scopeOf(v.metadata),
      version: Math.max(1, stores.length),
      createdAt: stores[0]?.recordedAt ?? v.createdAt,
      updatedAt: stores.at(-1)?.recordedAt ?? v.createdAt,
    };
  }

  private async vectorOf(id: string): Promise<VectorRecord | undefined> {
    return this.hvs.retrieveVector(id).catch((err: unknown) => {
      if (err instanceof VectorNotFoundError) return undefined;
      throw err;
    });
  }

  /**
   * A block's deletion decides a memory's; its vector follows. Called wherever a read finds a vector whose block is
   * gone (a crash between the two writes): the vector is deleted then, so no path returns it.
   */
  followDeletion(id: string): void {
    void this.hvs.deleteVector(id).catch((err: unknown) => this.log.warn({ err, id }, 'could not delete the vector of a deleted memory'));
  }

  /** The memory with this id, within `scope` (a memory outside it reads as absent). */
  async get(id: string, scope: ReadScope = {}): Promise<Memory> {
    parseInput(Id, id, 'memory id');
    scope = parseOptions(ScopeOnly, scope, 'get');
    const memory = await this.find(id);
    if (!memory || !inScope({ ...memory }, scope)) throw new MemoryNotFoundError(id);
    return memory;
  }

  private async find(id: string): Promise<Memory | undefined> {
    const block = await this.nvm.getBlockByName(memoryBlockName(id));
    if (block && memoryIdOfBlock(block.name, block.metadata) === id) return this.fromBlock(block, id);
    const vector = await this.vectorOf(id);
    if (vector?.metadata['type'] !== 'content') return undefined;
    if (typeof vector.metadata['content'] === 'string') return this.fromVector(vector);
    if (typeof vector.metadata['nvm_block_id'] === 'string') this.followDeletion(id);
    return undefined;
  }

  /** Persisted memories in creation order, a page at a time, within the scope and the filter. */
  async list(options: ListMemoriesOptions = {}): Promise<MemoryPage> {
    const o = parseOptions(ListOptionsSchema, options, 'list');
    const where = combinedFilter(o.filter, o);
    const matches = where ? compileFilter(where) : () => true;
    const after = o.cursor ? decodeCursor(o.cursor) : undefined;
    const limit = o.limit ?? 100;
    const blocks = await this.nvm.listBlocks({
      blockClass: BlockClass.DOCUMENTATION,
      filter: (b) => memoryIdOfBlock(b.name, b.metadata) !== undefined && matches(b.metadata),
    });
    const all = blocks
      .map((b) => this.fromBlock(b, memoryIdOfBlock(b.name, b.metadata)!))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const from = after ? all.findIndex((m) => m.createdAt.getTime() > after.t || (m.createdAt.getTime() === after.t && m.id > after.i)) : 0;
    const page = from < 0 ? [] : all.slice(from, from + limit);
    const more = from >= 0 && from + limit < all.length;
    return { memories: page, ...(more ? { nextCursor: encodeCursor(page.at(-1)!) } : {}) };
  }

  /** Stores the memory's vector again (same id), keeping the reserved metadata of a derived memory. */
  private async storeVector(id: string, vector: Float32Array, metadata: Record<string, unknown>): Promise<void> {
    if (Object.hasOwn(metadata, RESERVED_METADATA_KEY)) await storeReservedVectors(this.hvs, [{ vector, metadata, id }]);
    else await this.hvs.storeVector(vector, metadata as Metadata, { id });
  }

  /** The vector metadata of a persisted memory at a block version. */
  static vectorMetadata(block: Pick<Block, 'id' | 'metadata' | 'version'>, reserved?: unknown): Record<string, unknown> {
    const { hvs_id: _id, ...rest } = block.metadata;
    return {
      ...rest,
      type: 'content',
      nvm_block_id: block.id,
      memory_version: block.version,
      ...(reserved !== undefined ? { [RESERVED_METADATA_KEY]: reserved } : {}),
    };
  }

  /**
   * New content for a memory, re-embedded under the same id. The block's new version decides (a concurrent update
   * is retried on the fresh block, as updateBlock does); the vector follows and records the version it embeds, so a
   * read that finds it behind re-embeds it (see `refresh`).
   */
  async update(id: string, content: string, options: UpdateMemoryOptions = {}): Promise<Memory> {
    parseInput(NonBlankText, content, 'update content');
    const o = parseOptions(UpdateOptionsSchema, options, 'update');
    const current = await this.get(id, scopeOf(o));
    const vector = await this.encoder.encode(content);
    const old = await this.vectorOf(id);
    const reserved = old?.metadata[RESERVED_METADATA_KEY];
    const scope = Object.fromEntries(SCOPE_KEYS.filter((k) => current[k] !== undefined).map((k) => [k, current[k]]));
    if (current.blockId) {
      const block = await this.nvm.updateBlock(
        current.blockId,
        content,
        o.metadata ? { metadata: { ...o.metadata, ...scope, hvs_id: id } } : {},
      );
      if (block.content === undefined) throw new MemoryNotFoundError(id);
      await this.storeVector(id, vector, Memories.vectorMetadata(block, reserved));
      return this.fromBlock(block as Block, id);
    }
    const metadata = { ...(o.metadata ?? current.metadata), ...scope, type: 'content', content };
    await this.storeVector(id, vector, reserved !== undefined ? { ...metadata, [RESERVED_METADATA_KEY]: reserved } : metadata);
    return this.get(id);
  }

  /** Re-embeds a memory whose vector is behind its block (an update whose vector write was lost). */
  async refresh(id: string, block: Block): Promise<void> {
    const old = await this.vectorOf(id);
    if (!old || old.metadata['memory_version'] === block.version) return;
    const vector = await this.encoder.encode(block.content);
    await this.storeVector(id, vector, Memories.vectorMetadata(block, old.metadata[RESERVED_METADATA_KEY]));
  }

  /**
   * Deletes a memory: its block's BlockDeleted is the one event that decides (the full-text index drops it, every
   * read stops returning it); the vector is deleted next, and by the next read that finds it if that write is lost.
   */
  async delete(id: string, scope: MemoryScope = {}): Promise<void> {
    // Exactly its scope: a shared memory is readable by every agent, deleted by none of them.
    const memory = await this.get(id, scopeOf(parseOptions(MemoryScopeSchema, scope, 'delete')));
    if (memory.blockId) {
      await this.nvm.deleteBlock(memory.blockId).catch((err: unknown) => {
        if (!(err instanceof BlockNotFoundError)) throw err;
      });
    }
    await this.hvs.deleteVector(id);
  }

  /** Every version of a memory, oldest first, with who wrote it and when, from the log (deleted memories too). */
  async history(id: string, scope: ReadScope = {}): Promise<MemoryVersion[]> {
    parseInput(Id, id, 'memory id');
    scope = parseOptions(ScopeOnly, scope, 'history');
    const events = await this.hvs.eventStore.readStream(streamIds.vector(id));
    const stored = events.filter((e) => e.type === 'VectorStored');
    const last = stored.at(-1)?.data.metadata;
    if (!last || last['type'] !== 'content' || !inScope(last, scope)) throw new MemoryNotFoundError(id);
    const blockId = stored.find((e) => typeof e.data.metadata['nvm_block_id'] === 'string')?.data.metadata['nvm_block_id'];
    if (typeof blockId === 'string') {
      const versions = await this.nvm.blockHistory(blockId);
      return versions.map((v) => ({
        version: v.version,
        type: HISTORY_TYPES[v.type] ?? 'updated',
        content: v.content,
        metadata: callerMetadata(v.metadata),
        actor: v.actor,
        at: v.at,
      }));
    }
    let version = 0;
    let content = '';
    let metadata: Metadata = {};
    return events.map((e) => {
      if (e.type === 'VectorStored') {
        version++;
        content = String(e.data.metadata['content'] ?? '');
        metadata = callerMetadata(e.data.metadata);
      }
      return {
        version,
        type: e.type === 'VectorStored' ? (version === 1 ? 'created' : 'updated') : 'deleted',
        content,
        metadata,
        actor: e.metadata.actor,
        at: e.recordedAt,
      };
    });
  }
}
