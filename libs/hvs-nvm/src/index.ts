// Public face of @hvs-nvm/hvs-nvm: the integration of HVS and NVM, and the five patterns of the seed.
export { HVSNVMIntegration, type IntegrationOptions, type StoreOptions, type QueryResult, type QueryOptions } from './integration.js';
export type { QueryMode } from './memory/retrieval.js';
export {
  MemoryNotFoundError,
  InvalidCursorError,
  MemoryMetadataSchema,
  type Memory,
  type MemoryPage,
  type MemoryVersion,
  type ListMemoriesOptions,
  type UpdateMemoryOptions,
} from './memory/memories.js';
export { MemoryScopeSchema, ReadScopeSchema, SCOPE_KEYS, type MemoryScope, type ReadScope } from './memory/scope.js';
export { memoryTextSource, memoryBlockName, type MemoryTextFields } from './memory/memory-text.js';
export { reciprocalRankFusion, DEFAULT_RRF_K, type RankedList, type Fused } from './memory/fusion.js';
export { crossSimilarityReranker, type Reranker, type RerankCandidate, type CrossSimilarityOptions } from './memory/reranker.js';
export { DocumentStore, type StoredDocument, type FoundDocument } from './patterns/document-store.js';
export { ModelStatePersistence } from './patterns/model-state.js';
export { ModelCommunicationHub } from './patterns/communication-hub.js';
export {
  SharedKnowledgeBase,
  type Fact,
  type FactSubscription,
  type KnowledgeBaseOptions,
  type SubscribeOptions,
} from './patterns/knowledge-base.js';
export {
  SemanticCache,
  DEFAULT_SENTENCE_ENCODER_THRESHOLD,
  DEFAULT_THRESHOLD,
  type SemanticCacheOptions,
  type CacheEntry,
} from './patterns/semantic-cache.js';
export { changeFeed, ChangeFeedOptionsSchema, type ChangeFeedOptions, type FeedStores } from './feed/change-feed.js';
export { FeedStoreSchema, summarise, excerpt, type FeedEvent, type FeedStore } from './feed/feed-event.js';
export {
  AuditKindSchema,
  AuditSubjectNotFoundError,
  type AuditEntry,
  type AuditKind,
  type AuditOptions,
  type AuditTrail,
} from './audit/audit-trail.js';
export { SYSTEM_BLOCK_NAMES, SYSTEM_WRITES } from './patterns/system-block.js';
export {
  SourceInputSchema,
  SourceLinkSchema,
  SourceKindSchema,
  SourcesSchema,
  UnknownSourceError,
  type SourceInput,
  type SourceLink,
  type SourceKind,
} from './provenance/sources.js';
export { ProvenanceSubjectNotFoundError, type Provenance, type ProvenanceLink, type Derivative } from './provenance/provenance-index.js';
export { ReadOnlyViewError, parseAsOf, formatAsOf, type AsOf, type Cut } from '@hvs-nvm/eventstore';
export type { WorldFork, WorldForkOptions } from './history/world-fork.js';
export type { ReembedProgress, ReembedResult } from './history/reembed.js';
export { ForkExistsError, ForkNotFoundError, ForkHasChildrenError, type ForkRecord } from '@hvs-nvm/eventstore';
