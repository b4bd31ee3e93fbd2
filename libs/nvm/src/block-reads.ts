// The NVM read side behind one interface (as HVS's ReadModel): the block view in this process, or projector replicas.
import type { Block } from './block.js';
import type { BlockHistoryEntry, GetBlockOptions, ListBlocksOptions, SemanticHit, SemanticQueryOptions } from './types.js';

/**
 * Every read names the actor whose read permissions apply and takes `minPosition`: the answer reflects at least
 * that store position (read-your-writes).
 */
export interface BlockReads {
  getBlock(actor: string, id: string, options: GetBlockOptions, minPosition: number): Promise<Block>;
  getBlockByName(actor: string, name: string, minPosition: number): Promise<Block | null>;
  listBlocks(actor: string, options: ListBlocksOptions, minPosition: number): Promise<Block[]>;
  blockHistory(actor: string, id: string, minPosition: number): Promise<BlockHistoryEntry[]>;
  semanticQuery(actor: string, text: string, options: SemanticQueryOptions, minPosition: number): Promise<SemanticHit[]>;
  /** The position the answering view has applied. */
  position(): Promise<number>;
}
