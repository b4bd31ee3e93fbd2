// The HVS client: validates commands, appends vector events to JetStream, and answers reads from its projection.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { hvsNames, Id, jsonShapeProblem, mailNames, NAMESPACE_PATTERN, streamIds } from '@hvs-nvm/events';
import {
  EventStore,
  EventStoreError,
  isNatsError,
  NewStreamsConflictError,
  connectionOptionsOf,
  NatsConnectionOptions,
  openNatsEndpoint,
  ProjectionRunner,
  WrongExpectedVersionError,
  type NatsEndpoint,
  type ParkedMessage,
  type RecordedEvent,
} from '@hvs-nvm/eventstore';
import { createLogger, type Durability, type Logger } from '@hvs-nvm/runtime';
import { LruByteCache, type CacheStats } from './cache.js';
import { copyFloat32 } from './slab.js';
import {
  CollectionMismatchError,
  HVSClosedError,
  HVSError,
  InvalidArgumentError,
  InvalidIdError,
  InvalidMetadataError,
  PayloadTooLargeError,
  VectorNotFoundError,
} from './errors.js';
import { compileFilter, type Filter } from './filter.js';
import { score as scoreOf, toVector, type Geometry, type VectorInput } from './geometry.js';
import { HVSProjection, type ModelPresence } from './projection.js';
import { LocalReadModel, RemoteReadModel, serveReadModel, type ReadModel, type StoredVector } from './read-model.js';
import type { Service } from '@nats-io/services';
import type { Subscription } from '@nats-io/nats-core';
import {
  Mailboxes,
  type FetchedBatch,
  type ModelConnection,
  type ReceivedMessage,
  type ReceiveOptions,
  type ReplayOptions,
} from './mailbox.js';
import { refuseReservedMetadata, storeReserved } from './reserved-metadata.js';

export type Metadata = Record<string, unknown>;

export const HVSOptionsSchema = NatsConnectionOptions.extend({
  /** Folder for the projection's snapshots (and the embedded nats-server's store). */
  storagePath: z.string().min(1).default('./data/hvs'),
  dimension: z.number().int().min(1).max(65_536).default(512),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']).default('euclidean'),
  cacheSizeMb: z.number().min(0).default(64),
  /** One HVS = one collection; several collections can share one NATS server. */
  collection: z.string().regex(NAMESPACE_PATTERN, 'a collection name is 1-64 characters of A-Z a-z 0-9 _ -').default('default'),
  /** HNSW graph degree, build-time and default search-time candidate list sizes. */
  M: z.number().int().min(2).max(128).default(16),
  efConstruction: z.number().int().min(8).max(4096).default(200),
  ef: z.number().int().min(1).max(4096).default(64),
  /** Who writes (recorded on every event). */
  actor: z.string().min(1).default('system'),
  maxMetadataBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Stream replicas when connecting to a cluster (NATS_URL); the embedded server always uses 1. */
  replicas: z.number().int().min(1).max(5).optional(),
  /** Mailboxes: redeliver unacknowledged messages after this long; dead-letter after this many deliveries. */
  ackWaitMs: z.number().int().min(100).default(30_000),
  maxDeliveries: z.number().int().min(1).default(5),
  /** Where reads are answered: this process's projection, or apps/projector replicas over NATS. */
  projection: z.enum(['local', 'remote']).default('local'),
  /** Write a projection checkpoint after this many new events. */
  checkpointEveryEvents: z.number().int().positive().default(50_000),
  /** …and at least this often while events arrive, also during a long catch-up (so a crash loses little replay). */
  checkpointEveryMs: z.number().int().positive().default(30_000),
  /** Called as the projection's position moves (once per applied batch while it catches up): for progress bars. */
  onProgress: z.custom<(position: number) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
});
export type HVSOptions = z.input<typeof HVSOptionsSchema>;
type ResolvedOptions = z.output<typeof HVSOptionsSchema>;

export interface VectorRecord {
  id: string;
  data: Float32Array;
  metadata: Metadata;
  createdAt: Date;
}

export interface SearchResult {
  vector: { id: string; data: Float32Array; metadata: Metadata };
  distance: number;
  score: number;
}

