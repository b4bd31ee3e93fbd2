// The operations the HTTP routes, MCP tools and CLI share: validated input in, a lib call as the caller, JSON-safe output out.
// Over 400 lines on purpose: one class holds every operation so that the three front ends share one set of permission
// checks (assertActsAsItself, nvmFor, at); each method is a few lines that call the libs.
import type { z } from 'zod';
import type { HVS, ReceivedMessage, SearchResult, VectorRecord } from '@hvs-nvm/hvs';
import { createLogger } from '@hvs-nvm/runtime';
import { PermissionDeniedError, type Block, type NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import {
  crossSimilarityReranker,
  SemanticCache,
  SharedKnowledgeBase,
  SYSTEM_BLOCK_NAMES,
  type HVSNVMIntegration,
  type Memory,
  type MemoryScope,
  type MemoryVersion,
  type Reranker,
} from '@hvs-nvm/hvs-nvm';
import { assertActsAsItself, OPERATOR, type Caller } from './auth.js';
import { asOfParam, AsOfViews } from './as-of-views.js';
import { deleteFork, forkWorld, listForks, promoteFork } from './fork-api.js';
import { HttpError, validationError } from './problem.js';
import * as S from './schemas.js';
import * as C from './schemas-collections.js';
import { CollectionNotFoundError, DEFAULT_COLLECTION, type Collections } from './collections.js';
import { paginate } from './pagination.js';

export interface ApiDeps {
  integration: HVSNVMIntegration;
  hvs: HVS;
  nvm: NVM;
  encoder: Encoder;
  /** The server's collections (the vector routes under /v1/collections/{name}); without it only `default`, as `hvs`. */
  collections?: Collections;
  /** Lifetime of semantic-cache entries (default 3600). */
  cacheTtlSeconds?: number;
}

type In<T extends z.ZodType> = z.output<T>;

/** Validates what callers other than the HTTP router (the CLI) hand in, with the same schema as the HTTP body. */
function valid<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}

const log = createLogger('api');

function messageOut<M extends ReceivedMessage>(m: M): Omit<M, 'sentAt'> & { sentAt: string } {
  return { ...m, sentAt: m.sentAt.toISOString() };
}

function vectorOut(r: VectorRecord): z.input<typeof S.VectorOut> {
  return { id: r.id, vector: Array.from(r.data), metadata: r.metadata, createdAt: r.createdAt.toISOString() };
}

function memoryOut(m: Memory): z.input<typeof S.MemoryOut> {
  return { ...m, createdAt: m.createdAt.toISOString(), updatedAt: m.updatedAt.toISOString() };
}

function versionOut(v: MemoryVersion): z.input<typeof S.MemoryVersionOut> {
  return { ...v, at: v.at.toISOString() };
}

/**
 * The scope of a memory call. An agent's token decides its agentId (naming another is a 403), and its reads take the
 * shared memories too; the operator acting as an agent (X-HVS-Actor) defaults to it; userId and runId are the
 * caller's to give.
 */
