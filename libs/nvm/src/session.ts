// What every view of one NVM shares: the connection, the store, the read side and the state the write side decides
// on, the in-process projection (when there is one), background work, and the highest position this process wrote.
import { join, resolve } from 'node:path';
import { encodeEventData, nvmNames } from '@hvs-nvm/events';
import {
  EventStore,
  connectionOptionsOf,
  openNatsEndpoint,
  openWorldStore,
  ProjectionRunner,
  resolveAsOf,
  WorldRegistry,
  type NatsEndpoint,
  type ParkedMessage,
} from '@hvs-nvm/eventstore';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import { archiveRootOf, nearestArchivedCheckpoint } from '@hvs-nvm/files';
import type { Service } from '@nats-io/services';
import { createLogger, type Logger } from '@hvs-nvm/runtime';
import type { BlockReads } from './block-reads.js';
import { BlockView } from './block-view.js';
import { EmbeddingQueue } from './embedding-queue.js';
import { ContentTooLargeError, InvalidArgumentError, NVMClosedError, toNVMError } from './errors.js';
import { Expiry } from './expiry.js';
import { LocalBlockReads } from './local-block-reads.js';
import { NameClaims } from './name-claims.js';
import type { ResolvedOptions } from './options.js';
import { RemoteBlockReads } from './remote-block-reads.js';
import { StreamWriteState, ViewWriteState, type WriteState } from './write-state.js';

/** Room for NATS headers next to an event's payload. */
const HEADER_ALLOWANCE_BYTES = 2048;

/** The block view in this process, with what keeps it current. */
export interface LocalProjection {
  view: BlockView;
  runner: ProjectionRunner;
  embeddings: EmbeddingQueue;
  reads: LocalBlockReads;
  encoder: Encoder;
  /** Position of the checkpoint the view started from (0: it replayed the whole log). */
  restoredFrom: number;
}

export class NvmSession {
  closed = false;
  /** Highest position this process has written: reads wait for the projection to reach it. */
  lastWrite = 0;
  /** A position reads must reflect besides this process's writes (sync and waitForPosition of a remote client). */
  readFloor = 0;
  private readonly background = new Set<Promise<unknown>>();
  /** The block-view query service, when this process serves one (apps/projector). */
  service?: Service;
  readonly names: NameClaims;
  readonly expiry: Expiry;
  readonly clock: () => number;
  /** Where reads are answered; set by open (the local reads need the session's expiry). */
  reads!: BlockReads;
  /** The in-process projection, when this client has one. */
  local?: LocalProjection;
  /** An as-of view: the live store the view reads through (closed with it), and the moment it shows. */
  view?: { live: EventStore; time: Date };

  constructor(
    readonly options: ResolvedOptions,
    readonly endpoint: NatsEndpoint,
    readonly store: EventStore,
    readonly state: WriteState,
    readonly log: Logger,
  ) {
    this.clock = options.clock ?? Date.now;
    this.names = new NameClaims({
      store,
      state,
      clock: this.clock,
      afterWrite: (position) => this.afterWrite(position),
      onExpiredHolder: (blockId) => this.expiry.scheduleExpiry(blockId),
    });
    this.expiry = new Expiry({
      store,
      state,
      clock: this.clock,
      isClosed: () => this.closed,
      track: (work, what) => this.track(work, what),
      afterWrite: (position) => this.afterWrite(position),
      nameCommand: (command, actor) => this.names.run(command, actor),
    });
  }

