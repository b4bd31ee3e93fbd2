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
  MAX_TTL_SECONDS,
  canRead,
  type Block,
  type BlockMetadata,
  type BlockPermissions,
} from './block.js';
export type { BlockContent, CreateBlockInput, CreateBlockOptions } from './input.js';
export { BlockReader, serveBlockQueries, type BlockReaderOptions } from './remote.js';
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
