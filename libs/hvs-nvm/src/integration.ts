// HVSNVMIntegration: store content once (indexed in HVS, persisted in NVM) and query across both.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HVS, type Geometry, type Metadata } from '@hvs-nvm/hvs';
import { NVM, BlockClass, SYSTEM_ACTOR } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from './input.js';
import { changeFeed, type ChangeFeedOptions } from './feed/change-feed.js';
import type { FeedEvent } from './feed/feed-event.js';
import { auditTrail, type AuditEntry, type AuditOptions } from './audit/audit-trail.js';
import { withCall } from '@hvs-nvm/eventstore';
import { storeEntry } from './reserved.js';
import { resolveSources, SourcesSchema, type SourceInput } from './provenance/sources.js';
import { ProvenanceIndex, type Provenance } from './provenance/provenance-index.js';
import { SYSTEM_WRITES } from './patterns/system-block.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FullTextProjection } from '@hvs-nvm/fulltext';
import { memoryBlockName, memoryTextSource } from './memory/memory-text.js';
import {
  Memories,
  MemoryMetadataSchema,
  type ListMemoriesOptions,
  type Memory,
  type MemoryPage,
  type MemoryVersion,
  type UpdateMemoryOptions,
} from './memory/memories.js';
import { MemoryScopeSchema, scopeMetadata, type MemoryScope, type ReadScope } from './memory/scope.js';
import { queryMemories, type QueryOptions, type QueryResult } from './memory/retrieval.js';

export interface IntegrationOptions {
  hvsPath?: string;
  nvmPath?: string;
  encoder?: Encoder;
  natsUrl?: string;
  /** Geometry of the content index; text embeddings compare best by angle. */
  geometry?: Geometry;
  collection?: string;
  namespace?: string;
  actor?: string;
  /** Progress of each projection while it catches up at open (see HVS.open and NVM.open). */
  onProgress?: (store: 'hvs' | 'nvm', position: number) => void;
}

export interface StoreOptions extends MemoryScope {
  /** Also keep the content as an NVM block (default true). */
  persist?: boolean;
  metadata?: Metadata;
  /** What the content was derived from (block, vector or fact ids, or `{ id, version }`): recorded with each version. */
  sources?: SourceInput[];
}

const StoreOptionsSchema = MemoryScopeSchema.extend({
  persist: z.boolean().optional(),
  // Checked in full by both stores; here only its shape, so a bad one is refused before either writes.
  metadata: MemoryMetadataSchema.optional(),
  sources: SourcesSchema.optional(),
});

export type { QueryResult, QueryOptions };

/** One entry point over both stores; both run on the same JetStream (hvsPath's embedded server, or natsUrl). */
export class HVSNVMIntegration {
  private readonly log = createLogger('hvs-nvm');
  private readonly memories: Memories;
  private readonly provenanceIndex: ProvenanceIndex;

  private constructor(
    readonly hvs: HVS,
    readonly nvm: NVM,
    readonly encoder: Encoder,
    /** The full-text (BM25) projection of the memories in the NVM log. */
    readonly fulltext: FullTextProjection,
  ) {
    this.provenanceIndex = new ProvenanceIndex({ hvs: hvs.eventStore, nvm: nvm.eventStore });
    this.memories = new Memories(hvs, nvm, encoder);
  }

