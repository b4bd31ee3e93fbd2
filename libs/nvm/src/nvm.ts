// The NVM client, the facade: validates commands and runs them through the deciders against JetStream; reads go to
// the session's BlockReads (the block view in this process, or projector replicas).
// Over 400 lines on purpose: the public NVM class is one facade; its parts (session, name claims, expiry, embedding
// queue, block reads, input checks, forks) live in their own files and each method here only joins them.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ActorId, AgentId, streamIds } from '@hvs-nvm/events';
import type { AnyNewEvent, EventStore, ForkRecord } from '@hvs-nvm/eventstore';
import type { Service } from '@nats-io/services';
import { canRead, isReadable, SYSTEM_ACTOR, toBlock, type Block, type BlockClass, type BlockState } from './block.js';
import { decide, type BlockCommand } from './block-decider.js';
import { validPatch } from './block-patch.js';
import { serveBlockQueries } from './block-query-service.js';
import { validBlockId } from './arguments.js';
import { handleCommand } from './command-handler.js';
import {
  BlockExistsError,
  BlockNotFoundError,
  ConcurrencyError,
  InvalidArgumentError,
  NVMClosedError,
  NVMError,
  PermissionDeniedError,
  toNVMError,
} from './errors.js';
import {
  contentText,
  createdEventData,
  describe,
  metadataObject,
  optionsOf,
  positionalCreateInput,
  positiveInt,
  type BlockContent,
  type CreateBlockInput,
  type CreateBlockOptions,
} from './input.js';
import { NVMOptionsSchema, type NVMOptions } from './options.js';
import { deleteNamespaceFork, forkNamespace, namespaceForks, type NvmForkOptions } from './forks.js';
import { NvmSession, type LocalProjection } from './session.js';
import type {
  BlockHistoryEntry,
  BlockUpdater,
  BlockWriteReceipt,
  GetBlockOptions,
  ListBlocksOptions,
  PatchBlockOptions,
  SemanticHit,
  SemanticQueryOptions,
  UpdateBlockOptions,
} from './types.js';

/** Memory blocks for agents: named, classed, versioned text or JSON, as events on NATS JetStream. */
export class NVM {
  private closed = false;

  private constructor(
    private readonly core: NvmSession,
    /** Who this view acts as. */
    readonly actor: string,
    private readonly owner: boolean,
  ) {}

  /** Connects (or starts the embedded server), loads the block view's checkpoint, and replays the tail of the log. */
  static async open(options: NVMOptions): Promise<NVM> {
    const parsed = NVMOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidArgumentError(`invalid NVM options: ${z.prettifyError(parsed.error)}`);
    const session = await NvmSession.open(parsed.data);
    return new NVM(session, parsed.data.actor, true);
  }

  /**
   * A view of the same NVM acting as `actor` (same connection and projection; closing it closes nothing). Only the
   * system actor may act for another: a view acting as an agent gets PermissionDeniedError for any other actor, so
   * `nvm.as('model_b').as('system')` cannot escalate; reserved ids ('system' in any case) are refused even by the owner.
   */
  as(actor: string): NVM {
    if (typeof actor !== 'string' || !ActorId.safeParse(actor).success)
      throw new InvalidArgumentError(`invalid actor id ${describe(actor)}`);
    if (this.actor !== SYSTEM_ACTOR && actor !== this.actor) throw new PermissionDeniedError(this.actor, 'act as', actor);
    // as() makes agent views only: an id from outside (a token, a header) can never come back as the owner.
    if (!AgentId.safeParse(actor).success)
      throw new InvalidArgumentError(`'${actor}' is reserved for the trusted local owner; as() takes an agent id`);
    return new NVM(this.core, actor, false);
  }

  /** The namespace this client reads and writes (its stream NVM_<namespace>). */
  get namespace(): string {
    return this.core.options.namespace;
  }

  /** Where this client keeps its block-view checkpoints: another namespace opened beside it uses the same folder. */
  get storagePath(): string {
    return this.core.options.storagePath;
  }

  /** Position of the checkpoint this client started from (0: it replayed the whole log). */
  get restoredFromPosition(): number {
    return this.core.local?.restoredFrom ?? 0;
  }

  /** The highest store position this process has written (pass it to a BlockReader as `minPosition`). */
  get lastWritePosition(): number {
    return this.core.lastWrite;
  }

  /**
   * Resolves once the block view has applied `position` (semanticQuery embeds what is queued itself). A position
   * past the head of the log is refused rather than waited for.
   */
  async waitForPosition(position: number): Promise<void> {
    return this.guard(async () => {
      if (this.core.local) return this.core.local.reads.at(position);
      const head = await this.core.store.headPosition();
      if (position > head) throw new InvalidArgumentError(`position ${position} is beyond the head of the log (${head})`);
      // Remote: every later read of this client asks the replicas for at least this position.
      this.core.readFloor = Math.max(this.core.readFloor, position);
    });
  }

