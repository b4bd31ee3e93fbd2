// TTL expiry of cache blocks: records BlockExpired for a block past its TTL (once, whoever notices first) and frees
// its name; a sweep of the local block view finds such blocks even when nobody reads them.
import { streamIds } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, type BlockState } from './block.js';
import { decide } from './block-decider.js';
import { handleCommand } from './command-handler.js';
import type { NameCommand } from './name-decider.js';
import type { WriteState } from './write-state.js';

export interface ExpiryDeps {
  store: EventStore;
  state: WriteState;
  /** Epoch ms now (the client's clock; tests move it instead of sleeping). */
  clock: () => number;
  isClosed(): boolean;
  track(work: () => Promise<unknown>, what: string): void;
  afterWrite(position: number): Promise<void>;
  nameCommand(command: NameCommand, actor: string): Promise<number>;
}

export class Expiry {
  private readonly expiring = new Set<string>();
  private sweep?: NodeJS.Timeout;

  constructor(private readonly deps: ExpiryDeps) {}

  /** Appends BlockExpired for a block past its TTL (idempotent: racing clients decide nothing) and frees its name. */
  scheduleExpiry(blockId: string): void {
    if (this.deps.isClosed() || this.expiring.has(blockId)) return;
    this.expiring.add(blockId);
    this.deps.track(async () => {
      try {
        const result = await handleCommand<BlockState | undefined>({
          store: this.deps.store,
          streamId: streamIds.block(blockId),
          actor: SYSTEM_ACTOR,
          load: () => this.deps.state.loadBlock(blockId),
          decide: (state) => decide({ type: 'ExpireBlock', blockId, nowMs: this.deps.clock() }, state),
          retryOnConflict: true,
          conflictError: (err) => err,
        });
        if (!result.position || !result.state) return;
        await this.deps.afterWrite(result.position);
        await this.deps.nameCommand({ type: 'ReleaseName', name: result.state.name, blockId }, SYSTEM_ACTOR);
      } finally {
        this.expiring.delete(blockId);
      }
    }, `expiring block ${blockId}`);
  }

  /** Every `everyMs`, schedules the expiry of each block `dueForExpiry` names. */
  startSweep(dueForExpiry: (nowMs: number) => Iterable<string>, everyMs: number): void {
    this.sweep = setInterval(() => this.sweepExpired(dueForExpiry), everyMs);
    this.sweep.unref();
  }

  private sweepExpired(dueForExpiry: (nowMs: number) => Iterable<string>): void {
    if (this.deps.isClosed()) return;
    for (const id of dueForExpiry(this.deps.clock())) this.scheduleExpiry(id);
  }

  stop(): void {
    clearInterval(this.sweep);
  }
}