export interface SearchOptions {
  k?: number;
  filter?: Filter;
  /** Candidate list size for this query (recall/speed trade-off). */
  ef?: number;
  /** Brute-force exact search instead of the HNSW graph. */
  exact?: boolean;
}

export interface BatchItem {
  vector: VectorInput;
  metadata?: Metadata;
  id?: string;
}

/** Largest number of publishes in flight in one batch round. */
const BATCH_CHUNK = 4096;

function validateMetadata(metadata: unknown, maxBytes: number): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata) || Object.getPrototypeOf(metadata) !== Object.prototype) {
    throw new InvalidMetadataError(`metadata must be a plain JSON object, got ${Array.isArray(metadata) ? 'an array' : typeof metadata}`);
  }
  const shape = jsonShapeProblem(metadata, 'metadata');
  if (shape !== undefined) throw new InvalidMetadataError(shape.message);
  let json: string;
  try {
    json = JSON.stringify(metadata, (key, value: unknown) => {
      if (key === '' && value === metadata) return value;
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`'${key}' is ${value}`);
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) {
        throw new Error(`'${key}' is a ${typeof value}, which JSON cannot hold`);
      }
      if (key === '') throw new Error('empty keys are not allowed');
      // Dates arrive here already as their toJSON() text; a Map, Set or class instance would become {} silently.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new Error(`'${key}' is a ${(value as object).constructor?.name ?? 'non-plain object'}, which JSON cannot hold`);
        }
      }
      return value;
    });
  } catch (err) {
    throw new InvalidMetadataError(`metadata is not JSON-serialisable: ${(err as Error).message}`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new PayloadTooLargeError('metadata', bytes, maxBytes);
  // The stored copy is the JSON round trip, so Dates and the like become what a reader will see.
  return JSON.parse(json) as Metadata;
}

/** Options arguments may be omitted (or null, as from JSON callers), but must be objects when given. */
function optionsObject<T extends object>(options: T | null | undefined, call: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${call} options must be an object, got ${typeof options}`);
  }
  return options;
}

function validateId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success) throw new InvalidIdError(id);
  return id;
}

/** The hyperbolic vector store: one collection of vectors with metadata, plus agent mailboxes. */
export class HVS {
  private closed = false;
  /** Position of this client's last acknowledged write: reads wait for the projection to reach it. */
  private lastWrite = 0;
  private readonly cache: LruByteCache<VectorRecord>;
  private evictions?: Subscription;
  private service?: Service;
  readonly parked: ParkedMessage[] = [];
  /** Position of the snapshot this client started from (0: replayed the whole log). */
  private restoredFrom = 0;

  private constructor(
    readonly options: ResolvedOptions,
    private readonly endpoint: NatsEndpoint,
    private readonly store: EventStore,
    private readonly reads: ReadModel,
    /** The in-process projection (absent with `projection: 'remote'`). */
    private readonly local: { view: HVSProjection; runner: ProjectionRunner } | undefined,
    private readonly mailboxes: Mailboxes,
    private readonly log: Logger,
  ) {
    this.cache = new LruByteCache(options.cacheSizeMb * 1024 * 1024, (r) => r.data.byteLength + 256);
  }

  get dimension(): number {
    return this.options.dimension;
  }

  get geometry(): Geometry {
    return this.options.geometry;
  }

  /** The collection's event store (vectors, presence): for change feeds and audits, which read the log itself. */
  get eventStore(): EventStore {
    return this.store;
  }

  /** The mailboxes' event store (MAIL_<collection>). */
  get mailEventStore(): EventStore {
    return this.mailboxes.eventStore;
  }

  /** Connects (or starts the embedded server), loads the projection snapshot, and replays the tail of the log. */
  static async open(options: HVSOptions = {}): Promise<HVS> {
    const parsed = HVSOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidArgumentError(`invalid HVS options: ${z.prettifyError(parsed.error)}`);
    const opts = parsed.data;
    const log = createLogger('hvs').child({ collection: opts.collection });
    const storagePath = resolve(opts.storagePath);
    const endpoint = await openNatsEndpoint({
      storagePath,
      ...connectionOptionsOf(opts),
      name: `hvs:${opts.collection}`,
      ...(opts.replicas ? { replicas: opts.replicas } : {}),
    });
    try {
      // Parked events are reported once, by the projection runner below.
      const storeOptions = { replicas: endpoint.replicas, actor: opts.actor };
      const store = await EventStore.open(endpoint.nc, { names: hvsNames(opts.collection), ...storeOptions });
      await HVS.agreeOnCollection(store, opts);
      const mailStore = await EventStore.open(endpoint.nc, { names: mailNames(opts.collection), ...storeOptions });
      const indexOptions = {
        dimension: opts.dimension,
        geometry: opts.geometry,
        M: opts.M,
        efConstruction: opts.efConstruction,
        ef: opts.ef,
      };
      const mailboxes = new Mailboxes(mailStore, store, opts.actor, opts.maxMessageBytes, {
        ackWaitMs: opts.ackWaitMs,
        maxDeliveries: opts.maxDeliveries,
      });
      if (opts.projection === 'remote') {
        const hvs = new HVS(opts, endpoint, store, new RemoteReadModel(endpoint.nc, opts.collection), undefined, mailboxes, log);
        // No local event stream to evict by: any publish on a vector's subject evicts it from the cache.
        hvs.evictions = endpoint.nc.subscribe(`${store.names.prefix}.${streamIds.vectors}`, {
          callback: (_err, msg) => {
            hvs.cache.delete(msg.subject.slice(store.names.prefix.length + 5));
          },
        });
        return hvs;
      }
      const snapshotDir = join(storagePath, 'projection', `${opts.collection}-${opts.geometry}-${opts.dimension}`);
      // A snapshot belongs to one log: another server's, or a recreated stream, would hide new events behind its
      // position (and show vectors that log never had).
      const logIdentity = await store.identity();
      const view = await HVSProjection.load(snapshotDir, indexOptions, opts.collection, logIdentity);
      // The runner's callbacks need the client, which needs the runner: a late-bound reference.
      const ref: { hvs?: HVS } = {};
      const runner = new ProjectionRunner(store, view, {
        fromCheckpoint: view.position,
        checkpointEveryEvents: opts.checkpointEveryEvents,
        checkpointEveryMs: opts.checkpointEveryMs,
        onParked: (p) => {
          ref.hvs?.parked.push(p);
          log.warn({ parked: p }, 'parked an event the projection could not apply');
        },
        onApplied: (e) => ref.hvs?.evict(e),
        onCheckpointError: (err) => log.error({ err }, 'projection checkpoint failed; the log still has everything'),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const hvs = (ref.hvs = new HVS(opts, endpoint, store, new LocalReadModel(view, runner), { view, runner }, mailboxes, log));
      hvs.restoredFrom = view.position;
      log.info({ fromPosition: view.position, vectors: view.size }, 'replaying the tail of the log');
      await runner.start();
      log.info({ position: runner.position, vectors: view.size }, 'projection caught up');
      return hvs;
    } catch (err) {
      await endpoint.close();
      throw err;
    }
  }

  /**
   * The collection's first event fixes its dimension and geometry. Opening it otherwise is refused before anything
   * is written: vectors of another shape would only be parked by every projection.
   */
  private static async agreeOnCollection(store: EventStore, opts: ResolvedOptions): Promise<void> {
    const requested = { dimension: opts.dimension, geometry: opts.geometry };
    const isConfiguration = (e: RecordedEvent) => e.type === 'CollectionConfigured';
    for (let attempt = 0; attempt <= 3; attempt++) {
      // The first valid configuration decides, never the newest message of the stream: anything appended after it
      // (or a foreign message before it) cannot change the collection's shape or keep it from opening.
      const first = await store.firstEvent(streamIds.collection, isConfiguration);
      if (first) {
        const existing = first.data as { dimension: number; geometry: string };
        if (existing.dimension !== requested.dimension || existing.geometry !== requested.geometry) {
          throw new CollectionMismatchError(opts.collection, existing, requested);
        }
        return;
      }
      if (attempt === 3) break;
      try {
        // The stream has messages but no configuration (a foreign message came first): append after them; if two
        // clients race there, the first of their events in the log decides, as the next read shows.
        await store.appendToStream(streamIds.collection, [{ type: 'CollectionConfigured', data: requested }], {
          expectedRevision: attempt === 0 ? 'no_stream' : 'any',
        });
      } catch (err) {
        // Another client configured it first: read what it wrote.
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      }
    }
    throw new HVSError('COLLECTION_UNSETTLED', `collection '${opts.collection}': could not read its configuration`, 503);
  }

  private evict(event: RecordedEvent): void {
    if (event.type === 'VectorStored' || event.type === 'VectorDeleted') this.cache.delete(event.data.id);
  }

  private assertOpen(): void {
    if (this.closed) throw new HVSClosedError();
  }

  private noteWrite(position: number): void {
    if (position > this.lastWrite) this.lastWrite = position;
  }

  /** Maps errors from below to HVS errors at the boundary; HVS errors pass through. */
  private wrap(err: unknown): never {
    if (err instanceof HVSError) throw err;
    if (err instanceof EventStoreError) throw new HVSError(err.code, err.message, err.status, { cause: err });
    // NATS and JetStream client errors (timeouts, lost connection, missed heartbeats) are mapped, never leaked.
    if (isNatsError(err)) {
      throw new HVSError('NATS_UNAVAILABLE', `NATS: ${err.message}`, 503, { cause: err });
    }
    throw err;
  }

  // ---- writes -------------------------------------------------------------------------------------

  /** Stores a vector (replacing one with the same id). Resolves with its id once JetStream has it. */
  async storeVector(vector: VectorInput, metadata?: Metadata, options?: { id?: string }): Promise<string> {
    options = optionsObject(options, 'storeVector');
    // Only an absent argument means "none": '' or 0 given as metadata or id is bad input, not a default.
    const [id] = await this.batchStoreVectors([
      { vector, ...(metadata !== undefined ? { metadata } : {}), ...(options.id !== undefined ? { id: options.id } : {}) },
    ]);
    return id!;
  }

  /**
   * Stores many vectors with one round of pipelined publishes. Validates them all first: a bad item stores none.
   * Metadata may not use the key reserved for the patterns' own entries (ReservedMetadataError).
   */
  batchStoreVectors(items: BatchItem[]): Promise<string[]> {
    return this.storeItems(items, false);
  }

  /** For @hvs-nvm/hvs/internal only: stores the patterns' own entries, which carry the reserved metadata key. */
  [storeReserved](items: BatchItem[]): Promise<string[]> {
    return this.storeItems(items, true);
  }

  private async storeItems(items: BatchItem[], reservedAllowed: boolean): Promise<string[]> {
    this.assertOpen();
    if (!Array.isArray(items)) throw new InvalidArgumentError('batchStoreVectors takes an array of { vector, metadata?, id? }');
    const { dimension, geometry, maxMetadataBytes } = this.options;
    const prepared = items.map((item, i) => {
      if (!item || typeof item !== 'object') throw new InvalidArgumentError(`item ${i} is not an object`);
      const id = item.id === undefined ? randomUUID() : validateId(item.id);
      const metadata = validateMetadata(item.metadata, maxMetadataBytes);
      if (!reservedAllowed) refuseReservedMetadata(metadata, i);
      return { id, vector: toVector(item.vector, dimension, geometry), metadata, fresh: item.id === undefined };
    });
    const seen = new Set<string>();
    for (const p of prepared) {
      if (seen.has(p.id)) throw new InvalidArgumentError(`id '${p.id}' appears twice in one batch`);
      seen.add(p.id);
    }
    try {
      for (let start = 0; start < prepared.length; start += BATCH_CHUNK) {
        const chunk = prepared.slice(start, start + BATCH_CHUNK);
        // Ids the caller chose may already exist (an upsert): those go on their stream's tip. The log decides, not
        // a read of the projection (which would wait for it to apply the previous chunk, and serialise ingest):
        // every id is first appended as a new stream, and JetStream refuses the ones that exist. The local view,
        // without waiting, only spares a refused publish for ids it already holds.
        const view = this.local?.view.index;
        const known = view ? chunk.filter((p) => !p.fresh && view.has(p.id)) : [];
        const fresh = view ? chunk.filter((p) => p.fresh || !view.has(p.id)) : chunk;
        const event = (p: (typeof prepared)[number]) => ({
          type: 'VectorStored' as const,
          data: { id: p.id, vector: p.vector, metadata: p.metadata },
        });
        try {
          const results = await this.store.appendNewStreams(fresh.map((p) => ({ streamId: streamIds.vector(p.id), event: event(p) })));
          for (const r of results) this.noteWrite(r.position);
        } catch (err) {
          // Some ids have a stream already (another writer's, or a deleted vector's): those, and only those, go
          // again on their stream's tip; the rest are in the log.
          if (!(err instanceof NewStreamsConflictError)) throw err;
          for (const r of err.results) if (r) this.noteWrite(r.position);
          for (const i of err.conflicts) known.push(fresh[i]!);
        }
        const updates = await Promise.all(
          known.map((p) => this.store.appendToStream(streamIds.vector(p.id), [event(p)], { expectedRevision: 'any' })),
        );
        for (const r of updates) this.noteWrite(r.position);
      }
    } catch (err) {
      this.wrap(err);
    } finally {
      // Our own writes evict at once; others' evict when the projection (or the subject feed) sees them.
      for (const p of prepared) this.cache.delete(p.id);
    }
    return prepared.map((p) => p.id);
  }

  /**
   * Deletes a vector. Resolves true if it existed. Decided on the vector's stream in the log, not on this client's
   * view, so a vector another client stored a moment ago is deleted too; a concurrent write makes it try again.
   */
  async deleteVector(id: string): Promise<boolean> {
    validateId(id);
    this.assertOpen();
    try {
      for (let attempt = 0; ; attempt++) {
        const last = await this.store.lastEvent(streamIds.vector(id));
        if (!last || last.type !== 'VectorStored') return false;
        try {
          const r = await this.store.appendToStream(streamIds.vector(id), [{ type: 'VectorDeleted', data: { id } }], {
            expectedRevision: last.revision,
          });
          this.noteWrite(r.position);
          return true;
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError) || attempt >= 5) throw err;
        }
      }
    } catch (err) {
      this.wrap(err);
    } finally {
      this.cache.delete(id);
    }
  }

  // ---- reads --------------------------------------------------------------------------------------

  /** Read models hand over data of the caller's own (a copy, or decoded from a reply): no copy here. */
  private toRecord(v: StoredVector): VectorRecord {
    return { id: v.id, data: v.data, metadata: v.metadata, createdAt: new Date(v.createdAt) };
  }

  /** Records for ids, from the cache where it has them, else from the read model (then cached). */
  private async records(ids: string[]): Promise<(VectorRecord | undefined)[]> {
    this.assertOpen();
    const out: (VectorRecord | undefined)[] = ids.map((id) => this.cache.get(id));
    const missing = ids.filter((_, i) => !out[i]);
    if (missing.length === 0) return out;
    const fetched = new Map<string, VectorRecord>();
    for (const v of await this.reads.get(missing, this.lastWrite)) {
      if (!v) continue;
      const rec = this.toRecord(v);
      fetched.set(v.id, rec);
      this.cache.set(v.id, rec);
    }
    return out.map((r, i) => r ?? fetched.get(ids[i]!));
  }

  /** Callers get their own vector (metadata is frozen by the projection, so it can be shared). */
  private copy(rec: VectorRecord): VectorRecord {
    return { id: rec.id, data: copyFloat32(rec.data), metadata: rec.metadata, createdAt: rec.createdAt };
  }

  async retrieveVector(id: string): Promise<VectorRecord> {
    validateId(id);
    const [rec] = await this.records([id]);
    if (!rec) throw new VectorNotFoundError(id);
    return this.copy(rec);
  }

  /** Same order as `ids`; null where a vector is missing. */
  async batchRetrieveVectors(ids: string[]): Promise<(VectorRecord | null)[]> {
    if (!Array.isArray(ids)) throw new InvalidArgumentError('batchRetrieveVectors takes an array of ids');
    ids.forEach(validateId);
    return (await this.records(ids)).map((r) => (r ? this.copy(r) : null));
  }

  /** k nearest neighbours of `query`, ascending by distance, optionally filtered by metadata. */
  async semanticSearch(query: VectorInput, options?: SearchOptions): Promise<SearchResult[]> {
    options = optionsObject(options, 'semanticSearch');
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new InvalidArgumentError(`k must be an integer in 1..10000, got ${k}`);
    if (options.ef !== undefined && (!Number.isInteger(options.ef) || options.ef < 1)) {
      throw new InvalidArgumentError(`ef must be a positive integer, got ${options.ef}`);
    }
    const q = toVector(query, this.options.dimension, this.options.geometry);
    // The local read model compiles the filter itself; for a remote one, fail before any request leaves.
    if (options.filter !== undefined && !this.local) compileFilter(options.filter);
    this.assertOpen();
    const hits = await this.reads.search(
      q,
      k,
      {
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        ...(options.ef !== undefined ? { ef: options.ef } : {}),
        ...(options.exact ? { exact: true } : {}),
      },
      this.lastWrite,
    );
    // The read model hands over copies: no second copy here.
    return hits.map((h) => ({
      vector: { id: h.id, data: h.data, metadata: h.metadata },
      distance: h.distance,
      score: scoreOf(this.options.geometry, h.distance),
    }));
  }

  /** Number of live vectors in the projection. */
  async count(): Promise<number> {
    this.assertOpen();
    return this.reads.count(this.lastWrite);
  }

  // ---- cache --------------------------------------------------------------------------------------

  /** Loads records into the client cache ahead of use. */
  async prefetch(ids: string[]): Promise<number> {
    if (!Array.isArray(ids)) throw new InvalidArgumentError('prefetch takes an array of ids');
    ids.forEach(validateId);
    return (await this.records(ids)).filter(Boolean).length;
  }

  /** Drops one id (or everything) from the client cache. */
  invalidateCache(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  // ---- agents and messages ------------------------------------------------------------------------

  /** Records that a model is connected and returns its connection (mailbox iterator, acks, replay). */
  async connectModel(modelId: string): Promise<ModelConnection> {
    this.assertOpen();
    try {
      const { connection, position } = await this.mailboxes.connect(modelId);
      this.noteWrite(position);
      return connection;
    } catch (err) {
      this.wrap(err);
    }
  }

  /** Models that have connected, with when they were last seen. */
  async listModels(): Promise<ModelPresence[]> {
    this.assertOpen();
    return this.reads.models(this.lastWrite);
  }

  /** Sends a JSON message into `to`'s durable mailbox; resolves with the message id. */
  async sendMessage(from: string, to: string, body: unknown): Promise<string> {
    this.assertOpen();
    try {
      return await this.mailboxes.send(from, to, body);
    } catch (err) {
      this.wrap(err);
    }
  }

  /** Sends to every connected model except the sender and `exclude`; resolves with the recipients. */
  async broadcast(from: string, body: unknown, options?: { exclude?: string[] }): Promise<string[]> {
    options = optionsObject(options, 'broadcast');
    if (options.exclude !== undefined && !Array.isArray(options.exclude)) {
      throw new InvalidArgumentError('broadcast exclude must be an array of model ids');
    }
    const exclude = new Set([from, ...(options.exclude ?? [])]);
    const to = (await this.listModels()).map((m) => m.modelId).filter((m) => !exclude.has(m));
    try {
      await this.mailboxes.sendMany(from, to, body);
    } catch (err) {
      this.wrap(err);
    }
    return to;
  }

  /** Pending messages of `modelId`'s mailbox, oldest first, each returned once (acknowledged on return). */
  async receiveMessages(modelId: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    this.assertOpen();
    try {
      return await this.mailboxes.receive(modelId, options);
    } catch (err) {
      this.wrap(err);
    }
  }

  /**
   * Pending messages of `modelId`'s mailbox, oldest first, not acknowledged yet: `batch.ack()` once they are
   * handed on, or each message's `ackToken` through ackMessages; unacknowledged ones come back after the ack wait.
   */
  async fetchMessages(modelId: string, options: ReceiveOptions = {}): Promise<FetchedBatch> {
    this.assertOpen();
    try {
      return await this.mailboxes.fetch(modelId, options);
    } catch (err) {
      this.wrap(err);
    }
  }

  /** Acknowledges fetched messages of `modelId`'s mailbox by their ackTokens; resolves with how many. */
  async ackMessages(modelId: string, ackTokens: string[]): Promise<number> {
    this.assertOpen();
    try {
      return await this.mailboxes.ackTokens(modelId, ackTokens);
    } catch (err) {
      this.wrap(err);
    }
  }

  /** A mailbox's history from a time or position, without touching what is pending. */
  async replayMessages(modelId: string, options: ReplayOptions = {}): Promise<ReceivedMessage[]> {
    this.assertOpen();
    try {
      return await this.mailboxes.replay(modelId, options);
    } catch (err) {
      this.wrap(err);
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Waits until the projection reflects everything in the log as of now. */
  async sync(): Promise<void> {
    this.assertOpen();
    await this.reads.sync();
  }

  /** Writes a projection checkpoint now (in-process projection only). */
  async snapshot(): Promise<number> {
    this.assertOpen();
    if (!this.local) throw new InvalidArgumentError('snapshot() needs the in-process projection; the projector snapshots its own');
    await this.local.runner.waitFor(this.lastWrite);
    // Through the runner: a checkpoint it is writing in the background shares the snapshot files.
    await this.local.runner.checkpointNow();
    return this.local.runner.position;
  }

  /** Serves this client's projection to `projection: 'remote'` clients (what apps/projector runs). */
  async serveQueries(options: { name?: string } = {}): Promise<Service> {
    this.assertOpen();
    if (!this.local) throw new InvalidArgumentError('only an HVS with the in-process projection can serve queries');
    this.service ??= await serveReadModel(await this.endpoint.responderConnection(), this.options.collection, this.reads, options);
    return this.service;
  }

  /** Projection position, size and presence, wherever the projection runs. */
  projectionStats() {
    return this.reads.stats();
  }

  /** The projection's position and size, and what it parked. */
  stats(): {
    position: number;
    restoredFrom: number;
    vectors: number;
    models: number;
    parked: number;
    natsUrl: string;
    embedded: boolean;
    durability: Durability;
  } {
    return {
      position: this.local?.runner.position ?? this.lastWrite,
      restoredFrom: this.restoredFrom,
      vectors: this.local?.view.size ?? -1,
      models: this.local?.view.models.size ?? -1,
      parked: this.parked.length,
      natsUrl: this.endpoint.url,
      embedded: this.endpoint.embedded,
      durability: this.endpoint.durability,
    };
  }

  /**
   * Where and as whom this client is connected (for the embedded server, its generated writer credentials): how a
   * store opened beside this one (HVSNVMIntegration's NVM) reaches the same JetStream. Keep it in-process.
   */
  natsConnectionOptions() {
    return this.endpoint.connectionOptions();
  }

  /** Whether a write could be acknowledged now (connection up, JetStream answering), for health checks. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.store.probe();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Every step runs even if one before it fails (a last checkpoint that cannot be written must not leave the
    // connection open); the first failure is reported once all are done.
    const failures: unknown[] = [];
    const step = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        failures.push(err);
      }
    };
    await step(() => this.mailboxes.close());
    await step(() => this.service?.stop());
    await step(() => this.evictions?.unsubscribe());
    await step(() => this.local?.runner.stop());
    await step(() => this.store.close());
    await step(() => this.endpoint.close());
    // The graph's memory is native: free it now rather than whenever the GC finalises the index.
    await step(() => this.local?.view.index.dispose());
    this.log.info('closed');
    if (failures.length > 0) {
      this.log.error({ err: failures[0], failures: failures.length }, 'close: some steps failed');
      throw failures[0];
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
