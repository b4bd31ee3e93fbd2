// Which events of the log an agent may see in a feed or an audit: the same rules as its reads.
import type { EventStore, RecordedEvent } from '@hvs-nvm/eventstore';
import { streamIds } from '@hvs-nvm/events';
import { canRead, SYSTEM_ACTOR, type BlockPermissions } from '@hvs-nvm/nvm';
import type { FeedStore } from './feed-event.js';

/** Blocks whose permissions a feed remembers (they are fixed by BlockCreated, so a cached answer never goes stale). */
const MAX_REMEMBERED_BLOCKS = 10_000;

/**
 * The visibility rules, for one viewer. The trusted owner (`system`, the operator) sees everything. An agent sees:
 * vectors and presence (vectors carry no permissions); mail it sent or that is addressed to it; blocks (and their
 * name claims) it may read, judged by the block's permissions, which its BlockCreated event fixes for its whole
 * life, so a deleted block's history stays visible to exactly those who could read it; facts (the shared knowledge
 * base is readable by all). Cache entries are the system's.
 */
export class Visibility {
  private readonly blockPermissions = new Map<string, BlockPermissions | null>();

  constructor(
    private readonly nvmStore: EventStore,
    /** The viewer; undefined or `system` is the trusted owner. */
    private readonly actor: string | undefined,
  ) {}

  get unrestricted(): boolean {
    return this.actor === undefined || this.actor === SYSTEM_ACTOR;
  }

  async visible(store: FeedStore, event: RecordedEvent): Promise<boolean> {
    const actor = this.actor;
    if (actor === undefined || actor === SYSTEM_ACTOR) return true;
    switch (event.type) {
      case 'MessageSent':
        return event.data.to === actor || event.data.from === actor;
      case 'MessageAcked':
        return event.data.modelId === actor;
      case 'MessageDeadLettered':
        return event.data.to === actor;
      case 'BlockCreated':
        this.remember(event.data.blockId, event.data.permissions);
        return canRead({ permissions: event.data.permissions }, actor);
      case 'BlockUpdated':
      case 'BlockPatched':
      case 'BlockDeleted':
      case 'BlockExpired':
      case 'BlockNameClaimed':
      case 'BlockNameReleased': {
        const permissions = await this.permissionsOf(event.data.blockId);
        return permissions !== null && canRead({ permissions }, actor);
      }
      case 'CacheEntrySet':
        return false;
      default:
        // Vectors, presence, the collection's configuration and facts.
        return store !== 'mail';
    }
  }

  private remember(blockId: string, permissions: BlockPermissions | null): void {
    if (this.blockPermissions.size >= MAX_REMEMBERED_BLOCKS) {
      this.blockPermissions.delete(this.blockPermissions.keys().next().value!);
    }
    this.blockPermissions.set(blockId, permissions);
  }

  /** The permissions a block was created with (null: no such block in the log). */
  private async permissionsOf(blockId: string): Promise<BlockPermissions | null> {
    const known = this.blockPermissions.get(blockId);
    if (known !== undefined) return known;
    // One message read: the block's first event, not its whole history.
    const first = await this.nvmStore.firstEvent(streamIds.block(blockId));
    const permissions = first?.type === 'BlockCreated' ? first.data.permissions : null;
    this.remember(blockId, permissions);
    return permissions;
  }
}
