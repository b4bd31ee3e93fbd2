// Runs a projection: catch-up subscription from its checkpoint, applying events in order, snapshotting, and
// answering "has position N been applied yet?" for read-your-writes.
import type { EventType } from '@hvs-nvm/events';
import type { LogIdentity } from './event-store-types.js';
import type { ParkedMessage, RecordedEvent } from './recorded.js';
import type { EventStorePort, EventSubscription } from './port.js';
import { EventStoreError } from './errors.js';

/** A read model: a pure-ish reducer over events plus a way to persist itself. */
export interface Projection {
  readonly name: string;
  /** Apply one event. Must not throw for a valid event; a throw parks the event and the runner goes on. */
  apply(event: RecordedEvent): void;
  /**
   * Apply consecutive events at once (a catch-up or a burst arrives in batches): free to do the work off the JS
   * thread. Resolves with the events it could not apply, which the runner parks; reads of the view may run
   * meanwhile and see a prefix of the batch. Rejecting means none of them was applied (the runner then applies
   * them one by one). Without it, `apply` is called for each.
   */
  applyBatch?(events: readonly RecordedEvent[]): Promise<{ event: RecordedEvent; reason: string }[]>;
  /** Persist the view together with the position it reflects (the runner applies nothing meanwhile). */
  checkpoint?(position: number): Promise<void>;
  /**
   * Called when the view has caught up with the head after applying a burst of events (a replay, a large batch):
   * the moment to hand back memory the burst needed only briefly.
   */
  idle?(): void;
}

/** Events applied since the last caught-up moment before `idle` is called again. */
const IDLE_AFTER_EVENTS = 1000;
/** Most events handed to one applyBatch, unless the options say otherwise. */
const MAX_BATCH = 512;

export interface ProjectionRunnerOptions {
  /** Position already reflected by the loaded snapshot (0: none). */
  fromCheckpoint?: number;
  /** Only these event types are applied (others just advance the position). */
  types?: readonly EventType[];
  /** Checkpoint after this many applied events (when idle) … */
  checkpointEveryEvents?: number;
  /** … or this long after the last checkpoint when something changed. */
  checkpointEveryMs?: number;
  onParked?: (parked: ParkedMessage) => void;
  /** Called after each event is applied (e.g. to evict a client cache). */
  onApplied?: (event: RecordedEvent) => void;
  /** A failed checkpoint does not stop the projection (the log still has everything); it is reported here. */
  onCheckpointError?: (err: Error) => void;
  /** Called whenever the view's position moves (once per batch during a catch-up): for progress displays. */
  onProgress?: (position: number) => void;
  /**
   * Most events handed to one applyBatch while catching up (default 512): a projection that applies a batch on N
   * threads wants about N times as many, so that every thread has work until the batch ends.
   */
  maxBatch?: number;
  /** False: never checkpoint (an as-of view is built from an archived checkpoint and must not write over it). */
  checkpoints?: boolean;
  /** Streams whose events the view never applies (a shard's view of other shards' vectors): not even decoded. */
  skip?: (streamId: string) => boolean;
}

/**
 * Whether a checkpoint may be restored against `log`: it was taken of this very stream (not another server's, nor
 * one deleted and created again) and not past its head. Anything else would hide new events behind its position.
 */
export function checkpointFitsLog(checkpoint: { position: number; logCreated?: string }, log: LogIdentity): boolean {
  return (checkpoint.logCreated ?? '') === log.created && checkpoint.position <= log.headPosition;
}

export class ProjectionTimeoutError extends EventStoreError {
  constructor(name: string, position: number, applied: number, timeoutMs: number) {
    super(
      'PROJECTION_TIMEOUT',
      `projection '${name}' made no progress towards position ${position} for ${timeoutMs} ms (stuck at ${applied})`,
      504,
    );
  }
}

export class ProjectionRunner {
  /** Last position reflected by the view (applied, skipped or parked). */
  position: number;
  private checkpointed: number;
  private lastCheckpointAt = Date.now();
  private sub?: EventSubscription;
  private loop?: Promise<void>;
  private waiters: { position: number; resolve: () => void }[] = [];
  private failure?: Error;
  /** Set while a checkpoint is being written; applying waits for it so the snapshot is consistent. */
  private checkpointing?: Promise<void>;
  private appliedSinceIdle = 0;
  /** Set while a batch is being applied; a checkpoint waits for it. */
  private applying?: Promise<{ event: RecordedEvent; reason: string }[] | undefined>;
  /** Events gathered for the next batch, and the position it reaches once applied. */
  private gathered: RecordedEvent[] = [];
  private gatheredUpTo = 0;
  /** Batches cut and not yet applied; they apply in order along `flushChain`. */
  private flushesInFlight = 0;
  private flushChain: Promise<void> = Promise.resolve();
  readonly parked: ParkedMessage[] = [];

