// Reads answered from the block view in this process, with the reader's permissions; time travel and history read
// the block's versions from the log (the view keeps only the current one).
import { streamIds } from '@hvs-nvm/events';
import type { Encoder } from '@hvs-nvm/encoders';
import type { EventStore, ProjectionRunner } from '@hvs-nvm/eventstore';
import { readBlockHistory } from './block-history.js';
import { canRead, isDueForExpiry, isReadable, toBlock, type Block, type BlockState } from './block.js';
import { blockClassOf, jsonEqual, validBlockId } from './arguments.js';
import type { BlockReads } from './block-reads.js';
import type { BlockView } from './block-view.js';
import type { EmbeddingQueue } from './embedding-queue.js';
import { BlockNotFoundError, InvalidArgumentError, PermissionDeniedError } from './errors.js';
import { describe, optionsOf, positiveInt } from './input.js';
import type { BlockHistoryEntry, GetBlockOptions, ListBlocksOptions, SemanticHit, SemanticQueryOptions } from './types.js';

export interface LocalBlockReadsDeps {
  view: BlockView;
  /** The log the view follows: earlier versions are read from it. */
  store: EventStore;
  runner: ProjectionRunner;
  embeddings: EmbeddingQueue;
  encoder: Encoder;
  /** Waits until the view reflects `streamId` up to its tip (a block another client just wrote). */
  catchUp(streamId: string): Promise<void>;
  /** Epoch ms now (the client's clock). */
  clock: () => number;
  /** A block read past its TTL with no BlockExpired yet: record its expiry. */
  onDueForExpiry(blockId: string): void;
}

export class LocalBlockReads implements BlockReads {
  private readonly view: BlockView;
  private readonly runner: ProjectionRunner;

  constructor(private readonly deps: LocalBlockReadsDeps) {
    this.view = deps.view;
    this.runner = deps.runner;
  }

  /** Resolves once the view has applied `minPosition`; a position past the head of the log is refused, not waited for. */
  async at(minPosition: number): Promise<void> {
    if (minPosition <= this.runner.position) return;
    const head = await this.runner.headPosition();
    if (minPosition > head) throw new InvalidArgumentError(`position ${minPosition} is beyond the head of the log (${head})`);
    await this.runner.waitFor(minPosition);
  }

  async position(): Promise<number> {
    return this.runner.position;
  }

  /**
   * The block now, or as it was at a `version` or at an `asOf` time. A deleted block's past stays readable this
   * way; an expired cache block is BlockNotFoundError for every version, as an expired entry reads as absent
   * (blockHistory still lists what it held).
   */
  async getBlock(actor: string, id: string, options: GetBlockOptions, minPosition: number): Promise<Block> {
    const blockId = validBlockId(id);
    const { version, asOf } = optionsOf(options, 'getBlock');
    if (version !== undefined && asOf !== undefined) {
      throw new InvalidArgumentError('getBlock takes a version or an asOf time, not both');
    }
    if (version !== undefined) positiveInt(version, 'version', Number.MAX_SAFE_INTEGER);
    if (asOf !== undefined && (!(asOf instanceof Date) || Number.isNaN(asOf.getTime()))) {
      throw new InvalidArgumentError(`asOf must be a valid Date, got ${describe(asOf)}`);
    }
    await this.at(minPosition);
    // A block another client just created may not have reached this view: look at its stream before saying no.
    if (!this.view.blocks.has(blockId)) await this.deps.catchUp(streamIds.block(blockId));
    const record = this.view.blocks.get(blockId);
    if (!record) throw new BlockNotFoundError(blockId);
    const { state } = record;
    if (!canRead(state, actor)) throw new PermissionDeniedError(actor, 'read', blockId);
    const nowMs = this.deps.clock();
    if (!isReadable(state, nowMs) && state.status !== 'deleted') {
      // An expired cache entry reads as absent, its past versions too (TTL data is meant to go away);
      // blockHistory still shows what it held. A deleted block's past stays readable by version and asOf.
      if (isDueForExpiry(state, nowMs)) this.deps.onDueForExpiry(blockId);
      throw new BlockNotFoundError(blockId, 'expired');
    }
    if (version === undefined && asOf === undefined) {
      if (state.status !== 'live') throw new BlockNotFoundError(blockId, state.status);
      return toBlock(state);
    }
    // Time travel: the version, or the last version recorded at or before asOf.
    const history = await readBlockHistory(this.deps.store, blockId, this.runner.position);
    const entry = version !== undefined ? history.find((e) => e.version === version) : history.findLast((e) => e.at <= asOf!.getTime());
    const missing = version !== undefined ? `no version ${version}` : `did not exist at ${asOf!.toISOString()}`;
    if (!entry || entry.type === 'BlockDeleted' || entry.type === 'BlockExpired') {
      throw new BlockNotFoundError(blockId, missing);
    }
    const then: BlockState = {
      ...state,
      content: entry.content,
      metadata: entry.metadata,
      version: entry.version,
      updatedAt: entry.at,
      status: 'live',
    };
    if (asOf !== undefined && !isReadable(then, asOf.getTime())) throw new BlockNotFoundError(blockId, missing);
    return toBlock(then);
  }

