// The NVM client: validates commands, runs them through the deciders against JetStream, and answers reads from the block view.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import {
  ActorId,
  AgentId,
  BlockClassValue,
  encodeEventData,
  Id,
  NAMESPACE_PATTERN,
  nvmNames,
  streamIds,
} from '@hvs-nvm/events';
import {
  EventStore,
  connectionOptionsOf,
  NatsConnectionOptions,
  openNatsEndpoint,
  ProjectionRunner,
  type AnyNewEvent,
  type NatsEndpoint,
  type ParkedMessage,
} from '@hvs-nvm/eventstore';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import type { Service } from '@nats-io/services';
import { serveBlockQueries } from './remote.js';
import { createLogger, type Logger } from '@hvs-nvm/runtime';
import {
  canRead,
  isDueForExpiry,
  isReadable,
  SYSTEM_ACTOR,
  toBlock,
  type Block,
  type BlockClass,
  type BlockMetadata,
  type BlockState,
} from './block.js';
import { decide, type BlockCommand } from './block-decider.js';
import { BlockView, type HistoryEventType } from './block-view.js';
import { handleCommand, type Loaded } from './command-handler.js';
import {
  BlockExistsError,
  BlockNotFoundError,
  ConcurrencyError,
  ContentTooLargeError,
  InvalidArgumentError,
  InvalidBlockError,
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
import { decideName, type HolderStatus, type NameCommand, type NameState } from './name-decider.js';

const isEncoder = (e: unknown): e is Encoder =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as Encoder).encodeBatch === 'function' &&
  typeof (e as Encoder).encode === 'function' &&
  Number.isInteger((e as Encoder).dimension);

export const NVMOptionsSchema = z.strictObject({
  ...NatsConnectionOptions.shape,
  /** Folder for the projection checkpoint (and the embedded nats-server's store when no natsUrl). */
  storagePath: z.string().min(1),
  /** Text → unit vector for semanticQuery; default: the offline sentence encoder. */
  encoder: z
    .custom<Encoder>(isEncoder, 'an encoder has name, dimension, encode() and encodeBatch()')
    .optional(),
  /** Who acts: recorded on every event and checked against block permissions ('system' is not restricted). */
  actor: ActorId.default(SYSTEM_ACTOR),
  /** One NVM namespace = one JetStream stream (NVM_<namespace>). */
  namespace: z
    .string()
    .regex(NAMESPACE_PATTERN, 'a namespace is 1-64 characters of A-Z a-z 0-9 _ -')
    .default('default'),
  maxContentBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  maxMetadataBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** Stream replicas on a cluster; the embedded server always uses 1. */
  replicas: z.number().int().min(1).max(5).optional(),
  /** Checkpoint the block view after this many new events (and always on close). */
  checkpointEveryEvents: z.number().int().positive().default(1000),
  /** …and at least this often while events arrive, also during a long catch-up. */
  checkpointEveryMs: z.number().int().positive().default(30_000),
  /** Called as the projection's position moves (once per applied batch while it catches up): for progress bars. */
  onProgress: z.custom<(position: number) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
  /** How often this client looks for expired cache blocks to record their expiry. */
  expirySweepMs: z.number().int().positive().default(1000),
});
export type NVMOptions = z.input<typeof NVMOptionsSchema>;
type ResolvedOptions = z.output<typeof NVMOptionsSchema>;

export interface GetBlockOptions {
  /** A past version (1 = as created). */
  version?: number;
  /** The block as it was at this moment. */
  asOf?: Date;
}

export interface UpdateBlockOptions {
  /** Refuse with ConcurrencyError unless the block is at exactly this version. */
  expectedVersion?: number;
  /** Replaces the block's metadata. */
  metadata?: BlockMetadata;
}

/**
 * What updateBlock gives an actor who may write a block but not read it: the id and the version written, and none
 * of what the block holds (its fields are absent, so `result.content !== undefined` tells a Block from a receipt).
 */
