// The HVS client, the facade: one collection of vectors with metadata, its client cache, presence and mailboxes. The
// work is done by the parts it holds (vectors.ts, client-cache.ts, presence.ts, messaging.ts over session.ts).
import type { EventStore, ForkRecord } from '@hvs-nvm/eventstore';
import type { Durability } from '@hvs-nvm/runtime';
import type { Service } from '@nats-io/services';
import type { CacheStats } from './cache.js';
import { optionsObject } from './arguments.js';
import { InvalidArgumentError } from './errors.js';
import type { Geometry, VectorInput } from './geometry.js';
import type { FetchedBatch, ModelConnection, ReceivedMessage, ReceiveOptions, ReplayOptions } from './mailbox.js';
import { Messaging } from './messaging.js';
import { deleteCollectionFork, forkCollection, type ForkOptions } from './forks.js';
import type { HVSOptions, ResolvedOptions } from './options.js';
import { Presence } from './presence.js';
import type { ModelPresence } from './projection.js';
import type { BatchItem, Metadata, SearchOptions, SearchResult, VectorRecord } from './records.js';
import { serveReadModel } from './read-model.js';
import { storeReserved } from './reserved-metadata.js';
import { HvsSession } from './session.js';
import { Vectors } from './vectors.js';

export { HVSOptionsSchema, type HVSOptions } from './options.js';
export type { BatchItem, Metadata, SearchOptions, SearchResult, VectorRecord } from './records.js';

/** The hyperbolic vector store: one collection of vectors with metadata, plus agent mailboxes. */
export class HVS {
  private readonly vectors: Vectors;
  private readonly presence: Presence;
  private readonly messaging: Messaging;

  private constructor(private readonly session: HvsSession) {
    this.vectors = new Vectors(session);
    this.presence = new Presence(session);
    this.messaging = new Messaging(session, this.presence);
  }

  get options(): ResolvedOptions {
    return this.session.options;
  }

  /** Events the projection could not apply and parked. */
  get parked(): HvsSession['parked'] {
    return this.session.parked;
  }

  get dimension(): number {
    return this.session.options.dimension;
  }

  get geometry(): Geometry {
    return this.session.options.geometry;
  }

  /** The collection's event store (vectors, presence): for change feeds and audits, which read the log itself. */
  get eventStore(): EventStore {
    return this.session.store;
  }

  /** The mailboxes' event store (MAIL_<collection>). */
  get mailEventStore(): EventStore {
    return this.session.mailboxes.eventStore;
  }

  /** Connects (or starts the embedded server), loads the projection snapshot, and replays the tail of the log. */
  static async open(options: HVSOptions = {}): Promise<HVS> {
    return new HVS(await HvsSession.open(options));
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
    return this.vectors.storeItems(items, false);
  }

  /** For @hvs-nvm/hvs/internal only: stores the patterns' own entries, which carry the reserved metadata key. */
  [storeReserved](items: BatchItem[]): Promise<string[]> {
    return this.vectors.storeItems(items, true);
  }

  /**
   * Deletes a vector. Resolves true if it existed. Decided on the vector's stream in the log, not on this client's
   * view, so a vector another client stored a moment ago is deleted too; a concurrent write makes it try again.
   */
  deleteVector(id: string): Promise<boolean> {
    return this.vectors.deleteVector(id);
  }

  // ---- reads --------------------------------------------------------------------------------------

  retrieveVector(id: string): Promise<VectorRecord> {
    return this.vectors.retrieveVector(id);
  }

  /** Same order as `ids`; null where a vector is missing. */
  batchRetrieveVectors(ids: string[]): Promise<(VectorRecord | null)[]> {
    return this.vectors.batchRetrieveVectors(ids);
  }

  /** k nearest neighbours of `query`, ascending by distance, optionally filtered by metadata. */
  semanticSearch(query: VectorInput, options?: SearchOptions): Promise<SearchResult[]> {
    return this.vectors.semanticSearch(query, options);
  }

  /** Number of live vectors in the projection. */
  count(): Promise<number> {
    return this.vectors.count();
  }

  // ---- cache --------------------------------------------------------------------------------------

  /** Loads records into the client cache ahead of use. */
  prefetch(ids: string[]): Promise<number> {
    return this.vectors.prefetch(ids);
  }

  /** Drops one id (or everything) from the client cache. */
  invalidateCache(id?: string): void {
    this.session.cache.invalidate(id);
  }

  cacheStats(): CacheStats {
    return this.session.cache.stats();
  }

  // ---- agents and messages ------------------------------------------------------------------------

  /** Records that a model is connected and returns its connection (mailbox iterator, acks, replay). */
  connectModel(modelId: string): Promise<ModelConnection> {
    return this.presence.connectModel(modelId);
  }

  /** Models that have connected, with when they were last seen. */
  listModels(): Promise<ModelPresence[]> {
    return this.presence.listModels();
  }

  /** Sends a JSON message into `to`'s durable mailbox; resolves with the message id. */
  sendMessage(from: string, to: string, body: unknown): Promise<string> {
    return this.messaging.sendMessage(from, to, body);
  }

  /** Sends to every connected model except the sender and `exclude`; resolves with the recipients. */
  broadcast(from: string, body: unknown, options?: { exclude?: string[] }): Promise<string[]> {
    return this.messaging.broadcast(from, body, options);
  }

