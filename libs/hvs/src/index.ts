// Public face of @hvs-nvm/hvs: the vector store client, its errors, geometry helpers, filters and the index.
export {
  HVS,
  HVSOptionsSchema,
  type HVSOptions,
  type Metadata,
  type VectorRecord,
  type SearchResult,
  type SearchOptions,
  type BatchItem,
} from './hvs.js';
export * from './errors.js';
export {
  ModelConnection,
  type ReceivedMessage,
  type DeliveredMessage,
  type FetchedMessage,
  type FetchedBatch,
  type ReceiveOptions,
  type ReplayOptions,
} from './mailbox.js';
export { RESERVED_METADATA_KEY } from './reserved-metadata.js';
export type { ModelPresence } from './projection.js';
export type { CacheStats } from './cache.js';
export * from './geometry.js';
export { compileFilter, MAX_FILTER_DEPTH, type Filter } from './filter.js';
export { jsonShapeProblem, MAX_INPUT_JSON_DEPTH as MAX_JSON_DEPTH, FORBIDDEN_JSON_KEYS, type JsonShapeProblem } from '@hvs-nvm/events';
export { VectorIndex, type VectorIndexOptions } from '@hvs-nvm/vector-index';
export { ReadOnlyViewError, type AsOf, type Cut } from '@hvs-nvm/eventstore';
export { shardOf, parseShard, shardDelivery, MAX_SHARDS, type Shard, type ShardDelivery } from './shards.js';
