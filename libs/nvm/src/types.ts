// The options and results of NVM's calls (reads and writes), shared by the client, its read sides and the query service.
import type { Block, BlockClass, BlockMetadata } from './block.js';
import type { HistoryEventType } from './block-view.js';
import type { BlockContent } from './input.js';

export interface GetBlockOptions {
  /** A past version (1 = as created). */
  version?: number;
  /** The block as it was at this moment. */
  asOf?: Date;
}

export interface UpdateBlockOptions {
  /** Refuse with ConcurrencyError unless the block is at exactly this version. */
  expectedVersion?: number;
  /** Replaces the block's metadata. */
  metadata?: BlockMetadata;
}

export interface PatchBlockOptions {
  /** Refuse with ConcurrencyError unless the block is at exactly this version. */
  expectedVersion?: number;
}

/**
 * What updateBlock gives an actor who may write a block but not read it: the id and the version written, and none
 * of what the block holds (its fields are absent, so `result.content !== undefined` tells a Block from a receipt).
 */
export type BlockWriteReceipt = Pick<Block, 'id' | 'version' | 'updatedAt'> & {
  [K in Exclude<keyof Block, 'id' | 'version' | 'updatedAt'>]?: never;
};

/** Computes new content from the current block; re-run on fresh state when another writer got in first. */
export type BlockUpdater = (current: Block) => BlockContent | Promise<BlockContent>;

export interface ListBlocksOptions {
  blockClass?: BlockClass;
  /** Metadata equality (`{ key: value }`, values compared as JSON) or a predicate. */
  filter?: Record<string, unknown> | ((block: Block) => boolean);
}

export interface SemanticQueryOptions {
  k?: number;
  blockClass?: BlockClass;
}

export interface SemanticHit {
  block: Block;
  /** Cosine similarity of the query and the block's content. */
  score: number;
}

export interface BlockHistoryEntry {
  version: number;
  type: HistoryEventType;
  content: string;
  metadata: BlockMetadata;
  actor: string;
  at: Date;
}