export function scopeFor(caller: Caller, requested: MemoryScope, read = false): MemoryScope & { shared?: boolean } {
  if (caller.kind === 'agent' && requested.agentId !== undefined && requested.agentId !== caller.actor) {
    throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not use the memories of agent '${requested.agentId}'`);
  }
  const agentId = caller.kind === 'agent' ? caller.actor : (requested.agentId ?? caller.actor);
  return {
    ...(agentId !== undefined ? { agentId } : {}),
    ...(requested.userId !== undefined ? { userId: requested.userId } : {}),
    ...(requested.runId !== undefined ? { runId: requested.runId } : {}),
    // An agent reads its own memories and the shared ones (stored by the operator without an agentId).
    ...(read && caller.kind === 'agent' ? { shared: true } : {}),
  };
}

function hitOut(r: SearchResult, withVectors: boolean): z.input<typeof S.VectorHit> {
  return {
    id: r.vector.id,
    distance: r.distance,
    score: r.score,
    metadata: r.vector.metadata,
    ...(withVectors ? { vector: Array.from(r.vector.data) } : {}),
  };
}

export class Api {
  readonly kb: SharedKnowledgeBase;
  readonly cache: SemanticCache;
  private reranker?: Reranker;
  /** The as-of views opened for `?asOf=` reads (on the live Api only). */
  private views?: AsOfViews<Api>;

  constructor(readonly deps: ApiDeps) {
    this.kb = new SharedKnowledgeBase(deps.nvm, deps.hvs, deps.encoder);
    this.cache = new SemanticCache(deps.nvm, deps.hvs, { encoder: deps.encoder, ttlSeconds: deps.cacheTtlSeconds ?? 3600 });
  }

  /**
   * The Api over the world as it was at `asOf` (an ISO time or a cut, as `?asOf=` and MCP `as_of` take it), or this
   * one when there is none. Views are opened beside the live stores and kept for a few minutes.
   */
  async at(asOf: string | undefined): Promise<Api> {
    if (asOf === undefined) return this;
    const point = asOfParam(asOf);
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

  /** The NVM as the calling agent, when there is one; else the trusted local owner. */
  private nvmFor(caller: Caller): NVM {
    return caller.actor ? this.deps.nvm.as(caller.actor) : this.deps.nvm;
  }

  // ---- vectors (of a collection: `default` unless named) ----

  /** The collection the vector methods use when none is named: `default`, or the one inCollection() scoped to. */
  private scope = DEFAULT_COLLECTION;

  /** This Api with its vector methods on `collection` (for the routes under /v1/collections/{name}). */
  inCollection(collection: string): Api {
    const scoped = Object.create(this) as Api;
    scoped.scope = collection;
    return scoped;
  }

  /** The HVS of a collection: the server's registry, or without one `hvs` as `default`. */
  private vectorsOf(collection: string): Promise<HVS> {
    if (this.deps.collections) return this.deps.collections.hvs(collection);
    if (collection === DEFAULT_COLLECTION) return Promise.resolve(this.deps.hvs);
    return Promise.reject(new CollectionNotFoundError(collection));
  }

  async storeVector(body: In<typeof S.StoreVectorBody>, collection = this.scope): Promise<{ id: string }> {
    const hvs = await this.vectorsOf(collection);
    const id = await hvs.storeVector(body.vector, body.metadata, body.id ? { id: body.id } : {});
    return { id };
  }

  async batchStoreVectors(body: In<typeof S.BatchStoreVectorsBody>, collection = this.scope): Promise<{ ids: string[] }> {
    return { ids: await (await this.vectorsOf(collection)).batchStoreVectors(body.items) };
  }

  async getVector(id: string, collection = this.scope): Promise<z.input<typeof S.VectorOut>> {
    return vectorOut(await (await this.vectorsOf(collection)).retrieveVector(id));
  }

  async deleteVector(id: string, collection = this.scope): Promise<void> {
    const hvs = await this.vectorsOf(collection);
    if (!(await hvs.deleteVector(id))) throw new HttpError(404, 'VECTOR_NOT_FOUND', `vector '${id}' not found`);
  }

  async searchVectors(body: In<typeof S.SearchVectorsBody>, collection = this.scope): Promise<{ results: z.input<typeof S.VectorHit>[] }> {
    const results = await (
      await this.vectorsOf(collection)
    ).semanticSearch(body.vector, {
      k: body.k,
      ...(body.filter ? { filter: body.filter } : {}),
      ...(body.exact !== undefined ? { exact: body.exact } : {}),
      ...(body.ef !== undefined ? { ef: body.ef } : {}),
    });
    return { results: results.map((r) => hitOut(r, body.withVectors)) };
  }

  // ---- collections ----

  private registry(): Collections {
    if (!this.deps.collections) throw new HttpError(501, 'COLLECTIONS_UNAVAILABLE', 'this API was opened without a collection registry');
    return this.deps.collections;
  }

  /** Creating and deleting collections is the operator's: an agent's token does not reach other agents' data. */
  private assertOperator(caller: Caller, what: string): void {
    if (caller.kind !== 'operator') {
      throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not ${what} collections (the admin token may)`);
    }
  }

  async createCollection(input: z.input<typeof C.CreateCollectionBody>, caller: Caller = OPERATOR) {
    const body = valid(C.CreateCollectionBody, input, 'collection');
    this.assertOperator(caller, 'create');
    const { created, collection } = await this.registry().create(body);
    return { ...collection, created };
  }

  async listCollections() {
    return { collections: await this.registry().list() };
  }

  getCollection(name: string) {
    return this.registry().describe(name);
  }

  async deleteCollection(name: string, caller: Caller = OPERATOR): Promise<void> {
    this.assertOperator(caller, 'delete');
    await this.registry().delete(name);
  }

  // ---- memory ----

  /**
   * An agent may name as a source only a block it may read: otherwise a refusal (or not) would tell it the block
   * exists, and provenance would link it to what it cannot see.
   */
  private async assertMayReadSources(sources: In<typeof S.CacheSetBody>['sources'], caller: Caller): Promise<void> {
    if (!caller.actor || !sources) return;
    const reader = this.nvmFor(caller);
    for (const s of sources) {
      await reader.getBlock(typeof s === 'string' ? s : s.id).catch((err: unknown) => {
        if (err instanceof PermissionDeniedError) throw err;
      });
    }
  }

  async storeMemory(input: z.input<typeof S.StoreMemoryBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    const body = valid(S.StoreMemoryBody, input, 'memory');
    await this.assertMayReadSources(body.sources, caller);
    const id = await this.deps.integration.store(body.content, {
      ...scopeFor(caller, body),
      ...(body.metadata ? { metadata: body.metadata } : {}),
      ...(body.persist !== undefined ? { persist: body.persist } : {}),
      ...(body.sources ? { sources: body.sources } : {}),
    });
    return { id };
  }

  async searchMemory(
    input: z.input<typeof S.SearchMemoryBody>,
    caller: Caller = OPERATOR,
  ): Promise<{ results: z.input<typeof S.MemoryHit>[] }> {
    const body = valid(S.SearchMemoryBody, input, 'memory query');
    const results = await this.deps.integration.query(body.query, {
      k: body.k,
      ...scopeFor(caller, body, true),
      ...(body.mode ? { mode: body.mode } : {}),
      ...(body.filter ? { filter: body.filter } : {}),
      ...(body.includeBlocks ? { includeBlocks: true } : {}),
      ...(body.rerank ? { reranker: (this.reranker ??= crossSimilarityReranker(this.deps.encoder)) } : {}),
    });
    if (!caller.actor) return { results };
    // The integration searches as the local owner: hide the content of blocks this agent may not read.
    const reader = this.nvmFor(caller);
    const readable = await Promise.all(
      results.map((r) =>
        r.blockId
          ? reader.getBlock(r.blockId).then(
              () => true,
              () => false,
            )
          : true,
      ),
    );
    return { results: results.filter((_r, i) => readable[i]) };
  }

  async getMemory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
    return memoryOut(await this.deps.integration.get(id, scopeFor(caller, query, true)));
  }

  async listMemories(query: In<typeof S.ListMemoryQuery> = {}, caller: Caller = OPERATOR): Promise<z.input<typeof S.MemoryPageOut>> {
    const page = await this.deps.integration.list({
      ...scopeFor(caller, query, true),
      ...(query.filter ? { filter: query.filter } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    });
    return { memories: page.memories.map(memoryOut), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async updateMemory(
    id: string,
    input: z.input<typeof S.UpdateMemoryBody>,
    query: In<typeof S.MemoryScopeQuery> = {},
    caller: Caller = OPERATOR,
  ) {
    const body = valid(S.UpdateMemoryBody, input, 'memory update');
    const scope = scopeFor(caller, query);
    return memoryOut(
      await this.deps.integration.update(id, body.content, { ...scope, ...(body.metadata ? { metadata: body.metadata } : {}) }),
    );
  }

  async deleteMemory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR): Promise<void> {
    await this.deps.integration.delete(id, scopeFor(caller, query));
  }

  async memoryHistory(id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
    return { versions: (await this.deps.integration.history(id, scopeFor(caller, query, true))).map(versionOut) };
  }

  // ---- blocks ----

  /**
   * Creates a block as the caller. An agent's block is its own unless it says otherwise: a permission list it leaves
   * out is `[agent]` (not open). The names of the system blocks are not for agents.
   */
  createBlock(body: In<typeof S.CreateBlockBody>, caller: Caller = OPERATOR) {
    if (!caller.actor) return this.deps.nvm.createBlock(body);
    if (SYSTEM_BLOCK_NAMES.has(body.name)) {
      throw new HttpError(
        403,
        'RESERVED_BLOCK_NAME',
        `'${body.name}' is the name of a system block; agent '${caller.actor}' may not create it`,
      );
    }
    const own = [caller.actor];
    const permissions = { read: body.permissions?.read ?? own, write: body.permissions?.write ?? own };
    return this.nvmFor(caller).createBlock({ ...body, permissions });
  }

  async getBlock(id: string, query: In<typeof S.GetBlockQuery> = {}, caller: Caller = OPERATOR): Promise<Block> {
    // A time asks the block's own history (as before); a cut asks the world as it was.
    const point = query.asOf !== undefined ? asOfParam(query.asOf) : undefined;
    if (point && !(point instanceof Date)) {
      const { asOf, ...rest } = query;
      return (await this.at(asOf)).getBlock(id, rest, caller);
    }
    return this.nvmFor(caller).getBlock(id, {
      ...(query.version !== undefined ? { version: query.version } : {}),
      ...(point ? { asOf: point } : {}),
    });
  }

  async getBlockByName(name: string, caller: Caller = OPERATOR) {
    const block = await this.nvmFor(caller).getBlockByName(name);
    if (!block) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block named '${name}'`);
    return block;
  }

  updateBlock(id: string, body: In<typeof S.UpdateBlockBody>, caller: Caller = OPERATOR) {
    return this.nvmFor(caller).updateBlock(
      id,
      body.content,
      body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {},
    );
  }

  patchBlock(id: string, patch: In<typeof S.PatchBlockBody>, expectedVersion: number | undefined, caller: Caller = OPERATOR) {
    return this.nvmFor(caller).patchBlock(id, patch, expectedVersion !== undefined ? { expectedVersion } : {});
  }

  async deleteBlock(id: string, caller: Caller = OPERATOR): Promise<void> {
    await this.nvmFor(caller).deleteBlock(id);
  }

  blockHistory(id: string, caller: Caller = OPERATOR) {
    return this.nvmFor(caller).blockHistory(id);
  }

  /** Every block the caller may read, by name and/or class (the CLI; HTTP and MCP take pages: listBlocksPage). */
  async listBlocks(query: In<typeof S.ListBlocksQuery>, caller: Caller = OPERATOR): Promise<Awaited<ReturnType<NVM['listBlocks']>>> {
    if (query.asOf !== undefined) {
      const { asOf, ...rest } = query;
      return (await this.at(asOf)).listBlocks(rest, caller);
    }
    const blocks = await this.nvmFor(caller).listBlocks(query.class ? { blockClass: query.class } : {});
    return query.name === undefined ? blocks : blocks.filter((b) => b.name === query.name);
  }

  /** A page of the blocks the caller may read, in creation order (`nextCursor` when more follow). */
  async listBlocksPage(query: In<typeof S.ListBlocksQuery>, caller: Caller = OPERATOR) {
    const blocks = await this.listBlocks(query, caller);
    return paginate(blocks, { ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.limit ? { limit: query.limit } : {}) });
  }

  // ---- messages ----

  async sendMessage(input: z.input<typeof S.SendMessageBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    const body = valid(S.SendMessageBody, input, 'message');
    assertActsAsItself(caller, body.from, 'send messages as');
    return { id: await this.deps.hvs.sendMessage(body.from, body.to, body.body) };
  }

  /**
   * Takes a mailbox's pending messages. Given `sent` (whether the response reached the caller), they are
   * acknowledged only once the response has been written out in full, and given back at once if it never is; with
   * `ack: 'explicit'` each carries an ackToken instead, and comes back after the ack wait unless acknowledged
   * (ackMessages). Without `sent` (the CLI, which prints at once), as the library's receiveMessages.
   */
  async receiveMessages(
    modelId: string,
    query: Partial<In<typeof S.ReceiveMessagesQuery>> = {},
    caller: Caller = OPERATOR,
    sent?: Promise<boolean>,
  ): Promise<z.input<typeof S.ReceivedMessagesOut>> {
    assertActsAsItself(caller, modelId, 'read the mailbox of');
    const { ack = 'auto', asOf, ...options } = query;
    if (asOf !== undefined) return (await this.at(asOf)).receiveMessages(modelId, options, caller);
    // A view's mailbox is its history up to the view's point: nothing to acknowledge.
    if ((!sent && ack === 'auto') || this.deps.hvs.readOnly) {
      const messages = await this.deps.hvs.receiveMessages(modelId, options);
      return { messages: messages.map(messageOut) };
    }
    const batch = await this.deps.hvs.fetchMessages(modelId, options);
    const settle = async (reached: boolean) => {
      if (!reached) batch.nak();
      else if (ack === 'explicit') batch.release();
      else await batch.ack();
    };
    // An ack lost here (NATS down) only means the messages come again after the ack wait: at least once.
    void (sent ?? Promise.resolve(true))
      .then(settle)
      .catch((err: unknown) => log.warn({ err, modelId }, 'acknowledging handed-out mail failed'));
    if (ack === 'explicit') return { messages: batch.messages.map(messageOut), ackWaitMs: batch.ackWaitMs };
    return { messages: batch.messages.map(({ ackToken: _token, ...m }) => messageOut(m)) };
  }

  /** Acknowledges messages taken with `ack: 'explicit'`, by their tokens. */
  async ackMessages(modelId: string, input: z.input<typeof S.AckMessagesBody>, caller: Caller = OPERATOR): Promise<{ acked: number }> {
    const body = valid(S.AckMessagesBody, input, 'ack');
    assertActsAsItself(caller, modelId, 'acknowledge the mail of');
    return { acked: await this.deps.hvs.ackMessages(modelId, body.tokens) };
  }

  // ---- facts and cache ----

  async addFact(input: z.input<typeof S.AddFactBody>, caller: Caller = OPERATOR) {
    const body = valid(S.AddFactBody, input, 'fact');
    await this.assertMayReadSources(body.sources, caller);
    return this.kb.addFact(body.subject, body.predicate, body.object, body.source, body.sources ? { sources: body.sources } : {});
  }

  async queryFacts(input: z.input<typeof S.QueryFactsBody>) {
    const body = valid(S.QueryFactsBody, input, 'fact query');
    return { facts: await this.kb.queryFacts(body.query, body.k) };
  }

  async cacheGet(body: In<typeof S.CacheGetBody>): Promise<{ hit: boolean; value: unknown }> {
    const value = await this.cache.get(body.query, body.threshold !== undefined ? { threshold: body.threshold } : {});
    return { hit: value !== null, value };
  }

  async cacheSet(body: In<typeof S.CacheSetBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
    await this.assertMayReadSources(body.sources, caller);
    return { id: await this.cache.set(body.key, body.value, body.sources ? { sources: body.sources } : {}) };
  }

  // ---- provenance ----

  /** The audit trail of one thing; `memory` is a stored content (its vector and its block). */
  async audit(kind: z.output<typeof S.AuditKind>, id: string, caller: Caller = OPERATOR) {
    const actor = caller.actor ? { actor: caller.actor } : {};
    const entries = await this.deps.integration.audit(id, kind === 'memory' ? { ...actor, kind: 'vector' } : { ...actor, kind });
    return { kind, id, entries };
  }

  /** What a memory, fact, cache entry, block or vector was computed from, and what was computed from it. */
  provenance(id: string, caller: Caller = OPERATOR) {
    return this.deps.integration.provenance(id, caller.actor ? { actor: caller.actor } : {});
  }

  /** Stops what the Api follows (the cache's invalidation projection); the stores are the caller's to close. */
  async close(): Promise<void> {
    await this.views?.close();
    await this.cache.close();
  }

  // ---- operations ----

  /**
   * `ok`, or `degraded` (HTTP 503) while a write could not be acknowledged (NATS down, JetStream not answering).
   * Only the operator sees where NATS is: an agent holding a token has no business connecting to it.
   */
  async health(caller: Caller = OPERATOR) {
    const s = this.deps.hvs.stats();
    const probes = await Promise.all([this.deps.hvs.probe(), this.deps.nvm.eventStore.probe()]);
    const failed = probes.find((p) => !p.ok);
    return {
      status: failed ? ('degraded' as const) : ('ok' as const),
      ...(failed && !failed.ok ? { reason: failed.reason } : {}),
      position: s.position,
      embedded: s.embedded,
      durability: s.durability,
      ...(caller.kind === 'operator' ? { natsUrl: s.natsUrl } : {}),
    };
  }

  /** Counts only what `caller` may read: the number of blocks would otherwise tell an agent others' blocks exist. */
  async stats(caller: Caller = OPERATOR) {
    const { natsUrl, ...hvsStats } = this.deps.hvs.stats();
    return {
      // As in health(): where NATS is, is for the operator.
      hvs: {
        ...hvsStats,
        ...(caller.kind === 'operator' ? { natsUrl } : {}),
        dimension: this.deps.hvs.dimension,
        geometry: this.deps.hvs.geometry,
        cache: this.deps.hvs.cacheStats(),
      },
      nvm: { position: this.deps.nvm.position, restoredFrom: this.deps.nvm.restoredFromPosition },
      encoder: { name: this.deps.encoder.name, dimension: this.deps.encoder.dimension },
      blocks: (await this.nvmFor(caller).listBlocks()).length,
    };
  }
}
