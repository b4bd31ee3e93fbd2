// The name decider: unique block names, claimed and released on each name's own stream.
import type { EventData } from '@hvs-nvm/events';
import type { AnyNewEvent, RecordedEvent } from '@hvs-nvm/eventstore';
import { BlockExistsError } from './errors.js';

export interface NameState {
  name: string;
  /** Block currently holding the name; undefined when free. */
  holder?: string;
  /** Revision of the name's stream (-1: no stream yet). */
  revision: number;
  /** Epoch ms of the current claim. */
  claimedAt?: number;
}

/**
 * What the claimant knows about the current holder: `live` (readable), `gone` (deleted or expired), or `unknown`
 * (no block stream yet: its creator may still be between claiming and creating, or may have crashed there).
 */
export type HolderStatus = 'live' | 'gone' | 'unknown';

export type NameCommand =
  | { type: 'ClaimName'; name: string; blockId: string; holderStatus: HolderStatus; nowMs: number }
  | { type: 'ReleaseName'; name: string; blockId: string };

/** How long a claim without a block is honoured before the name counts as abandoned. */
export const ORPHAN_CLAIM_GRACE_MS = 30_000;

export const emptyName = (name: string): NameState => ({ name, revision: -1 });

export function decideName(command: NameCommand, state: NameState): AnyNewEvent[] {
  switch (command.type) {
    case 'ClaimName': {
      if (state.holder === command.blockId) return [];
      if (state.holder !== undefined) {
        const orphaned =
          command.holderStatus === 'gone' ||
          (command.holderStatus === 'unknown' && command.nowMs - (state.claimedAt ?? 0) >= ORPHAN_CLAIM_GRACE_MS);
        if (!orphaned) throw new BlockExistsError(command.name, state.holder);
      }
      return [{ type: 'BlockNameClaimed', data: { name: command.name, blockId: command.blockId } }];
    }
    case 'ReleaseName':
      // Only the holder releases; a name already taken over by a newer block stays with it.
      if (state.holder !== command.blockId) return [];
      return [{ type: 'BlockNameReleased', data: { name: command.name, blockId: command.blockId } }];
  }
}

export function evolveName(state: NameState, event: Pick<RecordedEvent, 'type' | 'data' | 'revision' | 'recordedAt'>): NameState {
  switch (event.type) {
    case 'BlockNameClaimed': {
      const d = event.data as EventData<'BlockNameClaimed'>;
      return {
        name: d.name,
        holder: d.blockId,
        revision: event.revision,
        claimedAt: event.recordedAt.getTime(),
      };
    }
    case 'BlockNameReleased':
      return { name: state.name, revision: event.revision };
    default:
      return state;
  }
}
