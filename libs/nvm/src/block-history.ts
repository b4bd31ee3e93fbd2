// A block's versions read from the log (its own stream), not held by the block view: what history, `getBlock({
// version | asOf })` and as-of reads of one block fold from. The view keeps only each block's current state.
import { streamIds } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';
import { evolve } from './block-decider.js';
import type { BlockState } from './block.js';
import type { HistoryEntry, HistoryEventType } from './block-view.js';

const HISTORY_TYPES = new Set(['BlockCreated', 'BlockUpdated', 'BlockPatched', 'BlockDeleted', 'BlockExpired']);

/**
 * Every version of a block up to `upToPosition` (what the view has applied), oldest first, with the content and
 * metadata it had after each event: the block's stream folded as the view folds it.
 */
export async function readBlockHistory(store: EventStore, blockId: string, upToPosition: number): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  let state: BlockState | undefined;
  for (const event of await store.readStream(streamIds.block(blockId))) {
    if (event.position > upToPosition) break;
    if (!HISTORY_TYPES.has(event.type)) continue;
    if (state && event.revision >= 0 && event.revision < state.version) continue;
    const next = evolve(state, event);
    if (!next) continue;
    state = next;
    out.push({
      version: state.version,
      type: event.type as HistoryEventType,
      content: state.content,
      metadata: state.metadata,
      actor: event.metadata.actor,
      at: event.recordedAt.getTime(),
    });
  }
  return out;
}
