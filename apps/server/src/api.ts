// The operations the HTTP routes and MCP tools share: validated input in, a lib call, JSON-safe output out.
import type { z } from 'zod';
import type { HVS, SearchResult, VectorRecord } from '@hvs-nvm/hvs';
import type { NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { SemanticCache, SharedKnowledgeBase, type HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { HttpError } from './problem.js';
import type * as S from './schemas.js';

export interface ApiDeps {
  integration: HVSNVMIntegration;
  hvs: HVS;
  nvm: NVM;
  encoder: Encoder;
  /** Lifetime of semantic-cache entries (default 3600). */
  cacheTtlSeconds?: number;
}

type In<T extends z.ZodType> = z.output<T>;

function vectorOut(r: VectorRecord): z.input<typeof S.VectorOut> {
  return { id: r.id, vector: Array.from(r.data), metadata: r.metadata, createdAt: r.createdAt.toISOString() };
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

  constructor(readonly deps: ApiDeps) {
    this.kb = new SharedKnowledgeBase(deps.nvm, deps.hvs, deps.encoder);
    this.cache = new SemanticCache(deps.nvm, deps.hvs, { encoder: deps.encoder, ttlSeconds: deps.cacheTtlSeconds ?? 3600 });
  }

  /** The NVM as the calling agent, when it named one; else the trusted local owner. */
  private nvmFor(actor?: string): NVM {
    return actor ? this.deps.nvm.as(actor) : this.deps.nvm;
  }

  // ---- vectors ----

  async storeVector(body: In<typeof S.StoreVectorBody>): Promise<{ id: string }> {
    const id = await this.deps.hvs.storeVector(body.vector, body.metadata, body.id ? { id: body.id } : {});
    return { id };
  }

  async batchStoreVectors(body: In<typeof S.BatchStoreVectorsBody>): Promise<{ ids: string[] }> {
    return { ids: await this.deps.hvs.batchStoreVectors(body.items) };
  }

  async getVector(id: string): Promise<z.input<typeof S.VectorOut>> {
    return vectorOut(await this.deps.hvs.retrieveVector(id));
  }

  async deleteVector(id: string): Promise<void> {
    if (!(await this.deps.hvs.deleteVector(id))) throw new HttpError(404, 'VECTOR_NOT_FOUND', `vector '${id}' not found`);
  }

  async searchVectors(body: In<typeof S.SearchVectorsBody>): Promise<{ results: z.input<typeof S.VectorHit>[] }> {
    const results = await this.deps.hvs.semanticSearch(body.vector, {
      k: body.k,
      ...(body.filter ? { filter: body.filter } : {}),
      ...(body.exact !== undefined ? { exact: body.exact } : {}),
      ...(body.ef !== undefined ? { ef: body.ef } : {}),
    });
    return { results: results.map((r) => hitOut(r, body.withVectors)) };
  }

  // ---- memory ----

  async storeMemory(body: { content: string; metadata?: Record<string, unknown>; persist?: boolean }): Promise<{ id: string }> {
    const id = await this.deps.integration.store(body.content, {
      ...(body.metadata ? { metadata: body.metadata } : {}),
      ...(body.persist !== undefined ? { persist: body.persist } : {}),
    });
    return { id };
  }

  async searchMemory(body: { query: string; k?: number }): Promise<{ results: z.input<typeof S.MemoryHit>[] }> {
    const results = await this.deps.integration.query(body.query, body.k !== undefined ? { k: body.k } : {});
    return { results };
  }

  // ---- blocks ----

  createBlock(body: In<typeof S.CreateBlockBody>, actor?: string) {
    return this.nvmFor(actor).createBlock(body);
  }

  getBlock(id: string, query: In<typeof S.GetBlockQuery> = {}, actor?: string) {
    return this.nvmFor(actor).getBlock(id, {
      ...(query.version !== undefined ? { version: query.version } : {}),
      ...(query.asOf !== undefined ? { asOf: new Date(query.asOf) } : {}),
    });
  }

  async getBlockByName(name: string, actor?: string) {
    const block = await this.nvmFor(actor).getBlockByName(name);
    if (!block) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block named '${name}'`);
    return block;
  }

  updateBlock(id: string, body: In<typeof S.UpdateBlockBody>, actor?: string) {
    return this.nvmFor(actor).updateBlock(id, body.content, body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {});
  }

  async deleteBlock(id: string, actor?: string): Promise<void> {
    await this.nvmFor(actor).deleteBlock(id);
  }

  blockHistory(id: string, actor?: string) {
    return this.nvmFor(actor).blockHistory(id);
  }

  async listBlocks(query: In<typeof S.ListBlocksQuery>, actor?: string) {
    const blocks = await this.nvmFor(actor).listBlocks(query.class ? { blockClass: query.class } : {});
    return query.name === undefined ? blocks : blocks.filter((b) => b.name === query.name);
  }

  // ---- messages ----

  async sendMessage(body: { from: string; to: string; body: unknown }): Promise<{ id: string }> {
    return { id: await this.deps.hvs.sendMessage(body.from, body.to, body.body) };
  }

  async receiveMessages(modelId: string, query: In<typeof S.ReceiveMessagesQuery> = {}) {
    const messages = await this.deps.hvs.receiveMessages(modelId, query);
    return { messages: messages.map((m) => ({ ...m, sentAt: m.sentAt.toISOString() })) };
  }

  // ---- facts and cache ----

  addFact(body: In<typeof S.AddFactBody>) {
    return this.kb.addFact(body.subject, body.predicate, body.object, body.source);
  }

  async queryFacts(body: { query: string; k?: number }) {
    return { facts: await this.kb.queryFacts(body.query, body.k ?? 10) };
  }

  async cacheGet(body: In<typeof S.CacheGetBody>): Promise<{ hit: boolean; value: unknown }> {
    const value = await this.cache.get(body.query, body.threshold !== undefined ? { threshold: body.threshold } : {});
    return { hit: value !== null, value };
  }

  async cacheSet(body: In<typeof S.CacheSetBody>): Promise<{ id: string }> {
    return { id: await this.cache.set(body.key, body.value) };
  }

  // ---- operations ----

  health() {
    const s = this.deps.hvs.stats();
    return { status: 'ok' as const, position: s.position, natsUrl: s.natsUrl, embedded: s.embedded };
  }

  async stats() {
    return {
      hvs: { ...this.deps.hvs.stats(), dimension: this.deps.hvs.dimension, geometry: this.deps.hvs.geometry, cache: this.deps.hvs.cacheStats() },
      nvm: { position: this.deps.nvm.position, restoredFrom: this.deps.nvm.restoredFromPosition },
      encoder: { name: this.deps.encoder.name, dimension: this.deps.encoder.dimension },
      blocks: (await this.deps.nvm.listBlocks()).length,
    };
  }
}
