// Unique block names: claims and releases run as commands on each name's own stream, deciding on fresh state.
import { streamIds } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';
import { isDueForExpiry, isReadable, type BlockState } from './block.js';
import { handleCommand } from './command-handler.js';
import { decideName, type HolderStatus, type NameCommand, type NameState } from './name-decider.js';
import type { WriteState } from './write-state.js';

export interface NameClaimsDeps {
  store: EventStore;
  state: WriteState;
  /** Epoch ms now (the client's clock). */
  clock: () => number;
  afterWrite(position: number): Promise<void>;
  /** A holder past its TTL with no BlockExpired yet: record its expiry. */
  onExpiredHolder(blockId: string): void;
}

export class NameClaims {
  constructor(private readonly deps: NameClaimsDeps) {}

  /** Runs a name command (claim or release) on the name's own stream. */
  async run(command: NameCommand, actor: string): Promise<number> {
    const streamId = streamIds.blockName(command.name);
    let holder: BlockState | undefined;
    const result = await handleCommand<NameState>({
      store: this.deps.store,
      streamId,
      actor,
      load: async () => {
        const loaded = await this.deps.state.loadName(command.name);
        holder = loaded.holder;
        return { state: loaded.state, revision: loaded.revision };
      },
      decide: (state) =>
        decideName(
          command.type === 'ClaimName' ? { ...command, holderStatus: this.holderStatus(state, holder), nowMs: this.deps.clock() } : command,
          state,
        ),
      retryOnConflict: true,
      conflictError: (err) => err,
    });
    if (result.position) await this.deps.afterWrite(result.position);
    return result.position;
  }

  private holderStatus(state: NameState, holder: BlockState | undefined): HolderStatus {
    if (!state.holder) return 'unknown';
    if (!holder) return 'unknown';
    const nowMs = this.deps.clock();
    if (isReadable(holder, nowMs)) return 'live';
    if (isDueForExpiry(holder, nowMs)) this.deps.onExpiredHolder(holder.id);
    return 'gone';
  }
}
