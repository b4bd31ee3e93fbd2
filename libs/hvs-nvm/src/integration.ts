// HVSNVMIntegration: store content once (indexed in HVS, persisted in NVM) and query across both.
// Over 400 lines on purpose: the one public class of the integration; memory, history, feeds, audit and provenance
// are in their folders and each method here delegates to them.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HVS, type Geometry, type Metadata } from '@hvs-nvm/hvs';
import { NVM, BlockClass, InvalidArgumentError, SYSTEM_ACTOR } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from './input.js';
import { changeFeed, type ChangeFeedOptions } from './feed/change-feed.js';
import type { FeedEvent } from './feed/feed-event.js';
import { auditTrail, type AuditEntry, type AuditOptions } from './audit/audit-trail.js';
import { ForkNotFoundError, withCall, type AsOf, type Cut } from '@hvs-nvm/eventstore';
import { storeEntry } from './reserved.js';
import { resolveSources, SourcesSchema, type SourceInput } from './provenance/sources.js';
import { ProvenanceIndex, type Provenance } from './provenance/provenance-index.js';
import { SYSTEM_WRITES } from './patterns/system-block.js';
import { reembed, type ReembedResult } from './history/reembed.js';
import {
  checkForkOptions,
  listWorldForks,
  recordWorldFork,
  registryOf,
  type WorldFork,
  type WorldForkOptions,
} from './history/world-fork.js';
import { resolveWorld, type WorldInfo } from './history/world-alias.js';
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
  /**
   * A read-only view of the whole world at a time or a cut (`{ hvs, mail, nvm }`, as `cut()` gives): every read of
   * both stores, mailboxes and facts answers as of then; every write throws ReadOnlyViewError. A time is turned into
   * one cut first, so both stores show the same moment.
   */
  asOf?: AsOf;
  /**
   * A world to open by name: its collection and namespace, after its alias (set by `promote`) if it has one. Takes
   * the place of `collection` and `namespace`.
   */
  world?: string;
  /** For a re-embedded world: the encoder to open it with (given how it was made), instead of `encoder`. */
  encoderForWorld?: (made: { encoder: string; dimension: number; geometry: string }) => Encoder | undefined;
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
/**
 * The keyword index of the memories: a live world keeps it checkpointed (one folder per world); an as-of view builds
 * it to its NVM position from the log and writes nothing.
 */