  /**
   * Writes a checkpoint of the block view now (after this client's own writes are applied), so that the next open
   * replays only what comes after it. Returns the position it reflects.
   */
  async snapshot(): Promise<number> {
    return this.guard(async () => {
      const { runner } = this.localProjection('snapshot');
      await runner.waitFor(this.core.lastWrite);
      await runner.checkpointNow();
      return runner.position;
    });
  }

  /**
   * Serves this NVM's block view to BlockReader clients as the `nvm-projector` micro service of its namespace
   * (queue group: replicas share the load). apps/projector runs this.
   */
  async serveQueries(options: { name?: string } = {}): Promise<Service> {
    return this.guard(async () => {
      const { reads } = this.localProjection('serveQueries');
      // On the responder identity: it may answer queries, never append to the store subjects.
      this.core.service ??= await serveBlockQueries(
        await this.core.endpoint.responderConnection(),
        this.core.options.namespace,
        reads,
        options,
      );
      return this.core.service;
    });
  }

  /**
   * Position the block view has applied up to. With `projection: 'remote'`: the position this client's reads are
   * sure to reflect (its writes, sync, waitForPosition).
   */
  get position(): number {
    return this.core.local?.runner.position ?? this.core.minReadPosition;
  }

  /**
   * The event store behind this NVM (its JetStream stream NVM_<namespace>), for streams that live beside the
   * blocks, such as the shared knowledge base's facts.
   */
  get eventStore(): EventStore {
    return this.core.store;
  }

  /** Where this namespace's log stands now (a view: where it stands): `{ nvm }`, to pass as `asOf` to NVM.open. */
  async cut(): Promise<{ nvm: number }> {
    return this.guard(async () => ({ nvm: await this.core.store.headPosition() }));
  }

  /**
   * A writable fork of this namespace named `name`: its history up to `asOf` (default: now) is this one's, read in
   * place from this log; from there the two diverge. One event, whatever the size of the log. `options` are passed
   * to NVM.open for the fork (another encoder re-embeds every block). Reopen later with `NVM.open({ namespace: name })`.
   */
  async fork(fork: NvmForkOptions, options: Partial<NVMOptions> = {}): Promise<NVM> {
    await this.recordFork(fork);
    return NVM.open({ ...this.core.options, ...options, namespace: fork.name, asOf: undefined });
  }

  /** Records a fork without opening it (what fork() does first): one event in the world registry. */
  recordFork(fork: NvmForkOptions): Promise<ForkRecord> {
    return this.guard(() => forkNamespace(this.core, fork));
  }

  /** The NVM forks recorded in this server's world registry. */
  forks(): Promise<ForkRecord[]> {
    return this.guard(() => namespaceForks(this.core));
  }

  /** Deletes a fork (its stream and checkpoints); its parent is not touched. FORK_NOT_FOUND for anything else. */
  deleteFork(name: string): Promise<void> {
    return this.guard(() => deleteNamespaceFork(this.core, name));
  }

  /** True for an as-of view (NVM.open with `asOf`): reads answer as of then, writes throw ReadOnlyViewError. */
  get readOnly(): boolean {
    return this.core.store.upTo !== undefined;
  }

  /** An as-of view's moment: the time it was opened at, or the time of the newest event of its cut. */
  get asOfTime(): Date | undefined {
    return this.core.view?.time;
  }

  /** Largest block content accepted, in bytes (patterns size what they write to fit, before writing anything). */
  get maxContentBytes(): number {
    return this.core.options.maxContentBytes;
  }

  /** The NATS server this NVM runs on (the embedded one's URL, or the configured one). */
  get natsUrl(): string {
    return this.core.endpoint.url;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new NVMClosedError();
    this.core.assertOpen();
    try {
      return await work();
    } catch (err) {
      throw toNVMError(err);
    }
  }

  /** The in-process projection, for the calls only it can answer. */
  private localProjection(call: string): LocalProjection {
    const local = this.core.local;
    if (!local) throw new InvalidArgumentError(`${call} needs the in-process projection (projection: 'local')`);
    return local;
  }

  private get limits() {
    return this.core.options;
  }