export type BlockWriteReceipt = Pick<Block, 'id' | 'version' | 'updatedAt'> & {
  [K in Exclude<keyof Block, 'id' | 'version' | 'updatedAt'>]?: never;
};

/** Computes new content from the current block; re-run on fresh state when another writer got in first. */
export type BlockUpdater = (current: Block) => BlockContent | Promise<BlockContent>;

export interface ListBlocksOptions {
  blockClass?: BlockClass;
  /** Metadata equality (`{ key: value }`, values compared as JSON) or a predicate. */
  filter?: Record<string, unknown> | ((block: Block) => boolean);
}

export interface SemanticQueryOptions {
  k?: number;
  blockClass?: BlockClass;
}

export interface SemanticHit {
  block: Block;
  /** Cosine similarity of the query and the block's content. */
  score: number;
}

export interface BlockHistoryEntry {
  version: number;
  type: HistoryEventType;
  content: string;
  metadata: BlockMetadata;
  actor: string;
  at: Date;
}

const EMBEDDING_BATCH = 32;
/** Room for NATS headers next to an event's payload. */
const HEADER_ALLOWANCE_BYTES = 2048;

/** What every view of one NVM shares: the connection, the store, the projection and background work. */
class NvmCore {
  closed = false;
  /** Highest position this process has written: reads wait for the projection to reach it. */
  lastWrite = 0;
  private readonly background = new Set<Promise<unknown>>();
  private readonly expiring = new Set<string>();
  private draining?: Promise<void>;
  /** The block-view query service, when this process serves one (apps/projector). */
  service?: Service;
  private drainScheduled = false;
  private sweep?: NodeJS.Timeout;

  constructor(
    readonly options: ResolvedOptions,
    readonly endpoint: NatsEndpoint,
    readonly store: EventStore,
    readonly runner: ProjectionRunner,
    readonly view: BlockView,
    readonly encoder: Encoder,
    readonly log: Logger,
    readonly restoredFrom: number,
  ) {}

  start(): void {
    this.view.onEmbeddingQueued = () => this.scheduleDrain();
    this.sweep = setInterval(() => this.sweepExpired(), this.options.expirySweepMs);
    this.sweep.unref();
    if (this.view.pendingEmbeddings.size > 0) this.scheduleDrain();
  }

  assertOpen(): void {
    if (this.closed) throw new NVMClosedError();
  }