  static async open(options: IntegrationOptions = {}): Promise<HVSNVMIntegration> {
    const encoder = options.encoder ?? (await defaultEncoder());
    const hvs = await HVS.open({
      storagePath: options.hvsPath ?? './data/hvs',
      dimension: encoder.dimension,
      geometry: options.geometry ?? 'spherical',
      ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
      ...(options.collection ? { collection: options.collection } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
      ...(options.onProgress ? { onProgress: (p: number) => options.onProgress!('hvs', p) } : {}),
    });
    try {
      const nvm = await NVM.open({
        storagePath: options.nvmPath ?? './data/nvm',
        // The same server as the same identity: the embedded one refuses connections without its credentials.
        ...hvs.natsConnectionOptions(),
        encoder,
        ...(options.namespace ? { namespace: options.namespace } : {}),
        ...(options.actor ? { actor: options.actor } : {}),
        ...(options.onProgress ? { onProgress: (p: number) => options.onProgress!('nvm', p) } : {}),
      });
      try {
        const checkpointDir = join(options.nvmPath ?? './data/nvm', 'fulltext');
        await mkdir(checkpointDir, { recursive: true });
        const log = createLogger('hvs-nvm');
        const fulltext = await FullTextProjection.open({
          ...memoryTextSource(nvm.eventStore),
          checkpointDir,
          onCheckpointError: (err) => log.warn({ err }, 'the full-text checkpoint could not be written (the log still has everything)'),
        });
        return new HVSNVMIntegration(hvs, nvm, encoder, fulltext);
      } catch (err) {
        await nvm.close();
        throw err;
      }
    } catch (err) {
      await hvs.close();
      throw err;
    }
  }

  /**
   * The change feed of one store's log (`hvs`, `mail` or `nvm`): the events after `since`, then live ones, as the
   * given actor may see them. Stop it by leaving the loop or aborting `signal`.
   */
  changes(options: ChangeFeedOptions): AsyncGenerator<FeedEvent> {
    return changeFeed(this.stores(), options);
  }

  /**
   * What happened to a vector, block, fact or mailbox (or a stored content: its vector and its block), oldest first:
   * when, who, which call, and the value before and after. An agent (`actor`) sees the audit of what it may read.
   */
  async audit(id: string, options: AuditOptions = {}): Promise<AuditEntry[]> {
    const stores = this.stores();
    const trail = await auditTrail(stores, id, options);
    if (trail.kind !== 'vector') return trail.entries;
    // A stored content is a vector and the block holding its text: one audit of both, in time order.
    const last = trail.entries.findLast((e) => e.type === 'VectorStored')?.after as { metadata?: Record<string, unknown> } | undefined;
    const blockId = last?.metadata?.['nvm_block_id'];
    if (typeof blockId !== 'string') return trail.entries;
    const block = await auditTrail(stores, blockId, { ...options, kind: 'block' }).catch(() => undefined);
    return [...trail.entries, ...(block?.entries ?? [])].sort((a, b) => a.time.localeCompare(b.time) || a.position - b.position);
  }

  /**
   * What `id` (a memory, fact, cache entry, block or vector) was computed from — each recorded source with its
   * version and whether it is still current — and what was computed from it, one step each way. An agent (`actor`)
   * sees only blocks it may read.
   */
  provenance(id: string, options: { actor?: string } = {}): Promise<Provenance> {
    return this.provenanceIndex.provenance(id, options);
  }

  private stores() {
    return { hvs: this.hvs.eventStore, mail: this.hvs.mailEventStore, nvm: this.nvm.eventStore };
  }

  /**
   * Encodes and indexes content; with persist (the default) it is also kept as a DOCUMENTATION block. Bad input is an
   * NVM InvalidArgumentError before anything is written; if HVS refuses the vector, the block just made is deleted.
   */
  store(content: string, options: StoreOptions = {}): Promise<string> {
    // One call: the block and the vector carry one correlation id, and the vector names the block's event as its cause.
    return withCall(() => this.storeInCall(content, options));
  }

  private async storeInCall(content: string, options: StoreOptions): Promise<string> {
    parseInput(NonBlankText, content, 'store content');
    options = parseOptions(StoreOptionsSchema, options, 'store');
    const persist = options.persist ?? true;
    const links = options.sources ? await resolveSources(this.stores(), this.hvs, options.sources, 'store') : [];
    const vector = await this.encoder.encode(content);
    const id = randomUUID();
    const scope = scopeMetadata(options);
    let blockId: string | undefined;
    if (persist) {
      // Everyone reads stored memory, or only its agent when it has one; only its writer (the system, for the server)
      // rewrites or deletes it.
      const read = scope.agentId ? [scope.agentId] : ['*'];
      const block = await this.nvm.createBlock({
        name: memoryBlockName(id),
        blockClass: BlockClass.DOCUMENTATION,
        content,
        metadata: { ...(options.metadata ?? {}), ...scope, hvs_id: id },
        permissions: this.nvm.actor === SYSTEM_ACTOR ? { ...SYSTEM_WRITES, read } : { read, write: [this.nvm.actor] },
      });
      blockId = block.id;
    }
    const metadata = {
      ...(options.metadata ?? {}),
      ...scope,
      type: 'content',
      // Unpersisted content lives only in the vector's metadata.
      ...(blockId ? { nvm_block_id: blockId, memory_version: 1 } : { content }),
    };
    try {
      // A derived memory records its sources under the reserved key, where only HVS-NVM writes (so they are trusted).
      if (links.length > 0) await storeEntry(this.hvs, 'memory', vector, metadata, id, links);
      else await this.hvs.storeVector(vector, metadata, { id });
    } catch (err) {
      // No block without its vector: a half-stored content would be found by NVM queries only.
      if (blockId) {
        await this.nvm
          .deleteBlock(blockId)
          .catch((cleanup: unknown) => this.log.warn({ err: cleanup, blockId }, 'could not delete the block of a content HVS refused'));
      }
      throw err;
    }
    return id;
  }

  /**
   * Best matches among the memories, best first: `hybrid` (default) fuses the dense index and the full-text (BM25)
   * index by reciprocal rank, `dense` and `keyword` use one; the filter and the scope (agentId, userId, runId) apply
   * to both. `includeBlocks` adds NVM blocks of every class (by meaning); `reranker` reorders the fused top.
   */
  query(text: string, options: QueryOptions = {}): Promise<QueryResult[]> {
    return queryMemories(
      { hvs: this.hvs, nvm: this.nvm, encoder: this.encoder, memories: this.memories, fulltext: this.fulltext },
      text,
      options,
    );
  }

  /** A memory by its id (what store returned), within the scope given. */
  get(id: string, scope: ReadScope = {}): Promise<Memory> {
    return this.memories.get(id, scope);
  }

  /** Persisted memories in creation order, a page at a time (`nextCursor`), within the scope and filter. */
  list(options: ListMemoriesOptions = {}): Promise<MemoryPage> {
    return this.memories.list(options);
  }

  /** New content for a memory, re-embedded under the same id (a new version of its block). */
  update(id: string, content: string, options: UpdateMemoryOptions = {}): Promise<Memory> {
    return withCall(() => this.memories.update(id, content, options));
  }

  /** Deletes a memory, its block and its vector: the block's deletion decides, the vector follows. */
  delete(id: string, scope: MemoryScope = {}): Promise<void> {
    return withCall(() => this.memories.delete(id, scope));
  }

  /** Every version of a memory, oldest first, with actor and time, from the log. */
  history(id: string, scope: ReadScope = {}): Promise<MemoryVersion[]> {
    return this.memories.history(id, scope);
  }

  async close(): Promise<void> {
    await this.provenanceIndex.close();
    await this.fulltext.close();
    await this.nvm.close();
    await this.hvs.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