  /**
   * Creates a block: `createBlock({ name, blockClass, content, ...options })`, or in the seed's positional form
   * `createBlock('test', BlockClass.DOCUMENTATION, 'content', { readonly: true })`. A taken name is BlockExistsError,
   * naming the existing block's id only to an actor who may read that block.
   */
  createBlock(input: CreateBlockInput): Promise<Block>;
  createBlock(name: string, blockClass: BlockClass, content: BlockContent, options?: CreateBlockOptions): Promise<Block>;
  async createBlock(
    inputOrName: CreateBlockInput | string,
    blockClass?: BlockClass,
    content?: BlockContent,
    options?: CreateBlockOptions,
  ): Promise<Block> {
    return this.guard(async () => {
      const input = typeof inputOrName === 'string' ? positionalCreateInput(inputOrName, blockClass, content, options) : inputOrName;
      const blockId = randomUUID();
      const data = createdEventData(input, blockId, this.limits);
      this.core.checkPayload(data, `block '${data.name}'`);
      // The name first: a second creator of the same name stops here, before its block exists.
      try {
        await this.core.names.run({ type: 'ClaimName', name: data.name, blockId, holderStatus: 'unknown', nowMs: 0 }, this.actor);
      } catch (err) {
        if (!(err instanceof BlockExistsError) || err.existingBlockId === undefined) throw err;
        const holder = await this.core.state.knownBlock(err.existingBlockId);
        if (holder && canRead(holder, this.actor)) throw err;
        // The name is taken, which a unique name cannot hide; the block behind it stays hidden.
        throw new BlockExistsError(data.name);
      }
      let position: number;
      try {
        ({ position } = await handleCommand<BlockState | undefined>({
          store: this.core.store,
          streamId: streamIds.block(blockId),
          actor: this.actor,
          load: async () => ({ state: undefined, revision: -1 }),
          decide: (state) => decide({ type: 'CreateBlock', data }, state),
          retryOnConflict: false,
          conflictError: (err) => err,
        }));
      } catch (err) {
        this.core.track(
          () => this.core.names.run({ type: 'ReleaseName', name: data.name, blockId }, this.actor),
          `releasing name '${data.name}'`,
        );
        throw err;
      }
      await this.core.afterWrite(position);
      return toBlock((await this.core.state.written(blockId, position))!.state);
    });
  }