async function openFullText(nvm: NVM, options: IntegrationOptions): Promise<FullTextProjection> {
  const source = memoryTextSource(nvm.eventStore);
  if (options.asOf !== undefined) return FullTextProjection.build({ ...source, toPosition: (await nvm.cut()).nvm });
  const checkpointDir = join(options.nvmPath ?? './data/nvm', options.namespace ? `fulltext-${options.namespace}` : 'fulltext');
  await mkdir(checkpointDir, { recursive: true });
  const log = createLogger('hvs-nvm');
  return FullTextProjection.open({
    ...source,
    checkpointDir,
    onCheckpointError: (err) => log.warn({ err }, 'the full-text checkpoint could not be written (the log still has everything)'),
  });
}

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
    /** How this world was opened: what viewAt() and fork() open again. */
    private readonly openedWith: IntegrationOptions = {},
  ) {
    this.provenanceIndex = new ProvenanceIndex({ hvs: hvs.eventStore, nvm: nvm.eventStore });
    this.memories = new Memories(hvs, nvm, encoder);
  }

  static async open(options: IntegrationOptions = {}): Promise<HVSNVMIntegration> {
    if (options.world === undefined) return HVSNVMIntegration.openWorld(options);
    const { world, reembedded, release } = await resolveWorld(options.hvsPath ?? './data/hvs', options.natsUrl, options.world);
    try {
      // A re-embedded world keeps its geometry; its encoder must be the one it was made with.
      const encoder = (reembedded && options.encoderForWorld?.(reembedded)) || options.encoder;
      return await HVSNVMIntegration.openWorld(
        {
          ...options,
          ...(encoder ? { encoder } : {}),
          collection: world,
          namespace: world,
          ...(reembedded && !options.geometry ? { geometry: reembedded.geometry as Geometry } : {}),
        },
        reembedded,
      );
    } finally {
      await release();
    }
  }

  private static async openWorld(
    options: IntegrationOptions,
    reembedded?: { encoder: string; dimension: number },
  ): Promise<HVSNVMIntegration> {
    const encoder = options.encoder ?? (await defaultEncoder());
    if (reembedded && reembedded.dimension !== encoder.dimension) {
      throw new InvalidArgumentError(
        `world '${options.collection}' was re-embedded with ${reembedded.encoder} (${reembedded.dimension}-d); open it with that encoder, not ${encoder.name} (${encoder.dimension}-d)`,
      );
    }
    // A cut that leaves out the NVM position gets NVM's position at the moment of its HVS positions.
    const asOf = options.asOf;
    const hvs = await HVS.open({
      ...(asOf ? { asOf } : {}),
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
        ...(asOf ? { asOf: asOf instanceof Date || asOf.nvm !== undefined ? asOf : (hvs.asOfTime ?? new Date()) } : {}),
      });
      try {
        const fulltext = await openFullText(nvm, options);
        return new HVSNVMIntegration(hvs, nvm, encoder, fulltext, { ...options, encoder });
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
   * Where the whole world stands now (a view: where it stands): `{ hvs, mail, nvm }` stream positions. Pass it as
   * `asOf` to HVSNVMIntegration.open (or its parts to HVS.open / NVM.open) to see exactly this moment again.
   */
  async cut(): Promise<Required<Cut>> {
    const [stores, nvm] = await Promise.all([this.hvs.cut(), this.nvm.cut()]);
    return { ...stores, ...nvm };
  }

  /**
   * A read-only view of this world at a time or a cut, opened beside it (same storage, same server, same encoder);
   * the live projections are not touched. Close it when done.
   */
  viewAt(asOf: AsOf): Promise<HVSNVMIntegration> {
    // The world this client has (not its alias again: a promote since must not change what a view shows).
    const { onProgress: _progress, world: _world, ...options } = this.openedWith;
    return HVSNVMIntegration.open({ ...options, asOf });
  }

  /**
   * A writable fork of the whole world named `name` (its collection and namespace): its history up to `asOf`
   * (default: now) is this world's, read in place from this log — forking costs two events whatever the log's size
   * — and from there the two diverge. With another `encoder` or `geometry` the fork's vectors are made again from
   * the content in the log (`onProgress` reports it); without, its projections are built from the log as any
   * client's are. Reopen it later with `HVSNVMIntegration.open({ world: name })`.
   */
  async fork(options: WorldForkOptions): Promise<HVSNVMIntegration & { reembedded?: ReembedResult }> {
    checkForkOptions(options);
    const { cut, reembed: mustReembed } = await recordWorldFork(this.hvs, this.nvm, this.encoder, options);
    const encoder = options.encoder ?? this.encoder;
    const { onProgress: _p, asOf: _a, world: _w, ...opened } = this.openedWith;
    const fork = await HVSNVMIntegration.open({
      ...opened,
      collection: options.name,
      namespace: options.name,
      encoder,
      geometry: options.geometry ?? this.hvs.geometry,
    });
    if (!mustReembed) return fork;
    try {
      const result = await reembed(this.hvs.eventStore, cut.hvs, fork.hvs, fork.nvm, encoder, options.onProgress);
      return Object.assign(fork, { reembedded: result });
    } catch (err) {
      await fork.close();
      throw err;
    }
  }

  /** The forks recorded on this server, oldest first: name, parent, where each branched, and its encoder if re-embedded. */
  forks(): Promise<WorldFork[]> {
    return listWorldForks(this.hvs, this.nvm);
  }

  /** Deletes a fork of this server (its streams and checkpoints; its parent is never touched). */
  async deleteFork(name: string): Promise<void> {
    await this.hvs.deleteFork(name);
    await this.nvm.deleteFork(name);
  }

  /**
   * Points `alias` (default: this world's name) at world `name`: clients that open `{ world: alias }` open the fork
   * from then on (opened clients keep the world they have). What `hvs-nvm promote <fork>` does.
   */
  async promote(name: string, options: { alias?: string } = {}): Promise<{ alias: string; world: string }> {
    // The name this world was opened by (an alias stays an alias), else its collection.
    const alias = options.alias ?? this.openedWith.world ?? this.hvs.options.collection;
    const worlds = await registryOf(this.hvs);
    try {
      // A fork, or the alias's own world (pointing it back at itself).
      if (name !== alias && !(await worlds.fork('hvs', name)) && !(await worlds.fork('nvm', name))) throw new ForkNotFoundError(name);
      await worlds.setAlias(alias, name);
    } finally {
      await worlds.close();
    }
    return { alias, world: name };
  }

  /** True for an as-of view: reads answer as of its point, writes throw ReadOnlyViewError. */
  get readOnly(): boolean {
    return this.hvs.readOnly || this.nvm.readOnly;
  }

  /**
   * What `HVSNVMIntegration.open({ world: name })` would open (the target of the alias `promote` set, or `name`), and
   * for a re-embedded world the encoder, dimension and geometry it was made with (so a client can pick its encoder).
   */
  static async describeWorld(name: string, options: Pick<IntegrationOptions, 'hvsPath' | 'natsUrl'> = {}): Promise<WorldInfo> {
    const { release, ...info } = await resolveWorld(options.hvsPath ?? './data/hvs', options.natsUrl, name);
    await release();
    return info;
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
