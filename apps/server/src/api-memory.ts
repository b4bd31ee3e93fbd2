// The Api's memory: text stored through the integration (a vector and a block), scoped to the caller, and the
// provenance check its sources share with facts and the cache.
import type { z } from 'zod';
import { PermissionDeniedError } from '@hvs-nvm/nvm';
import { crossSimilarityReranker, type Memory, type MemoryScope, type MemoryVersion, type Reranker } from '@hvs-nvm/hvs-nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import { valid, type In } from './api-input.js';
import { HttpError } from './problem.js';
import * as S from './schemas.js';

function memoryOut(m: Memory): z.input<typeof S.MemoryOut> {
  return { ...m, createdAt: m.createdAt.toISOString(), updatedAt: m.updatedAt.toISOString() };
}

function versionOut(v: MemoryVersion): z.input<typeof S.MemoryVersionOut> {
  return { ...v, at: v.at.toISOString() };
}

/** The reranker of `rerank: true`, one per encoder, made on first use. */
const rerankers = new WeakMap<Encoder, Reranker>();

function rerankerOf(encoder: Encoder): Reranker {
  let reranker = rerankers.get(encoder);
  if (!reranker) rerankers.set(encoder, (reranker = crossSimilarityReranker(encoder)));
  return reranker;
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

/**
 * An agent may name as a source only a block it may read: otherwise a refusal (or not) would tell it the block
 * exists, and provenance would link it to what it cannot see.
 */
export async function assertMayReadSources(api: Api, sources: In<typeof S.CacheSetBody>['sources'], caller: Caller): Promise<void> {
  if (!caller.actor || !sources) return;
  const reader = api.nvmFor(caller);
  for (const s of sources) {
    await reader.getBlock(typeof s === 'string' ? s : s.id).catch((err: unknown) => {
      if (err instanceof PermissionDeniedError) throw err;
    });
  }
}

export async function storeMemory(api: Api, input: z.input<typeof S.StoreMemoryBody>, caller: Caller = OPERATOR): Promise<{ id: string }> {
  const body = valid(S.StoreMemoryBody, input, 'memory');
  await assertMayReadSources(api, body.sources, caller);
  const id = await api.deps.integration.store(body.content, {
    ...scopeFor(caller, body),
    ...(body.metadata ? { metadata: body.metadata } : {}),
    ...(body.persist !== undefined ? { persist: body.persist } : {}),
    ...(body.sources ? { sources: body.sources } : {}),
  });
  return { id };
}

export async function searchMemory(
  api: Api,
  input: z.input<typeof S.SearchMemoryBody>,
  caller: Caller = OPERATOR,
): Promise<{ results: z.input<typeof S.MemoryHit>[] }> {
  const body = valid(S.SearchMemoryBody, input, 'memory query');
  const results = await api.deps.integration.query(body.query, {
    k: body.k,
    ...scopeFor(caller, body, true),
    ...(body.mode ? { mode: body.mode } : {}),
    ...(body.filter ? { filter: body.filter } : {}),
    ...(body.includeBlocks ? { includeBlocks: true } : {}),
    ...(body.rerank ? { reranker: rerankerOf(api.deps.encoder) } : {}),
  });
  if (!caller.actor) return { results };
  // The integration searches as the local owner: hide the content of blocks this agent may not read.
  const reader = api.nvmFor(caller);
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

export async function getMemory(api: Api, id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
  return memoryOut(await api.deps.integration.get(id, scopeFor(caller, query, true)));
}

export async function listMemories(
  api: Api,
  query: In<typeof S.ListMemoryQuery> = {},
  caller: Caller = OPERATOR,
): Promise<z.input<typeof S.MemoryPageOut>> {
  const page = await api.deps.integration.list({
    ...scopeFor(caller, query, true),
    ...(query.filter ? { filter: query.filter } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.limit ? { limit: query.limit } : {}),
  });
  return { memories: page.memories.map(memoryOut), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

export async function updateMemory(
  api: Api,
  id: string,
  input: z.input<typeof S.UpdateMemoryBody>,
  query: In<typeof S.MemoryScopeQuery> = {},
  caller: Caller = OPERATOR,
) {
  const body = valid(S.UpdateMemoryBody, input, 'memory update');
  const scope = scopeFor(caller, query);
  return memoryOut(
    await api.deps.integration.update(id, body.content, { ...scope, ...(body.metadata ? { metadata: body.metadata } : {}) }),
  );
}

export async function deleteMemory(
  api: Api,
  id: string,
  query: In<typeof S.MemoryScopeQuery> = {},
  caller: Caller = OPERATOR,
): Promise<void> {
  await api.deps.integration.delete(id, scopeFor(caller, query));
}

export async function memoryHistory(api: Api, id: string, query: In<typeof S.MemoryScopeQuery> = {}, caller: Caller = OPERATOR) {
  return { versions: (await api.deps.integration.history(id, scopeFor(caller, query, true))).map(versionOut) };
}