  constructor(
    private readonly store: EventStorePort,
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.position = options.fromCheckpoint ?? 0;
    this.checkpointed = this.position;
  }

  /** Starts consuming; resolves once the view has caught up with the store's head as of now. */
  async start(): Promise<void> {
    // The whole store, unfiltered: every position passes through here, so "applied up to N" is exact.
    const sub = this.store.subscribeToAll({
      fromPosition: this.position + 1,
      onProgress: (position) => this.progress(position),
      onParked: (parked) => this.park(parked),
      ...(this.options.skip ? { skip: this.options.skip } : {}),
    });
    this.sub = sub;
    this.loop = this.run(sub);
    await this.sync();
  }

  private park(parked: ParkedMessage): void {
    this.parked.push(parked);
    if (this.parked.length > 1000) this.parked.shift();
    this.options.onParked?.(parked);
  }

  private async run(sub: EventSubscription): Promise<void> {
    const idle = setInterval(() => this.checkpointInBackground(), this.options.checkpointEveryMs ?? 30_000);
    idle.unref();
    try {
      for await (const event of sub) {
        if (!this.options.types || this.options.types.includes(event.type)) this.gathered.push(event);
        this.gatheredUpTo = Math.max(this.gatheredUpTo, event.position);
        if (sub.pending > 0) {
          // More are stored after this one (and mostly already fetched): gather them into one batch.
          if (this.gathered.length < (this.options.maxBatch ?? MAX_BATCH)) continue;
          // Catching up: decode and gather the next batch while this one applies (off the JS thread, for HVS);
          // at most one more batch waits behind the one applying.
          const before = this.flushChain;
          this.flush().catch((err: unknown) => this.fail(err as Error));
          if (this.flushesInFlight > 1) await before;
          if (this.failure) break;
          continue;
        }
        // At the head: apply what is gathered, then checkpoint and hand back memory if a burst just ended.
        await this.flush();
        this.checkpointInBackground();
        if (this.appliedSinceIdle >= IDLE_AFTER_EVENTS) {
          this.appliedSinceIdle = 0;
          this.projection.idle?.();
        }
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      clearInterval(idle);
    }
  }

  /**
   * The subscription is done with a message (delivered, skipped or parked): reached now, or, while events before it
   * wait in a batch, once that batch is applied. When nothing more is stored after it, the batch is applied now:
   * no event may come to cut it (the last messages may all be parked).
   */
  private progress(position: number): void {
    if (this.gathered.length === 0 && this.flushesInFlight === 0) return this.advance(position);
    this.gatheredUpTo = Math.max(this.gatheredUpTo, position);
    if (this.sub && this.sub.pending === 0) {
      this.flush().catch((err: unknown) => this.fail(err as Error));
    }
  }

  /** Cuts the gathered batch and applies it after those cut before it. */
  private flush(): Promise<void> {
    const batch = this.gathered;
    const upTo = this.gatheredUpTo;
    this.gathered = [];
    this.flushesInFlight++;
    const applied = this.flushChain.then(() => this.applyBatch(batch, upTo)).finally(() => this.flushesInFlight--);
    this.flushChain = applied.catch(() => undefined);
    return applied;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /**
   * Applies a batch and advances to `upTo` in the same synchronous stretch as the view's last change, so that a
   * checkpoint (which waits for `applying`) never sees the view ahead of `position`.
   */
  private async applyBatch(batch: RecordedEvent[], upTo: number): Promise<void> {
    // A failed checkpoint is reported by maybeCheckpoint; applying goes on (the log still has everything).
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    const { projection } = this;
    let failed: { event: RecordedEvent; reason: string }[] | undefined;
    if (projection.applyBatch && batch.length > 0) {
      // Set in the same synchronous stretch as the check above: a checkpoint never starts while a batch applies.
      this.applying = projection.applyBatch(batch);
      // A batch that fails as a whole has applied none of its events (a projection's contract): then they are
      // applied one by one below, so that only those that fail are parked.
      failed = await this.applying.catch(() => undefined);
      this.applying = undefined;
    }
    if (failed) {
      const bad = new Set(failed.map((f) => f.event));
      for (const f of failed) {
        this.park({ position: f.event.position, subject: f.event.streamId, reason: `apply failed: ${f.reason}` });
      }
      for (const event of batch) {
        if (bad.has(event)) continue;
        this.appliedSinceIdle++;
        this.options.onApplied?.(event);
      }
    } else {
      for (const event of batch) this.applyOne(event);
    }
    // Advance before checkpointing, so readers waiting for these events are not held up by the write and the
    // checkpoint records the events it includes.
    this.advance(upTo);
  }

  private applyOne(event: RecordedEvent): void {
    try {
      this.projection.apply(event);
      this.appliedSinceIdle++;
      this.options.onApplied?.(event);
    } catch (err) {
      const reason = `apply failed: ${(err as Error).message}`;
      this.park({ position: event.position, subject: event.streamId, reason });
    }
  }

  private advance(position: number): void {
    if (position <= this.position) return;
    this.position = position;
    this.options.onProgress?.(position);
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.position <= position) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private checkpointInBackground(): void {
    this.maybeCheckpoint(false).catch((err: unknown) => this.options.onCheckpointError?.(err as Error));
  }

  private async maybeCheckpoint(force: boolean): Promise<void> {
    if (!this.projection.checkpoint || this.options.checkpoints === false) return;
    if (this.checkpointing) {
      // One checkpoint at a time (they share files); a forced one waits, then writes what came since.
      if (!force) return this.checkpointing;
      await this.checkpointing.catch(() => undefined);
    }
    if (this.position === this.checkpointed) return;
    const due =
      force ||
      this.position - this.checkpointed >= (this.options.checkpointEveryEvents ?? 10_000) ||
      Date.now() - this.lastCheckpointAt >= (this.options.checkpointEveryMs ?? 30_000);
    if (!due) return;
    if (this.checkpointing) return this.checkpointing;
    const write = async () => {
      // `checkpointing` (set as soon as this first waits) holds back batches not yet started (a long catch-up would
      // otherwise never leave a gap); the one being applied has changed the view beyond `position`: wait for it.
      while (this.applying) await this.applying.catch(() => undefined);
      const at = this.position;
      if (at === this.checkpointed) return;
      this.checkpointed = at;
      this.lastCheckpointAt = Date.now();
      await this.projection.checkpoint!(at);
    };
    this.checkpointing = write().finally(() => (this.checkpointing = undefined));
    await this.checkpointing;
  }

  /**
   * Resolves once every position up to `position` is reflected in the view (read-your-writes). Rejects only when
   * the view makes no progress for `timeoutMs`: a long replay that keeps moving is waited for.
   */
  waitFor(position: number, timeoutMs = 30_000): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (position <= this.position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let seen = this.position;
      const arm = (): NodeJS.Timeout =>
        setTimeout(() => {
          if (this.position > seen) {
            seen = this.position;
            waiter.timer = arm();
            return;
          }
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new ProjectionTimeoutError(this.projection.name, position, this.position, timeoutMs));
        }, timeoutMs);
      const waiter = {
        position,
        timer: undefined as NodeJS.Timeout | undefined,
        resolve: () => {
          clearTimeout(waiter.timer);
          if (this.failure) reject(this.failure);
          else resolve();
        },
      };
      waiter.timer = arm();
      this.waiters.push(waiter);
    });
  }

  /** The head of the log the view follows. */
  headPosition(): Promise<number> {
    return this.store.headPosition();
  }

  /** Waits until the view reflects the store's head as of this call. */
  async sync(timeoutMs = 30_000): Promise<void> {
    await this.waitFor(await this.store.headPosition(), timeoutMs);
  }

  /** Stops consuming and writes a final checkpoint. */
  /** Writes a checkpoint of everything applied so far, after any checkpoint already under way. */
  checkpointNow(): Promise<void> {
    return this.maybeCheckpoint(true);
  }

  /** Stops consuming and writes a last checkpoint; resolves only when no checkpoint is still writing. */
  async stop(): Promise<void> {
    await this.sub?.stop();
    await this.loop;
    await this.maybeCheckpoint(true);
  }
}