  /** Pending messages of `modelId`'s mailbox, oldest first, each returned once (acknowledged on return). */
  receiveMessages(modelId: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return this.messaging.receiveMessages(modelId, options);
  }

  /**
   * Pending messages of `modelId`'s mailbox, oldest first, not acknowledged yet: `batch.ack()` once they are
   * handed on, or each message's `ackToken` through ackMessages; unacknowledged ones come back after the ack wait.
   */
  fetchMessages(modelId: string, options: ReceiveOptions = {}): Promise<FetchedBatch> {
    return this.messaging.fetchMessages(modelId, options);
  }

  /** Acknowledges fetched messages of `modelId`'s mailbox by their ackTokens; resolves with how many. */
  ackMessages(modelId: string, ackTokens: string[]): Promise<number> {
    return this.messaging.ackMessages(modelId, ackTokens);
  }

  /** A mailbox's history from a time or position, without touching what is pending. */
  replayMessages(modelId: string, options: ReplayOptions = {}): Promise<ReceivedMessage[]> {
    return this.messaging.replayMessages(modelId, options);
  }

  // ---- history ------------------------------------------------------------------------------------

  /**
   * Where this collection's logs stand now (a view: where it stands): `{ hvs, mail }` positions, to pass as `asOf` to
   * HVS.open (or, with NVM's, to HVSNVMIntegration.open) for a view of exactly this moment.
   */
  async cut(): Promise<{ hvs: number; mail: number }> {
    this.session.assertOpen();
    try {
      const [hvs, mail] = await Promise.all([this.session.store.headPosition(), this.session.mailboxes.eventStore.headPosition()]);
      return { hvs, mail };
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /**
   * A writable fork of this collection named `name`: its history up to `asOf` (default: now) is this one's, read in
   * place from this log; from there the two diverge. Costs one event, whatever the size of the log; the fork's
   * projection is then built as any client's is. Reopen it later with `HVS.open({ collection: name })`.
   */
  async fork(options: ForkOptions): Promise<HVS> {
    await this.recordFork(options);
    return HVS.open({ ...this.session.options, collection: options.name, asOf: undefined });
  }

  /** Records a fork without opening it (what fork() does first): one event in the world registry. */
  async recordFork(options: ForkOptions): Promise<ForkRecord> {
    this.session.assertOpen();
    try {
      return await forkCollection(this.session, options);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** The forks recorded in this server's world registry (HVS ones: collections branched from another). */
  async forks(): Promise<ForkRecord[]> {
    this.session.assertOpen();
    return (await this.session.worlds.forks()).filter((f) => f.kind === 'hvs');
  }

  /** Deletes a fork (its streams and checkpoints); its parent is not touched. FORK_NOT_FOUND for anything else. */
  async deleteFork(name: string): Promise<void> {
    this.session.assertOpen();
    try {
      await deleteCollectionFork(this.session, name);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** True for an as-of view (HVS.open with `asOf`): reads answer as of then, writes throw ReadOnlyViewError. */
  get readOnly(): boolean {
    return this.session.store.upTo !== undefined;
  }

  /** An as-of view's moment: the time it was opened at, or the time of the newest event of its cut. */
  get asOfTime(): Date | undefined {
    return this.session.view?.time;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Waits until the projection reflects everything in the log as of now. */
  async sync(): Promise<void> {
    this.session.assertOpen();
    await this.session.reads.sync();
  }

  /** Writes a projection checkpoint now (in-process projection only). */
  async snapshot(): Promise<number> {
    this.session.assertOpen();
    if (!this.session.local) throw new InvalidArgumentError('snapshot() needs the in-process projection; the projector snapshots its own');
    await this.session.local.runner.waitFor(this.session.lastWrite);
    // Through the runner: a checkpoint it is writing in the background shares the snapshot files.
    await this.session.local.runner.checkpointNow();
    return this.session.local.runner.position;
  }

  /** Serves this client's projection to `projection: 'remote'` clients (what apps/projector runs). */
  async serveQueries(options: { name?: string } = {}): Promise<Service> {
    this.session.assertOpen();
    if (!this.session.local) throw new InvalidArgumentError('only an HVS with the in-process projection can serve queries');
    this.session.service ??= await serveReadModel(
      await this.session.endpoint.responderConnection(),
      this.session.options.collection,
      this.session.reads,
      { ...options, ...(this.session.options.shard ? { shard: this.session.options.shard } : {}) },
    );
    return this.session.service;
  }

  /** Projection position, size and presence, wherever the projection runs. */
  projectionStats() {
    return this.session.reads.stats();
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
      position: this.session.local?.runner.position ?? this.session.lastWrite,
      restoredFrom: this.session.restoredFrom,
      vectors: this.session.local?.view.size ?? -1,
      models: this.session.local?.view.models.size ?? -1,
      parked: this.parked.length,
      natsUrl: this.session.endpoint.url,
      embedded: this.session.endpoint.embedded,
      durability: this.session.endpoint.durability,
    };
  }

  /**
   * Where and as whom this client is connected (for the embedded server, its generated writer credentials): how a
   * store opened beside this one (HVSNVMIntegration's NVM) reaches the same JetStream. Keep it in-process.
   */
  natsConnectionOptions() {
    return this.session.endpoint.connectionOptions();
  }

  /** Whether a write could be acknowledged now (connection up, JetStream answering), for health checks. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.session.store.probe();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
