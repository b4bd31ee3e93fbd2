// What the parts of one HVS share: the connection, the event stores, the read model and the in-process projection
// (when there is one), the client cache, the mailboxes, and the highest position this client wrote.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { hvsNames, mailNames, streamIds } from '@hvs-nvm/events';
import {
  EventStore,
  EventStoreError,
  isNatsError,
  connectionOptionsOf,
  openNatsEndpoint,
  openWorldStore,
  ProjectionRunner,
  ReadOnlyViewError,
  WorldRegistry,
  resolveAsOf,
  WrongExpectedVersionError,
  type LogIdentity,
  type NatsEndpoint,
  type ParkedMessage,
  type RecordedEvent,
} from '@hvs-nvm/eventstore';
import { nearestArchivedCheckpoint } from '@hvs-nvm/files';
import { createLogger, type Logger } from '@hvs-nvm/runtime';
import type { Service } from '@nats-io/services';
import { ClientCache } from './client-cache.js';
import { CollectionMismatchError, HVSClosedError, HVSError, InvalidArgumentError } from './errors.js';
import { Mailboxes } from './mailbox.js';
import { HVSOptionsSchema, type HVSOptions, type ResolvedOptions } from './options.js';
import { HVSProjection } from './projection.js';
import { LocalReadModel, RemoteReadModel, type ReadModel } from './read-model.js';
import { ShardedReadModel } from './sharded-read-model.js';
import { shardOf, shardSuffix } from './shards.js';

export class HvsSession {
  closed = false;
  /** Position of this client's last acknowledged write: reads wait for the projection to reach it. */
  lastWrite = 0;
  readonly cache: ClientCache;
  service?: Service;
  readonly parked: ParkedMessage[] = [];
  /** Position of the snapshot this client started from (0: replayed the whole log). */
  restoredFrom = 0;
  /** An as-of view: the live stores the view's stores read through (closed with it), and the moment it shows. */
  view?: { live: EventStore[]; time: Date };

  private constructor(
    readonly options: ResolvedOptions,
    readonly endpoint: NatsEndpoint,
    readonly store: EventStore,
    readonly reads: ReadModel,
    /** The in-process projection (absent with `projection: 'remote'`). */
    readonly local: { view: HVSProjection; runner: ProjectionRunner } | undefined,
    readonly mailboxes: Mailboxes,
    readonly log: Logger,
    /** Fork records and aliases (the HVSNVM_WORLDS stream). */
    readonly worlds: WorldRegistry,
  ) {
    this.cache = new ClientCache(options.cacheSizeMb);
  }