  /** Connects (or starts the embedded server), loads the block view's checkpoint, and replays the tail of the log. */
  static async open(opts: ResolvedOptions): Promise<NvmSession> {
    const log = createLogger('nvm').child({ namespace: opts.namespace });
    const storagePath = resolve(opts.storagePath);
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
      const worlds = await WorldRegistry.open(endpoint.nc, { replicas: endpoint.replicas });
      // A fork reads its parent's log up to where it branched, then its own (see openWorldStore).
      let store: EventStore;
      try {
        store = await openWorldStore(endpoint.nc, worlds, 'nvm', 'nvm', nvmNames, opts.namespace, {
          replicas: endpoint.replicas,
          actor: opts.actor,
        });
      } finally {
        await worlds.close();
      }
      let view: NvmSession['view'];
      if (opts.asOf) {
        if (opts.projection === 'remote')
          throw new InvalidArgumentError("an as-of view needs the in-process projection (projection: 'local')");
        const at = await resolveAsOf(opts.asOf, { nvm: store });
        view = { live: store, time: at.time };
        store = await store.view(at.positions.nvm!);
        // TTLs are judged at the view's moment: a cache block that was live then reads as live.
        opts = { ...opts, clock: opts.clock ?? (() => at.time.getTime()) };
      }
      if (opts.projection === 'remote') {
        const session = new NvmSession(opts, endpoint, store, new StreamWriteState(store), log);
        session.view = view;
        session.reads = new RemoteBlockReads(endpoint.nc, opts.namespace, opts.queryTimeoutMs);
        return session;
      }
      const encoder = opts.encoder ?? (await defaultEncoder());
      const liveDir = join(storagePath, 'projection', `nvm-${opts.namespace}`);
      // A view starts from the nearest archived checkpoint at or before its point, never from (or over) the live one.
      const dir = view ? ((await nearestArchivedCheckpoint(liveDir, store.upTo!))?.path ?? join(archiveRootOf(liveDir), 'none')) : liveDir;
      const blockView = await BlockView.load(
        dir,
        opts.namespace,
        encoder,
        (message, detail) => log.warn({ detail }, message),
        await store.identity(),
      );
      const runner = new ProjectionRunner(store, blockView, {
        fromCheckpoint: blockView.position,
        checkpoints: !view,
        checkpointEveryEvents: opts.checkpointEveryEvents,
        checkpointEveryMs: opts.checkpointEveryMs,
        // Invalid or foreign messages and events the view cannot apply: logged and skipped, never fatal.
        onParked: (p: ParkedMessage) => log.warn({ parked: p }, 'parked an event the block view could not apply'),
        onCheckpointError: (err) => log.error({ err }, 'block view checkpoint failed; the log still has everything'),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const state = new ViewWriteState(store, runner, blockView);
      const session = new NvmSession(opts, endpoint, store, state, log);
      const embeddings = new EmbeddingQueue(
        blockView,
        encoder,
        log,
        () => session.closed,
        (work, what) => session.track(work, what),
      );
      const reads = new LocalBlockReads({
        view: blockView,
        store,
        runner,
        embeddings,
        encoder,
        catchUp: (streamId) => state.catchUp(streamId),
        clock: session.clock,
        onDueForExpiry: (blockId) => session.expiry.scheduleExpiry(blockId),
      });
      session.local = { view: blockView, runner, embeddings, reads, encoder, restoredFrom: blockView.position };
      session.reads = reads;
      log.info({ fromPosition: blockView.position, blocks: blockView.blocks.size }, 'replaying the tail of the log');
      await runner.start();
      embeddings.start();
      session.view = view;
      // A view records no expiries (it writes nothing); its clock judges TTLs at its moment instead.
      if (!view) session.expiry.startSweep((nowMs) => blockView.dueForExpiry(nowMs), opts.expirySweepMs);
      return session;
    } catch (err) {
      await endpoint.close().catch(() => undefined);
      throw toNVMError(err);
    }
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

  /** The position every read of this client must reflect: its own writes, and what sync() reached. */
  get minReadPosition(): number {
    return Math.max(this.lastWrite, this.readFloor);
  }

  async afterWrite(position: number): Promise<void> {
    if (position > this.lastWrite) this.lastWrite = position;
    await this.state.reflect(position);
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
    this.expiry.stop();
    await this.service?.stop().catch(() => undefined);
    await Promise.allSettled([...this.background]);
    try {
      await this.local?.runner.stop();
    } finally {
      await this.store.close();
      await this.view?.live.close();
      await this.endpoint.close();
    }
  }
}
