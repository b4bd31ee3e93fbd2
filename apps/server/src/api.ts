// The operations the HTTP routes, MCP tools and CLI share: validated input in, a lib call as the caller, JSON-safe
// output out. One class is the surface, so that the three front ends share one set of permission checks (nvmFor,
// blockNvm, at); each method hands over to its area's file: api-vectors, api-memory, api-blocks, api-mail,
// api-knowledge, api-operations, api-namespaces, fork-api.
import type { z } from 'zod';
import type { HVS } from '@hvs-nvm/hvs';
import type { Block, NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { SemanticCache, SharedKnowledgeBase, type HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { OPERATOR, type Caller } from './auth.js';
import { asOfParam, AsOfViews } from './as-of-views.js';
import { deleteFork, forkWorld, listForks, promoteFork } from './fork-api.js';
import type { In } from './api-input.js';
import * as vectors from './api-vectors.js';
import * as memory from './api-memory.js';
import * as blocks from './api-blocks.js';
import * as mail from './api-mail.js';
import * as knowledge from './api-knowledge.js';
import * as operations from './api-operations.js';
import * as namespaces from './api-namespaces.js';
import type * as S from './schemas.js';
import type * as C from './schemas-collections.js';
import type * as N from './schemas-namespaces.js';
import { DEFAULT_COLLECTION, type Collections } from './collections.js';
import { DEFAULT_NAMESPACE, NamespaceNotFoundError, type Namespaces } from './namespaces.js';

export { scopeFor } from './api-memory.js';

export interface ApiDeps {
  integration: HVSNVMIntegration;
  hvs: HVS;
  nvm: NVM;
  encoder: Encoder;
  /** The server's collections (the vector routes under /v1/collections/{name}); without it only `default`, as `hvs`. */
  collections?: Collections;
  /** The server's NVM namespaces (the block routes under /v1/namespaces/{name}); without it only `default`, as `nvm`. */
  namespaces?: Namespaces;
  /** Lifetime of semantic-cache entries (default 3600). */
  cacheTtlSeconds?: number;
}

export class Api {
  readonly kb: SharedKnowledgeBase;
  readonly cache: SemanticCache;
  /** The as-of views opened for `?asOf=` reads (on the live Api only). */
  private views?: AsOfViews<Api>;
  /** The collection the vector methods use when none is named: `default`, or the one inCollection() scoped to. */
  private scope = DEFAULT_COLLECTION;
  /** The namespace the block methods use: `default`, or the one inNamespace() scoped to. */
  private namespace = DEFAULT_NAMESPACE;
  /** On an as-of view of a namespace other than `default` (at() of an inNamespace() Api): that view. */
  private namespaceView?: NVM;

  constructor(readonly deps: ApiDeps) {
    this.kb = new SharedKnowledgeBase(deps.nvm, deps.hvs, deps.encoder);
    this.cache = new SemanticCache(deps.nvm, deps.hvs, { encoder: deps.encoder, ttlSeconds: deps.cacheTtlSeconds ?? 3600 });
  }

  /**
   * The Api over the world as it was at `asOf` (an ISO time or a cut, as `?asOf=` and MCP `as_of` take it), or this
   * one when there is none. Views are opened beside the live stores and kept for a few minutes. Scoped to a namespace
   * other than `default`, the view is that namespace's (a cut's `nvm` is a position in its own log).
   */
  async at(asOf: string | undefined): Promise<Api> {
    if (asOf === undefined) return this;
    const point = asOfParam(asOf);
    if (this.namespace !== DEFAULT_NAMESPACE) {
      if (!this.deps.namespaces) throw new NamespaceNotFoundError(this.namespace);
      const scoped = Object.create(this) as Api;
      scoped.namespaceView = await this.deps.namespaces.viewAt(this.namespace, point);
      return scoped;
    }
    const { encoder, cacheTtlSeconds } = this.deps;
    this.views ??= new AsOfViews(this.deps.integration, (view) => {
      const deps = { integration: view, hvs: view.hvs, nvm: view.nvm, encoder };
      return new Api(cacheTtlSeconds !== undefined ? { ...deps, cacheTtlSeconds } : deps);
    });
    return this.views.at(point);
  }

  /** Where the world stands now: `{ hvs, mail, nvm }` positions, for `?asOf=` later. */
  cut(): Promise<{ hvs: number; mail: number; nvm: number }> {
    return this.deps.integration.cut();
  }

  // ---- forks ----

  fork(body: In<typeof S.ForkBody>, caller: Caller = OPERATOR) {
    return forkWorld(this.deps.integration, this.deps.encoder, body, caller);
  }

  forks() {
    return listForks(this.deps.integration);
  }

  deleteFork(name: string, caller: Caller = OPERATOR) {
    return deleteFork(this.deps.integration, name, caller);
  }

  promoteFork(name: string, alias: string | undefined, caller: Caller = OPERATOR) {
    return promoteFork(this.deps.integration, name, alias, caller);
  }

  /** The default namespace's NVM as the calling agent, when there is one; else the trusted local owner. */
  nvmFor(caller: Caller): NVM {
    return caller.actor ? this.deps.nvm.as(caller.actor) : this.deps.nvm;
  }

  /** The NVM of this Api's namespace as the caller (404 for a namespace the registry does not have). */
  async blockNvm(caller: Caller): Promise<NVM> {
    if (this.namespace === DEFAULT_NAMESPACE) return this.nvmFor(caller);
    let nvm = this.namespaceView;
    if (!nvm) {
      if (!this.deps.namespaces) throw new NamespaceNotFoundError(this.namespace);
      nvm = await this.deps.namespaces.nvm(this.namespace);
    }
    return caller.actor ? nvm.as(caller.actor) : nvm;
  }

  // ---- vectors (of a collection: `default` unless named) ----

  /** This Api with its vector methods on `collection` (for the routes under /v1/collections/{name}). */
  inCollection(collection: string): Api {
    const scoped = Object.create(this) as Api;
    scoped.scope = collection;
    return scoped;
  }

  storeVector(body: In<typeof S.StoreVectorBody>, collection = this.scope): Promise<{ id: string }> {
    return vectors.storeVector(this, body, collection);
  }

  batchStoreVectors(body: In<typeof S.BatchStoreVectorsBody>, collection = this.scope): Promise<{ ids: string[] }> {
    return vectors.batchStoreVectors(this, body, collection);
  }

  getVector(id: string, collection = this.scope): Promise<z.input<typeof S.VectorOut>> {
    return vectors.getVector(this, id, collection);
  }

  deleteVector(id: string, collection = this.scope): Promise<void> {
    return vectors.deleteVector(this, id, collection);
  }

  searchVectors(body: In<typeof S.SearchVectorsBody>, collection = this.scope): Promise<{ results: z.input<typeof S.VectorHit>[] }> {
    return vectors.searchVectors(this, body, collection);
  }

  // ---- collections ----

  createCollection(input: z.input<typeof C.CreateCollectionBody>, caller: Caller = OPERATOR) {
    return vectors.createCollection(this, input, caller);
  }

  listCollections() {
    return vectors.listCollections(this);
  }

  getCollection(name: string) {
    return vectors.getCollection(this, name);
  }

  deleteCollection(name: string, caller: Caller = OPERATOR): Promise<void> {
    return vectors.deleteCollection(this, name, caller);
  }

  // ---- memory ----

  storeMemory(input: z.input<typeof S.StoreMemoryBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    return memory.storeMemory(this, input, caller);
  }

  searchMemory(input: z.input<typeof S.SearchMemoryBody>, caller: Caller = OPERATOR): Promise<{ results: z.input<typeof S.MemoryHit>[] }> {
    return memory.searchMemory(this, input, caller);
  }

  getMemory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
    return memory.getMemory(this, id, query, caller);
  }

  listMemories(query: In<typeof S.ListMemoryQuery> = {}, caller: Caller = OPERATOR): Promise<z.input<typeof S.MemoryPageOut>> {
    return memory.listMemories(this, query, caller);
  }

  updateMemory(
    id: string,
    input: z.input<typeof S.UpdateMemoryBody>,
    query: In<typeof S.MemoryScopeQuery> = {},
    caller: Caller = OPERATOR,
  ) {
    return memory.updateMemory(this, id, input, query, caller);
  }

  deleteMemory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR): Promise<void> {
    return memory.deleteMemory(this, id, query, caller);
  }

  memoryHistory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
    return memory.memoryHistory(this, id, query, caller);
  }

  // ---- blocks (of a namespace: `default` unless named) ----

  /** This Api with its block methods on `namespace` (for the routes under /v1/namespaces/{name}). */
  inNamespace(namespace: string): Api {
    const scoped = Object.create(this) as Api;
    scoped.namespace = namespace;
    scoped.namespaceView = undefined;
    return scoped;
  }

  /** Creates a block as the caller (an agent's is its own unless it says otherwise; system block names are refused). */
  createBlock(body: In<typeof S.CreateBlockBody>, caller: Caller = OPERATOR): Promise<Block> {
    return blocks.createBlock(this, body, caller);
  }

  getBlock(id: string, query: In<typeof S.GetBlockQuery> = {}, caller: Caller = OPERATOR): Promise<Block> {
    return blocks.getBlock(this, id, query, caller);
  }

  getBlockByName(name: string, caller: Caller = OPERATOR): Promise<Block> {
    return blocks.getBlockByName(this, name, caller);
  }

  updateBlock(id: string, body: In<typeof S.UpdateBlockBody>, caller: Caller = OPERATOR) {
    return blocks.updateBlock(this, id, body, caller);
  }

  patchBlock(
    id: string,
    patch: In<typeof S.PatchBlockBody>,
    expectedVersion: number | undefined,
    caller: Caller = OPERATOR,
  ): Promise<Block> {
    return blocks.patchBlock(this, id, patch, expectedVersion, caller);
  }

  deleteBlock(id: string, caller: Caller = OPERATOR): Promise<void> {
    return blocks.deleteBlock(this, id, caller);
  }

  blockHistory(id: string, caller: Caller = OPERATOR) {
    return blocks.blockHistory(this, id, caller);
  }

  /** Every block the caller may read, by name and/or class (the CLI; HTTP and MCP take pages: listBlocksPage). */
  listBlocks(query: In<typeof S.ListBlocksQuery>, caller: Caller = OPERATOR): Promise<Awaited<ReturnType<NVM['listBlocks']>>> {
    return blocks.listBlocks(this, query, caller);
  }

  /** A page of the blocks the caller may read, in creation order (`nextCursor` when more follow). */
  listBlocksPage(query: In<typeof S.ListBlocksQuery>, caller: Caller = OPERATOR) {
    return blocks.listBlocksPage(this, query, caller);
  }

  // ---- namespaces ----

  createNamespace(input: z.input<typeof N.CreateNamespaceBody>, caller: Caller = OPERATOR) {
    return namespaces.createNamespace(this, input, caller);
  }

  listNamespaces(caller: Caller = OPERATOR) {
    return namespaces.listNamespaces(this, caller);
  }

  getNamespace(name: string, caller: Caller = OPERATOR) {
    return namespaces.getNamespace(this, name, caller);
  }

  deleteNamespace(name: string, caller: Caller = OPERATOR): Promise<void> {
    return namespaces.deleteNamespace(this, name, caller);
  }

  // ---- messages ----

  sendMessage(input: z.input<typeof S.SendMessageBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    return mail.sendMessage(this, input, caller);
  }

  /**
   * Takes a mailbox's pending messages. Given `sent` (whether the response reached the caller), they are
   * acknowledged only once the response has been written out in full, and given back at once if it never is; with
   * `ack: 'explicit'` each carries an ackToken instead, and comes back after the ack wait unless acknowledged
   * (ackMessages). Without `sent` (the CLI, which prints at once), as the library's receiveMessages.
   */
  receiveMessages(
    modelId: string,
    query: Partial<In<typeof S.ReceiveMessagesQuery>> = {},
    caller: Caller = OPERATOR,
    sent?: Promise<boolean>,
  ): Promise<z.input<typeof S.ReceivedMessagesOut>> {
    return mail.receiveMessages(this, modelId, query, caller, sent);
  }

  /** Acknowledges messages taken with `ack: 'explicit'`, by their tokens. */
  ackMessages(modelId: string, input: z.input<typeof S.AckMessagesBody>, caller: Caller = OPERATOR): Promise<{ acked: number }> {
    return mail.ackMessages(this, modelId, input, caller);
  }

  // ---- facts and cache ----

  addFact(input: z.input<typeof S.AddFactBody>, caller: Caller = OPERATOR) {
    return knowledge.addFact(this, input, caller);
  }

  queryFacts(input: z.input<typeof S.QueryFactsBody>) {
    return knowledge.queryFacts(this, input);
  }

  cacheGet(body: In<typeof S.CacheGetBody>): Promise<{ hit: boolean; value: unknown }> {
    return knowledge.cacheGet(this, body);
  }

  cacheSet(body: In<typeof S.CacheSetBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    return knowledge.cacheSet(this, body, caller);
  }

  // ---- provenance ----

  /** The audit trail of one thing; `memory` is a stored content (its vector and its block). */
  audit(kind: z.output<typeof S.AuditKind>, id: string, caller: Caller = OPERATOR) {
    return operations.audit(this, kind, id, caller);
  }

  /** What a memory, fact, cache entry, block or vector was computed from, and what was computed from it. */
  provenance(id: string, caller: Caller = OPERATOR) {
    return operations.provenance(this, id, caller);
  }

  /** Stops what the Api follows (the cache's invalidation projection); the stores are the caller's to close. */
  async close(): Promise<void> {
    await this.views?.close();
    await this.cache.close();
  }

  // ---- operations ----

  /** `ok`, or `degraded` (HTTP 503) while a write could not be acknowledged; where NATS is, for the operator only. */
  health(caller: Caller = OPERATOR) {
    return operations.health(this, caller);
  }

  /** Counts only what `caller` may read: the number of blocks would otherwise tell an agent others' blocks exist. */
  stats(caller: Caller = OPERATOR) {
    return operations.stats(this, caller);
  }
}