  /** Runs work in the background, kept so close() can wait for it. Failures are logged, never thrown. */
  track(work: () => Promise<unknown>, what: string): void {
    const p = work().catch((err: unknown) => {
      if (!this.closed) this.log.warn({ err }, `${what} failed`);
    });
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** Waits until the view reflects every event of `streamId` up to its tip as of now (fresh state for a decision). */
  async catchUp(streamId: string): Promise<void> {
    const tip = await this.store.streamTip(streamId);
    if (tip) await this.runner.waitFor(tip.position);
  }

  async afterWrite(position: number): Promise<void> {
    if (position > this.lastWrite) this.lastWrite = position;
    await this.runner.waitFor(position);
  }

  /** Read-your-writes: the view has applied everything this process has written. */
  readBarrier(): Promise<void> {
    return this.runner.waitFor(this.lastWrite);
  }

  async loadBlock(blockId: string): Promise<Loaded<BlockState | undefined>> {
    await this.catchUp(streamIds.block(blockId));
    const state = this.view.block(blockId);
    return { state, revision: state ? state.version - 1 : -1 };
  }

  /** Runs a name command (claim or release) on the name's own stream. */
  async nameCommand(command: NameCommand, actor: string): Promise<number> {
    const streamId = streamIds.blockName(command.name);
    const result = await handleCommand<NameState>({
      store: this.store,
      streamId,
      actor,
      load: async () => {
        await this.catchUp(streamId);
        const state = this.view.nameState(command.name);
        // The holder may be a block this view has not seen yet: look before calling it abandoned.
        if (state.holder && !this.view.block(state.holder)) await this.catchUp(streamIds.block(state.holder));
        return { state, revision: state.revision };
      },
      decide: (state) =>
        decideName(
          command.type === 'ClaimName'
            ? { ...command, holderStatus: this.holderStatus(state), nowMs: Date.now() }
            : command,
          state,
        ),
      retryOnConflict: true,
      conflictError: (err) => err,
    });
    if (result.position) await this.afterWrite(result.position);
    return result.position;
  }

  private holderStatus(state: NameState): HolderStatus {
    if (!state.holder) return 'unknown';
    const holder = this.view.block(state.holder);
    if (!holder) return 'unknown';
    if (isReadable(holder, Date.now())) return 'live';
    if (isDueForExpiry(holder, Date.now())) this.scheduleExpiry(holder.id);
    return 'gone';
  }

  /** Appends BlockExpired for a block past its TTL (idempotent: racing clients decide nothing) and frees its name. */
  scheduleExpiry(blockId: string): void {
    if (this.closed || this.expiring.has(blockId)) return;
    this.expiring.add(blockId);
    this.track(async () => {
      try {
        const result = await handleCommand<BlockState | undefined>({
          store: this.store,
          streamId: streamIds.block(blockId),
          actor: SYSTEM_ACTOR,
          load: () => this.loadBlock(blockId),
          decide: (state) => decide({ type: 'ExpireBlock', blockId, nowMs: Date.now() }, state),
          retryOnConflict: true,
          conflictError: (err) => err,
        });
        if (!result.position || !result.state) return;
        await this.afterWrite(result.position);
        await this.nameCommand({ type: 'ReleaseName', name: result.state.name, blockId }, SYSTEM_ACTOR);
      } finally {
        this.expiring.delete(blockId);
      }
    }, `expiring block ${blockId}`);
  }

  private sweepExpired(): void {
    if (this.closed) return;
    for (const id of this.view.dueForExpiry(Date.now())) this.scheduleExpiry(id);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    // Coalesces a burst of applied events into one drain, after the burst.
    setTimeout(() => {
      this.drainScheduled = false;
      this.track(() => this.drainEmbeddings(), 'embedding block content');
    }, 0).unref();
  }

  /** Encodes every queued block content into the vector index (one drain at a time). */
  async drainEmbeddings(): Promise<void> {
    while (this.view.pendingEmbeddings.size > 0 && !this.closed) {
      if (!this.draining) {
        this.draining = this.drainOnce().finally(() => (this.draining = undefined));
      }
      await this.draining;
    }
  }

  private async drainOnce(): Promise<void> {
    const batch = this.view.takeEmbeddingBatch(EMBEDDING_BATCH);
    let vectors: Float32Array[];
    try {
      vectors = await this.encoder.encodeBatch(batch.map((j) => j.text));
    } catch (err) {
      // One bad text must not block the queue: encode one by one and drop the failures (logged).
      this.log.warn({ err }, 'batch encoding failed; encoding block contents one by one');
      for (const job of batch) {
        try {
          this.view.completeEmbeddings([job], [await this.encoder.encode(job.text)]);
        } catch (one) {
          this.log.warn(
            { err: one, blockId: job.blockId },
            'cannot embed block content; it is left out of semantic queries',
          );
          if (this.view.pendingEmbeddings.get(job.blockId)?.version === job.version) {
            this.view.pendingEmbeddings.delete(job.blockId);
          }
        }
      }
      return;
    }
    this.view.completeEmbeddings(batch, vectors);
  }

  /** The largest payload this server takes, less room for headers. */
  checkPayload(data: unknown, label: string): void {
    const maxPayload = this.endpoint.nc.info?.max_payload;
    if (!maxPayload) return;
    const bytes = encodeEventData(data).byteLength;
    if (bytes > maxPayload - HEADER_ALLOWANCE_BYTES) {
      throw new ContentTooLargeError(
        `the event for ${label}`,
        bytes,
        maxPayload - HEADER_ALLOWANCE_BYTES,
        ` (the NATS server's max_payload is ${maxPayload}; raise it to store larger blocks)`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    await this.service?.stop().catch(() => undefined);
    await Promise.allSettled([...this.background]);
    try {
      await this.runner.stop();
    } finally {
      await this.store.close();
      await this.endpoint.close();
    }
  }
}

function validBlockId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success)
    throw new BlockNotFoundError(typeof id === 'string' ? id : describe(id), 'not a block id');
  return id;
}

function blockClassOf(value: unknown): BlockClass | undefined {
  if (value === undefined) return undefined;
  const parsed = BlockClassValue.safeParse(value);
  if (!parsed.success) {
    throw new InvalidBlockError(
      `unknown block class ${describe(value)}; use one of ${BlockClassValue.options.join(', ')}`,
    );
  }
  return parsed.data;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Memory blocks for agents: named, classed, versioned text or JSON, as events on NATS JetStream. */
export class NVM {
  private closed = false;

  private constructor(
    private readonly core: NvmCore,
    /** Who this view acts as. */
    readonly actor: string,
    private readonly owner: boolean,
  ) {}

  /** Connects (or starts the embedded server), loads the block view's checkpoint, and replays the tail of the log. */
  static async open(options: NVMOptions): Promise<NVM> {
    const parsed = NVMOptionsSchema.safeParse(options);
    if (!parsed.success)
      throw new InvalidArgumentError(`invalid NVM options: ${z.prettifyError(parsed.error)}`);
    const opts = parsed.data;
    const log = createLogger('nvm').child({ namespace: opts.namespace });
    const storagePath = resolve(opts.storagePath);
    const encoder = opts.encoder ?? (await defaultEncoder());
    let endpoint: NatsEndpoint;
    try {
      endpoint = await openNatsEndpoint({
        storagePath,
        ...connectionOptionsOf(opts),
        name: `nvm:${opts.namespace}`,
        ...(opts.replicas ? { replicas: opts.replicas } : {}),
      });
    } catch (err) {
      throw toNVMError(err);
    }
    try {
      const store = await EventStore.open(endpoint.nc, {
        names: nvmNames(opts.namespace),
        replicas: endpoint.replicas,
        actor: opts.actor,
      });
      const dir = join(storagePath, 'projection', `nvm-${opts.namespace}`);
      const view = await BlockView.load(
        dir,
        opts.namespace,
        encoder,
        (message, detail) => log.warn({ detail }, message),
        await store.identity(),
      );
      const runner = new ProjectionRunner(store, view, {
        fromCheckpoint: view.position,
        checkpointEveryEvents: opts.checkpointEveryEvents,
        checkpointEveryMs: opts.checkpointEveryMs,
        // Invalid or foreign messages and events the view cannot apply: logged and skipped, never fatal.
        onParked: (p: ParkedMessage) =>
          log.warn({ parked: p }, 'parked an event the block view could not apply'),
        onCheckpointError: (err) => log.error({ err }, 'block view checkpoint failed; the log still has everything'),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const core = new NvmCore(opts, endpoint, store, runner, view, encoder, log, view.position);
      log.info({ fromPosition: view.position, blocks: view.blocks.size }, 'replaying the tail of the log');
      await runner.start();
      core.start();
      return new NVM(core, opts.actor, true);
    } catch (err) {
      await endpoint.close().catch(() => undefined);
      throw toNVMError(err);
    }
  }

  /**
   * A view of the same NVM acting as `actor` (same connection and projection; closing it closes nothing). Only the
   * system actor may act for another: a view acting as an agent gets PermissionDeniedError for any other actor, so
   * `nvm.as('model_b').as('system')` cannot escalate; reserved ids ('system' in any case) are refused even by the owner.
   */
  as(actor: string): NVM {
    if (typeof actor !== 'string' || !ActorId.safeParse(actor).success)
      throw new InvalidArgumentError(`invalid actor id ${describe(actor)}`);
    if (this.actor !== SYSTEM_ACTOR && actor !== this.actor)
      throw new PermissionDeniedError(this.actor, 'act as', actor);
    // as() makes agent views only: an id from outside (a token, a header) can never come back as the owner.
    if (!AgentId.safeParse(actor).success)
      throw new InvalidArgumentError(`'${actor}' is reserved for the trusted local owner; as() takes an agent id`);
    return new NVM(this.core, actor, false);
  }

  /** Position of the checkpoint this client started from (0: it replayed the whole log). */
  get restoredFromPosition(): number {
    return this.core.restoredFrom;
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
      if (position <= this.core.runner.position) return;
      const head = await this.core.runner.headPosition();
      if (position > head) throw new InvalidArgumentError(`position ${position} is beyond the head of the log (${head})`);
      await this.core.runner.waitFor(position);
    });
  }

  /**
   * Writes a checkpoint of the block view now (after this client's own writes are applied), so that the next open
   * replays only what comes after it. Returns the position it reflects.
   */
  async snapshot(): Promise<number> {
    return this.guard(async () => {
      await this.core.runner.waitFor(this.core.lastWrite);
      await this.core.runner.checkpointNow();
      return this.core.runner.position;
    });
  }

  /**
   * Serves this NVM's block view to BlockReader clients as the `nvm-projector` micro service of its namespace
   * (queue group: replicas share the load). apps/projector runs this.
   */
  async serveQueries(options: { name?: string } = {}): Promise<Service> {
    return this.guard(async () => {
      this.core.service ??= await serveBlockQueries(this.core.endpoint.nc, this.core.options.namespace, this, options);
      return this.core.service;
    });
  }

  /** Position the block view has applied up to. */
  get position(): number {
    return this.core.runner.position;
  }

  /**
   * The event store behind this NVM (its JetStream stream NVM_<namespace>), for streams that live beside the
   * blocks, such as the shared knowledge base's facts.
   */
  get eventStore(): EventStore {
    return this.core.store;
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
      const input =
        typeof inputOrName === 'string'
          ? positionalCreateInput(inputOrName, blockClass, content, options)
          : inputOrName;
      const blockId = randomUUID();
      const data = createdEventData(input, blockId, this.limits);
      this.core.checkPayload(data, `block '${data.name}'`);
      // The name first: a second creator of the same name stops here, before its block exists.
      try {
        await this.core.nameCommand(
          { type: 'ClaimName', name: data.name, blockId, holderStatus: 'unknown', nowMs: 0 },
          this.actor,
        );
      } catch (err) {
        if (!(err instanceof BlockExistsError) || err.existingBlockId === undefined) throw err;
        const holder = this.core.view.block(err.existingBlockId);
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
          () => this.core.nameCommand({ type: 'ReleaseName', name: data.name, blockId }, this.actor),
          `releasing name '${data.name}'`,
        );
        throw err;
      }
      await this.core.afterWrite(position);
      return toBlock(this.core.view.block(blockId)!);
    });
  }

  /**
   * The block now, or as it was at a `version` or at an `asOf` time. A deleted block's past stays readable this
   * way; an expired cache block is BlockNotFoundError for every version, as an expired entry reads as absent
   * (blockHistory still lists what it held).
   */
  async getBlock(id: string, options: GetBlockOptions = {}): Promise<Block> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      const { version, asOf } = optionsOf(options, 'getBlock');
      if (version !== undefined && asOf !== undefined) {
        throw new InvalidArgumentError('getBlock takes a version or an asOf time, not both');
      }
      if (version !== undefined) positiveInt(version, 'version', Number.MAX_SAFE_INTEGER);
      if (asOf !== undefined && (!(asOf instanceof Date) || Number.isNaN(asOf.getTime()))) {
        throw new InvalidArgumentError(`asOf must be a valid Date, got ${describe(asOf)}`);
      }
      await this.core.readBarrier();
      // A block another client just created may not have reached this view: look at its stream before saying no.
      if (!this.core.view.blocks.has(blockId)) await this.core.catchUp(streamIds.block(blockId));
      const record = this.core.view.blocks.get(blockId);
      if (!record) throw new BlockNotFoundError(blockId);
      const { state } = record;
      if (!canRead(state, this.actor)) throw new PermissionDeniedError(this.actor, 'read', blockId);
      const nowMs = Date.now();
      if (!isReadable(state, nowMs) && state.status !== 'deleted') {
        // An expired cache entry reads as absent, its past versions too (TTL data is meant to go away);
        // blockHistory still shows what it held. A deleted block's past stays readable by version and asOf.
        if (isDueForExpiry(state, nowMs)) this.core.scheduleExpiry(blockId);
        throw new BlockNotFoundError(blockId, 'expired');
      }
      if (version === undefined && asOf === undefined) {
        if (state.status !== 'live') throw new BlockNotFoundError(blockId, state.status);
        return toBlock(state);
      }
      // Time travel: the version, or the last version recorded at or before asOf.
      const entry =
        version !== undefined
          ? record.history.find((e) => e.version === version)
          : record.history.findLast((e) => e.at <= asOf!.getTime());
      const missing =
        version !== undefined ? `no version ${version}` : `did not exist at ${asOf!.toISOString()}`;
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
      if (asOf !== undefined && !isReadable(then, asOf.getTime()))
        throw new BlockNotFoundError(blockId, missing);
      return toBlock(then);
    });
  }

  /** The readable block with this name, or null (absent, expired, or hidden from this actor). */
  async getBlockByName(name: string): Promise<Block | null> {
    return this.guard(async () => {
      if (typeof name !== 'string')
        throw new InvalidArgumentError(`a block name is a string, got ${typeof name}`);
      await this.core.readBarrier();
      const view = this.core.view;
      const readableHolder = () => {
        const holder = view.names.get(name)?.holder;
        const state = holder ? view.block(holder) : undefined;
        return state && isReadable(state, Date.now()) ? state : undefined;
      };
      if (!readableHolder() && name.length > 0) {
        // Another client may have just created (or re-created) it: catch up on the name, then on its holder.
        await this.core.catchUp(streamIds.blockName(name));
        const holder = view.names.get(name)?.holder;
        if (holder && !view.block(holder)) await this.core.catchUp(streamIds.block(holder));
      }
      const holder = view.names.get(name)?.holder;
      const state = holder ? view.block(holder) : undefined;
      if (!state) return null;
      if (!isReadable(state, Date.now())) {
        if (isDueForExpiry(state, Date.now())) this.core.scheduleExpiry(state.id);
        return null;
      }
      return canRead(state, this.actor) ? toBlock(state) : null;
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
      if (expectedVersion !== undefined)
        positiveInt(expectedVersion, 'expectedVersion', Number.MAX_SAFE_INTEGER);
      const label = `block '${blockId}'`;
      const metadata =
        options.metadata === undefined ? undefined : metadataObject(options.metadata, label, this.limits);
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
        load: () => this.core.loadBlock(blockId),
        decide: async (state): Promise<AnyNewEvent[]> => {
          const nowMs = Date.now();
          let text = fixed;
          if (text === undefined) {
            if (!state || !isReadable(state, nowMs))
              throw new BlockNotFoundError(blockId, state?.status ?? '');
            if (!canRead(state, this.actor)) throw new PermissionDeniedError(this.actor, 'read', blockId);
            text = contentText(await (content as BlockUpdater)(toBlock(state)), label, this.limits);
            this.core.checkPayload(command(text, nowMs), label);
          }
          return decide(command(text, nowMs), state);
        },
        retryOnConflict: expectedVersion === undefined,
        conflictError: (err) =>
          new ConcurrencyError(blockId, expectedVersion, typeof err.actual === 'number' ? err.actual + 1 : 0),
      });
      await this.core.afterWrite(position);
      const record = this.core.view.blocks.get(blockId)!;
      if (canRead(record.state, this.actor)) return toBlock(record.state);
      // The version this update wrote (the block may have moved on since), and when.
      const version = decidedOn!.version + 1;
      const at = record.history.find((e) => e.version === version)?.at ?? record.state.updatedAt;
      return { id: blockId, version, updatedAt: new Date(at) };
    });
  }

  async deleteBlock(id: string): Promise<void> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      const { state, position } = await handleCommand<BlockState | undefined>({
        store: this.core.store,
        streamId: streamIds.block(blockId),
        actor: this.actor,
        load: () => this.core.loadBlock(blockId),
        decide: (s) => decide({ type: 'DeleteBlock', blockId, actor: this.actor, nowMs: Date.now() }, s),
        retryOnConflict: true,
        conflictError: (err) => err,
      });
      await this.core.afterWrite(position);
      // The deleted block no longer holds its name even if this release is lost (a claim finds the holder gone).
      await this.core.nameCommand({ type: 'ReleaseName', name: state!.name, blockId }, this.actor);
    });
  }

  /** Readable blocks (live, unexpired, permitted), oldest first. */
  async listBlocks(options: ListBlocksOptions = {}): Promise<Block[]> {
    return this.guard(async () => {
      options = optionsOf(options, 'listBlocks');
      const blockClass = blockClassOf(options.blockClass);
      const { filter } = options;
      if (
        filter !== undefined &&
        typeof filter !== 'function' &&
        (typeof filter !== 'object' || filter === null)
      ) {
        throw new InvalidArgumentError('filter must be an object of metadata values or a function');
      }
      await this.core.readBarrier();
      const nowMs = Date.now();
      const out: Block[] = [];
      for (const { state } of this.core.view.blocks.values()) {
        if (!isReadable(state, nowMs) || !canRead(state, this.actor)) continue;
        if (blockClass && state.blockClass !== blockClass) continue;
        const block = toBlock(state);
        if (typeof filter === 'function' && !filter(block)) continue;
        if (
          typeof filter === 'object' &&
          !Object.entries(filter).every(([k, v]) => jsonEqual(state.metadata[k], v))
        ) {
          continue;
        }
        out.push(block);
      }
      return out.sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
      );
    });
  }

  /** Every event of a block's stream, oldest first, with the content and metadata after it (expired blocks too). */
  async blockHistory(id: string): Promise<BlockHistoryEntry[]> {
    return this.guard(async () => {
      const blockId = validBlockId(id);
      await this.core.readBarrier();
      const record = this.core.view.blocks.get(blockId);
      if (!record) throw new BlockNotFoundError(blockId);
      if (!canRead(record.state, this.actor)) throw new PermissionDeniedError(this.actor, 'read', blockId);
      return record.history.map((e) => ({
        version: e.version,
        type: e.type,
        content: e.content,
        metadata: structuredClone(e.metadata),
        actor: e.actor,
        at: new Date(e.at),
      }));
    });
  }

  /** Blocks whose content is nearest in meaning to `text`, best first (readable blocks only). */
  async semanticQuery(text: string, options: SemanticQueryOptions = {}): Promise<SemanticHit[]> {
    return this.guard(async () => {
      if (typeof text !== 'string' || text.trim() === '') {
        throw new InvalidArgumentError('a semantic query is a non-empty string');
      }
      options = optionsOf(options, 'semanticQuery');
      const k = positiveInt(options.k ?? 5, 'k', 1000);
      const blockClass = blockClassOf(options.blockClass);
      await this.core.readBarrier();
      // Read-your-writes for queries too: everything written so far is embedded before answering.
      await this.core.drainEmbeddings();
      const query = await this.core.encoder.encode(text);
      const nowMs = Date.now();
      const view = this.core.view;
      const hits = view.index.search(query, k, {
        filter: (id) => {
          const state = view.block(id);
          return (
            state !== undefined &&
            isReadable(state, nowMs) &&
            canRead(state, this.actor) &&
            (!blockClass || state.blockClass === blockClass)
          );
        },
      });
      return hits.map(({ id, distance }) => ({ block: toBlock(view.block(id)!), score: Math.cos(distance) }));
    });
  }

  /** Waits until the block view reflects the store's head (and has embedded it). */
  async sync(): Promise<void> {
    return this.guard(async () => {
      await this.core.runner.sync();
      await this.core.drainEmbeddings();
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