  /**
   * Replaces a block's content (and metadata, if given). Without `expectedVersion` a lost race is retried on the
   * fresh state (last writer wins for plain content; pass a function to compute content from the current block).
   * Resolves to the updated block, or to a BlockWriteReceipt for an actor who may write the block but not read it.
   */
  async updateBlock(
    id: string,
    content: BlockContent | BlockUpdater,
    options: UpdateBlockOptions = {},
  ): Promise<Block | BlockWriteReceipt> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      options = optionsOf(options, 'updateBlock');
      const { expectedVersion } = options;
      if (expectedVersion !== undefined) positiveInt(expectedVersion, 'expectedVersion', Number.MAX_SAFE_INTEGER);
      const label = `block '${blockId}'`;
      const metadata = options.metadata === undefined ? undefined : metadataObject(options.metadata, label, this.limits);
      const fixed = typeof content === 'function' ? undefined : contentText(content, label, this.limits);
      const command = (text: string, nowMs: number): BlockCommand => ({
        type: 'UpdateBlock',
        blockId,
        content: text,
        actor: this.actor,
        nowMs,
        ...(metadata !== undefined ? { metadata } : {}),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      if (fixed !== undefined) this.core.checkPayload(command(fixed, 0), label);
      const { position, state: decidedOn } = await handleCommand<BlockState | undefined>({
        store: this.core.store,
        streamId: streamIds.block(blockId),
        actor: this.actor,
        load: () => this.core.state.loadBlock(blockId),
        decide: async (state): Promise<AnyNewEvent[]> => {
          const nowMs = this.core.clock();
          let text = fixed;
          if (text === undefined) {
            if (!state || !isReadable(state, nowMs)) throw new BlockNotFoundError(blockId, state?.status ?? '');
            if (!canRead(state, this.actor)) throw new PermissionDeniedError(this.actor, 'read', blockId);
            text = contentText(await (content as BlockUpdater)(toBlock(state)), label, this.limits);
            this.core.checkPayload(command(text, nowMs), label);
          }
          return decide(command(text, nowMs), state);
        },
        retryOnConflict: expectedVersion === undefined,
        conflictError: (err) => new ConcurrencyError(blockId, expectedVersion, typeof err.actual === 'number' ? err.actual + 1 : 0),
      });
      await this.core.afterWrite(position);
      const record = (await this.core.state.written(blockId, position))!;
      if (canRead(record.state, this.actor)) return toBlock(record.state);
      // The version this update wrote (the block may have moved on since), and when.
      const version = decidedOn!.version + 1;
      const at = record.history.find((e) => e.version === version)?.at ?? record.state.updatedAt;
      return { id: blockId, version, updatedAt: new Date(at) };
    });
  }

  /**
   * Applies an RFC 6902 JSON Patch to the block's current JSON content, all of it or nothing, as one new version
   * whose event is the patch. Without `expectedVersion` a lost race re-applies the patch to the fresh state, so
   * concurrent appends (`add` to `/items/-`) all land. Refused, with nothing appended: a malformed patch
   * (InvalidPatchError), a failed `test` (PatchTestFailedError), a path that does not resolve
   * (PatchNotApplicableError), text content (BlockNotJsonError), a result over the content limit; and as updateBlock:
   * read-only, permissions (read and write: a patch reads what it changes), absent.
   */
  async patchBlock(id: string, patch: unknown, options: PatchBlockOptions = {}): Promise<Block> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      const operations = validPatch(patch);
      const { expectedVersion } = optionsOf(options, 'patchBlock');
      if (expectedVersion !== undefined) positiveInt(expectedVersion, 'expectedVersion', Number.MAX_SAFE_INTEGER);
      this.core.checkPayload({ blockId, patch: operations }, `block '${blockId}'`);
      const { position } = await handleCommand<BlockState | undefined>({
        store: this.core.store,
        streamId: streamIds.block(blockId),
        actor: this.actor,
        load: () => this.core.state.loadBlock(blockId),
        decide: (state) =>
          decide(
            {
              type: 'PatchBlock',
              blockId,
              patch: operations,
              actor: this.actor,
              nowMs: this.core.clock(),
              maxContentBytes: this.limits.maxContentBytes,
              ...(expectedVersion !== undefined ? { expectedVersion } : {}),
            },
            state,
          ),
        retryOnConflict: expectedVersion === undefined,
        conflictError: (err) => new ConcurrencyError(blockId, expectedVersion, typeof err.actual === 'number' ? err.actual + 1 : 0),
      });
      await this.core.afterWrite(position);
      return toBlock((await this.core.state.written(blockId, position))!.state);
    });
  }

  async deleteBlock(id: string): Promise<void> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      const { state, position } = await handleCommand<BlockState | undefined>({
        store: this.core.store,
        streamId: streamIds.block(blockId),
        actor: this.actor,
        load: () => this.core.state.loadBlock(blockId),
        decide: (s) => decide({ type: 'DeleteBlock', blockId, actor: this.actor, nowMs: this.core.clock() }, s),
        retryOnConflict: true,
        conflictError: (err) => err,
      });
      await this.core.afterWrite(position);
      // The deleted block no longer holds its name even if this release is lost (a claim finds the holder gone).
      await this.core.names.run({ type: 'ReleaseName', name: state!.name, blockId }, this.actor);
    });
  }

  /**
   * The block now, or as it was at a `version` or at an `asOf` time. A deleted block's past stays readable this
   * way; an expired cache block is BlockNotFoundError for every version, as an expired entry reads as absent
   * (blockHistory still lists what it held).
   */
  async getBlock(id: string, options: GetBlockOptions = {}): Promise<Block> {
    return this.guard(() => this.core.reads.getBlock(this.actor, id, options, this.core.minReadPosition));
  }

  /** The readable block with this name, or null (absent, expired, or hidden from this actor). */
  async getBlockByName(name: string): Promise<Block | null> {
    return this.guard(() => this.core.reads.getBlockByName(this.actor, name, this.core.minReadPosition));
  }

  /** Readable blocks (live, unexpired, permitted), oldest first. */
  async listBlocks(options: ListBlocksOptions = {}): Promise<Block[]> {
    return this.guard(() => this.core.reads.listBlocks(this.actor, options, this.core.minReadPosition));
  }

  /** Every event of a block's stream, oldest first, with the content and metadata after it (expired blocks too). */
  async blockHistory(id: string): Promise<BlockHistoryEntry[]> {
    return this.guard(() => this.core.reads.blockHistory(this.actor, id, this.core.minReadPosition));
  }

  /** Blocks whose content is nearest in meaning to `text`, best first (readable blocks only). */
  async semanticQuery(text: string, options: SemanticQueryOptions = {}): Promise<SemanticHit[]> {
    return this.guard(() => this.core.reads.semanticQuery(this.actor, text, options, this.core.minReadPosition));
  }

  /** Waits until the block view reflects the store's head (and has embedded it). */
  async sync(): Promise<void> {
    return this.guard(async () => {
      const local = this.core.local;
      if (!local) {
        // Remote: the replica that answers the next read waits until it reflects the head as of now.
        this.core.readFloor = Math.max(this.core.readFloor, await this.core.store.headPosition());
        return;
      }
      await local.runner.sync();
      await local.embeddings.drainEmbeddings();
    });
  }

  /** Closes the connection and writes a final checkpoint (a view made by as() only stops being usable). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owner) await this.core.close().catch((err: unknown) => Promise.reject(toNVMError(err)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export { NVMError };
