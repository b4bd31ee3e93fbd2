// Public face of @hvs-nvm/nvm: the NVM client, block classes, the Block type and NVM's errors.
export {
  NVM,
  NVMOptionsSchema,
  type NVMOptions,
  type GetBlockOptions,
  type UpdateBlockOptions,
  type BlockUpdater,
  type BlockWriteReceipt,
  type ListBlocksOptions,
  type SemanticQueryOptions,
  type SemanticHit,
  type BlockHistoryEntry,
} from './nvm.js';
export {
  BlockClass,
  BlockSchema,
  SYSTEM_ACTOR,
  type Block,
  type BlockMetadata,
  type BlockPermissions,
} from './block.js';
export type { BlockContent, CreateBlockInput, CreateBlockOptions } from './input.js';
export { BlockReader, type BlockReaderOptions } from './block-reader.js';
export type { BlockReads } from './block-reads.js';
export { RemoteBlockReads } from './remote-block-reads.js';
export { serveBlockQueries } from './block-query-service.js';
export {
  NVMError,
  BlockNotFoundError,
  ReadOnlyBlockError,
  PermissionDeniedError,
  BlockExistsError,
  ConcurrencyError,
  InvalidBlockError,
  ContentTooLargeError,
  InvalidArgumentError,
  NVMClosedError,
  NVMUnavailableError,
  toNVMError,
} from './errors.js';