  static async open(options: HVSOptions = {}): Promise<HvsSession> {
    const parsed = HVSOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidArgumentError(`invalid HVS options: ${z.prettifyError(parsed.error)}`);
    const opts = parsed.data;
    if (opts.shards > 1 && opts.projection !== 'remote') {
      throw new InvalidArgumentError("shards: a sharded collection is read through its projector shards (projection: 'remote')");
    }
    if (opts.shard && opts.projection === 'remote') {
      throw new InvalidArgumentError("shard: only an in-process projection (projection: 'local') holds one shard");
    }
    const log = createLogger('hvs').child({ collection: opts.collection });
    const storagePath = resolve(opts.storagePath);
    const indexOptions = {
      dimension: opts.dimension,
      geometry: opts.geometry,
      M: opts.M,
      efConstruction: opts.efConstruction,
      ef: opts.ef,
      insertThreads: opts.insertThreads,
      quantization: opts.quantization,
      ...(opts.rescoreFactor === undefined ? {} : { rescoreFactor: opts.rescoreFactor }),
    };
    const snapshotDir = join(storagePath, 'projection', `${opts.collection}-${opts.geometry}-${opts.dimension}${shardSuffix(opts.shard)}`);
    // The live projection's snapshot is read and mapped while the connection and the stores open; it is checked
    // against the log's identity once that is known (see HVSProjection.load).
    let settleLog: { resolve: (log: LogIdentity) => void; reject: (err: unknown) => void } | undefined;
    const early =
      opts.asOf === undefined && opts.projection === 'local'
        ? HVSProjection.load(
            snapshotDir,
            indexOptions,
            opts.collection,
            new Promise<LogIdentity>((resolve, reject) => (settleLog = { resolve, reject })),
          )
        : undefined;
    // Awaited below, or dropped (after the log's rejection has disposed of it) when the open fails.
    early?.catch(() => undefined);
    let endpoint: NatsEndpoint;
    try {
      endpoint = await openNatsEndpoint({
        storagePath,
        ...connectionOptionsOf(opts),
        name: `hvs:${opts.collection}`,
        ...(opts.replicas ? { replicas: opts.replicas } : {}),
      });
    } catch (err) {
      settleLog?.reject(err);
      throw err;
    }
    try {
      // Parked events are reported once, by the projection runner below.
      const storeOptions = { replicas: endpoint.replicas, actor: opts.actor };
      const worlds = await WorldRegistry.open(endpoint.nc, { replicas: endpoint.replicas });
      // A fork reads its parent's log up to where it branched, then its own (see openWorldStore).
      const world = (key: 'hvs' | 'mail', names: typeof hvsNames) =>
        openWorldStore(endpoint.nc, worlds, 'hvs', key, names, opts.collection, storeOptions);
      let store = await world('hvs', hvsNames);
      let mailStore = await world('mail', mailNames);
      let view: HvsSession['view'];
      if (opts.asOf) {
        if (opts.projection === 'remote')
          throw new InvalidArgumentError("an as-of view needs the in-process projection (projection: 'local')");
        const at = await resolveAsOf(opts.asOf, { hvs: store, mail: mailStore });
        view = { live: [store, mailStore], time: at.time };
        store = await store.view(at.positions.hvs!);
        mailStore = await mailStore.view(at.positions.mail!);
      }
      await HvsSession.agreeOnCollection(store, opts);
      const mailboxes = new Mailboxes(mailStore, store, opts.actor, opts.maxMessageBytes, {
        ackWaitMs: opts.ackWaitMs,
        maxDeliveries: opts.maxDeliveries,
      });
      if (opts.projection === 'remote') {
        const session = new HvsSession(
          opts,
          endpoint,
          store,
          opts.shards > 1
            ? new ShardedReadModel(endpoint.nc, opts.collection, opts.shards)
            : new RemoteReadModel(endpoint.nc, opts.collection),
          undefined,
          mailboxes,
          log,
          worlds,
        );
        session.view = view;
        session.cache.followSubjects(endpoint.nc, store.names.prefix);
        return session;
      }
      // A snapshot belongs to one log: another server's, or a recreated stream, would hide new events behind its
      // position (and show vectors that log never had).
      const logIdentity = await store.identity();
      settleLog?.resolve(logIdentity);
      // A view starts from the nearest archived checkpoint at or before its point, never from (or over) the live one.
      const projection =
        (await early) ??
        (await HVSProjection.load(
          view ? (await nearestArchivedCheckpoint(snapshotDir, logIdentity.headPosition))?.path : snapshotDir,
          indexOptions,
          opts.collection,
          logIdentity,
        ));
      const shard = opts.shard;
      const owns = shard ? (id: string) => shardOf(id, shard.count) === shard.index : undefined;
      if (owns) projection.owns = owns;
      const vectorPrefix = streamIds.vector('');
      // The runner's callbacks need the session, which needs the runner: a late-bound reference.
      const ref: { session?: HvsSession } = {};
      const runner = new ProjectionRunner(store, projection, {
        fromCheckpoint: projection.position,
        checkpoints: !view,
        checkpointEveryEvents: opts.checkpointEveryEvents,
        checkpointEveryMs: opts.checkpointEveryMs,
        // 8 chunks of 32 inserts per build thread or more: each thread stays busy until the batch ends (2 threads:
        // the runner's 512; 16 cores: 3,840).
        maxBatch: Math.max(512, 256 * projection.index.insertThreads),
        onParked: (p) => {
          ref.session?.parked.push(p);
          log.warn({ parked: p }, 'parked an event the projection could not apply');
        },
        onApplied: (e) => ref.session?.cache.evict(e),
        onCheckpointError: (err) => log.error({ err }, 'projection checkpoint failed; the log still has everything'),
        // A shard passes over other shards' vectors without decoding them (the stream id is `vec.<id>`).
        ...(owns ? { skip: (streamId: string) => streamId.startsWith(vectorPrefix) && !owns(streamId.slice(vectorPrefix.length)) } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const session = (ref.session = new HvsSession(
        opts,
        endpoint,
        store,
        new LocalReadModel(projection, runner),
        { view: projection, runner },
        mailboxes,
        log,
        worlds,
      ));
      session.view = view;
      session.restoredFrom = projection.position;
      log.info({ fromPosition: projection.position, vectors: projection.size, asOf: store.upTo }, 'replaying the tail of the log');
      await runner.start();
      log.info({ position: runner.position, vectors: projection.size }, 'projection caught up');
      return session;
    } catch (err) {
      settleLog?.reject(err);
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
    if (store.upTo !== undefined) {
      // A view configures nothing: before the collection's first event it is simply empty.
      const first = await store.firstEvent(streamIds.collection, isConfiguration);
      const existing = first?.data as { dimension: number; geometry: string } | undefined;
      if (existing && (existing.dimension !== requested.dimension || existing.geometry !== requested.geometry)) {
        throw new CollectionMismatchError(opts.collection, existing, requested);
      }
      return;
    }
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

  assertOpen(): void {
    if (this.closed) throw new HVSClosedError();
  }

  /** Refuses a write (or a mailbox delivery, which moves its consumer) on an as-of view. */
  assertWritable(what: string): void {
    if (this.store.upTo !== undefined) throw new ReadOnlyViewError(what, this.store.upTo);
  }

  noteWrite(position: number): void {
    if (position > this.lastWrite) this.lastWrite = position;
  }

  /** Maps errors from below to HVS errors at the boundary; HVS errors pass through. */
  wrap(err: unknown): never {
    if (err instanceof HVSError || err instanceof ReadOnlyViewError) throw err;
    if (err instanceof EventStoreError) throw new HVSError(err.code, err.message, err.status, { cause: err });
    // NATS and JetStream client errors (timeouts, lost connection, missed heartbeats) are mapped, never leaked.
    if (isNatsError(err)) {
      throw new HVSError('NATS_UNAVAILABLE', `NATS: ${err.message}`, 503, { cause: err });
    }
    throw err;
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
    await step(() => this.cache.close());
    await step(() => this.local?.runner.stop());
    await step(() => this.store.close());
    for (const live of this.view?.live ?? []) await step(() => live.close());
    await step(() => this.worlds.close());
    await step(() => this.endpoint.close());
    // The graph's memory is native: free it now rather than whenever the GC finalises the index.
    await step(() => this.local?.view.index.dispose());
    this.log.info('closed');
    if (failures.length > 0) {
      this.log.error({ err: failures[0], failures: failures.length }, 'close: some steps failed');
      throw failures[0];
    }
  }
}
