// Public face of @hvs-nvm/nvm: the NVM client, block classes, the Block type and NVM's errors.
export { NVM } from './nvm.js';
export { NVMOptionsSchema, type NVMOptions } from './options.js';
export type {
  GetBlockOptions,
  UpdateBlockOptions,
  PatchBlockOptions,
  BlockUpdater,
  BlockWriteReceipt,
  ListBlocksOptions,
  SemanticQueryOptions,
  SemanticHit,
  BlockHistoryEntry,
} from './types.js';
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
export { applyBlockPatch, patchedContent, validPatch, type BlockPatch } from './block-patch.js';
export { BlockReader, type BlockReaderOptions } from './block-reader.js';
export type { BlockReads } from './block-reads.js';
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
  InvalidPatchError,
  PatchNotApplicableError,
  PatchTestFailedError,
  BlockNotJsonError,
  toNVMError,
} from './errors.js';
export { ReadOnlyViewError, type AsOf, type Cut } from '@hvs-nvm/eventstore';