  /** The readable block with this name, or null (absent, expired, or hidden from this actor). */
  async getBlockByName(actor: string, name: string, minPosition: number): Promise<Block | null> {
    if (typeof name !== 'string') throw new InvalidArgumentError(`a block name is a string, got ${typeof name}`);
    await this.at(minPosition);
    const view = this.view;
    const readableHolder = () => {
      const holder = view.names.get(name)?.holder;
      const state = holder ? view.block(holder) : undefined;
      return state && isReadable(state, this.deps.clock()) ? state : undefined;
    };
    if (!readableHolder() && name.length > 0) {
      // Another client may have just created (or re-created) it: catch up on the name, then on its holder.
      await this.deps.catchUp(streamIds.blockName(name));
      const holder = view.names.get(name)?.holder;
      if (holder && !view.block(holder)) await this.deps.catchUp(streamIds.block(holder));
    }
    const holder = view.names.get(name)?.holder;
    const state = holder ? view.block(holder) : undefined;
    if (!state) return null;
    if (!isReadable(state, this.deps.clock())) {
      if (isDueForExpiry(state, this.deps.clock())) this.deps.onDueForExpiry(state.id);
      return null;
    }
    return canRead(state, actor) ? toBlock(state) : null;
  }

  /** Readable blocks (live, unexpired, permitted), oldest first. */
  async listBlocks(actor: string, options: ListBlocksOptions, minPosition: number): Promise<Block[]> {
    options = optionsOf(options, 'listBlocks');
    const blockClass = blockClassOf(options.blockClass);
    const { filter } = options;
    if (filter !== undefined && typeof filter !== 'function' && (typeof filter !== 'object' || filter === null)) {
      throw new InvalidArgumentError('filter must be an object of metadata values or a function');
    }
    await this.at(minPosition);
    const nowMs = this.deps.clock();
    const out: Block[] = [];
    for (const { state } of this.view.blocks.values()) {
      if (!isReadable(state, nowMs) || !canRead(state, actor)) continue;
      if (blockClass && state.blockClass !== blockClass) continue;
      const block = toBlock(state);
      if (typeof filter === 'function' && !filter(block)) continue;
      if (typeof filter === 'object' && !Object.entries(filter).every(([k, v]) => jsonEqual(state.metadata[k], v))) {
        continue;
      }
      out.push(block);
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  }

  /** Every event of a block's stream, oldest first, with the content and metadata after it (expired blocks too). */
  async blockHistory(actor: string, id: string, minPosition: number): Promise<BlockHistoryEntry[]> {
    const blockId = validBlockId(id);
    await this.at(minPosition);
    const record = this.view.blocks.get(blockId);
    if (!record) throw new BlockNotFoundError(blockId);
    if (!canRead(record.state, actor)) throw new PermissionDeniedError(actor, 'read', blockId);
    const history = await readBlockHistory(this.deps.store, blockId, this.runner.position);
    return history.map((e) => ({
      version: e.version,
      type: e.type,
      content: e.content,
      metadata: structuredClone(e.metadata),
      actor: e.actor,
      at: new Date(e.at),
    }));
  }

  /** Blocks whose content is nearest in meaning to `text`, best first (readable blocks only). */
  async semanticQuery(actor: string, text: string, options: SemanticQueryOptions, minPosition: number): Promise<SemanticHit[]> {
    if (typeof text !== 'string' || text.trim() === '') {
      throw new InvalidArgumentError('a semantic query is a non-empty string');
    }
    options = optionsOf(options, 'semanticQuery');
    const k = positiveInt(options.k ?? 5, 'k', 1000);
    const blockClass = blockClassOf(options.blockClass);
    await this.at(minPosition);
    // Read-your-writes for queries too: everything written so far is embedded before answering.
    await this.deps.embeddings.drainEmbeddings();
    const query = await this.deps.encoder.encode(text);
    const nowMs = this.deps.clock();
    const view = this.view;
    const hits = view.index.search(query, k, {
      filter: (id) => {
        const state = view.block(id);
        return state !== undefined && isReadable(state, nowMs) && canRead(state, actor) && (!blockClass || state.blockClass === blockClass);
      },
    });
    return hits.map(({ id, distance }) => ({ block: toBlock(view.block(id)!), score: Math.cos(distance) }));
  }
}
