// The HTTP route table: every route of the API (the shape of one is in route.ts), in the order the OpenAPI document lists them.
import { z } from 'zod';
import { blockTag, checkIfMatch, headerOf, route, vectorTag, type Route } from './route.js';
import { expectedVersionOf } from './preconditions.js';
import * as S from './schemas.js';
import { collectionRoutes } from './routes-collections.js';
import { historyRoutes } from './routes-history.js';
import { namespaceRoutes } from './routes-namespaces.js';
import { inspectionRoutes } from './routes-inspect.js';

export { headerOf, type Route } from './route.js';

export const routes: Route[] = [
  // ---- vectors
  route({
    method: 'POST',
    path: '/v1/vectors',
    tag: 'vectors',
    summary: 'Store a vector with metadata (replaces one with the same id)',
    body: S.StoreVectorBody,
    status: 201,
    response: z.object({ id: z.string() }),
    handle: ({ api, body }) => api.storeVector(body),
  }),
  route({
    method: 'POST',
    path: '/v1/vectors/batch',
    tag: 'vectors',
    summary: 'Store many vectors at once (all or none validated)',
    body: S.BatchStoreVectorsBody,
    status: 201,
    response: z.object({ ids: z.array(z.string()) }),
    handle: ({ api, body }) => api.batchStoreVectors(body),
  }),
  route({
    method: 'POST',
    path: '/v1/vectors/search',
    tag: 'vectors',
    summary: 'k nearest neighbours of a vector, optionally filtered by metadata',
    body: S.SearchVectorsBody,
    response: z.object({ results: z.array(S.VectorHit) }),
    query: S.AsOfQuery,
    handle: async ({ api, body, query }) => (await api.at(query.asOf)).searchVectors(body),
  }),
  route({
    method: 'GET',
    path: '/v1/vectors/{id}',
    tag: 'vectors',
    summary: 'Retrieve a vector',
    params: S.VectorIdParams,
    response: S.VectorOut,
    etag: vectorTag,
    query: S.AsOfQuery,
    handle: async ({ api, params, query }) => (await api.at(query.asOf)).getVector(params.id),
  }),
  route({
    method: 'DELETE',
    path: '/v1/vectors/{id}',
    tag: 'vectors',
    summary: 'Delete a vector (If-Match: its ETag)',
    params: S.VectorIdParams,
    status: 204,
    conditional: true,
    handle: async ({ api, params, headers }) => {
      await checkIfMatch(headers, `vector '${params.id}'`, () => api.getVector(params.id), vectorTag);
      return api.deleteVector(params.id);
    },
  }),
  // ---- memory
  route({
    method: 'POST',
    path: '/v1/memory',
    tag: 'memory',
    summary: 'Store text: encoded and indexed in HVS, kept as an NVM block',
    body: S.StoreMemoryBody,
    status: 201,
    response: z.object({ id: z.string() }),
    handle: ({ api, body, caller }) => api.storeMemory(body, caller),
  }),
  route({
    method: 'POST',
    path: '/v1/memory/search',
    tag: 'memory',
    summary: 'Find memories by meaning and keyword (hybrid, dense or keyword), within a scope and a metadata filter',
    body: S.SearchMemoryBody,
    response: z.object({ results: z.array(S.MemoryHit) }),
    query: S.AsOfQuery,
    handle: async ({ api, body, caller, query }) => (await api.at(query.asOf)).searchMemory(body, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/memory',
    tag: 'memory',
    summary: 'List memories in creation order, a page at a time (?cursor=<nextCursor>&limit=), by scope and filter (JSON)',
    query: S.ListMemoryQuery,
    response: S.MemoryPageOut,
    handle: ({ api, query, caller }) => api.listMemories(query, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/memory/{id}',
    tag: 'memory',
    summary: 'Read a memory',
    params: S.MemoryIdParams,
    query: S.MemoryScopeQuery,
    response: S.MemoryOut,
    handle: ({ api, params, query, caller }) => api.getMemory(params.id, query, caller),
  }),
  route({
    method: 'PUT',
    path: '/v1/memory/{id}',
    tag: 'memory',
    summary: 'Replace a memory’s content: re-embedded under the same id, as a new version',
    params: S.MemoryIdParams,
    query: S.MemoryScopeQuery,
    body: S.UpdateMemoryBody,
    response: S.MemoryOut,
    handle: ({ api, params, query, body, caller }) => api.updateMemory(params.id, body, query, caller),
  }),
  route({
    method: 'DELETE',
    path: '/v1/memory/{id}',
    tag: 'memory',
    summary: 'Delete a memory: its block and its vector',
    params: S.MemoryIdParams,
    query: S.MemoryScopeQuery,
    status: 204,
    handle: ({ api, params, query, caller }) => api.deleteMemory(params.id, query, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/memory/{id}/history',
    tag: 'memory',
    summary: 'Every version of a memory, oldest first, with who wrote it and when',
    params: S.MemoryIdParams,
    query: S.MemoryScopeQuery,
    response: z.object({ versions: z.array(S.MemoryVersionOut) }),
    handle: ({ api, params, query, caller }) => api.memoryHistory(params.id, query, caller),
  }),
  // ---- blocks
  route({
    method: 'POST',
    path: '/v1/blocks',
    tag: 'blocks',
    summary: 'Create a memory block',
    body: S.CreateBlockBody,
    status: 201,
    errors: [409],
    response: S.BlockOut,
    handle: ({ api, body, caller }) => api.createBlock(body, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/blocks',
    tag: 'blocks',
    summary: 'List the blocks the caller may read, by name and/or class, a page at a time (?cursor=<nextCursor>&limit=)',
    query: S.ListBlocksQuery,
    response: z.object({ blocks: z.array(S.BlockOut), nextCursor: z.string().optional() }),
    handle: async ({ api, query, caller }) => {
      const page = await api.listBlocksPage(query, caller);
      return { blocks: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/blocks/{id}',
    tag: 'blocks',
    summary: 'Read a block (or one of its versions, or as of a time)',
    params: S.BlockIdParams,
    query: S.GetBlockQuery,
    response: S.BlockOut,
    etag: blockTag,
    handle: ({ api, params, query, caller }) => api.getBlock(params.id, query, caller),
  }),
  route({
    method: 'PUT',
    path: '/v1/blocks/{id}',
    tag: 'blocks',
    summary: 'Replace a block’s content (optimistic concurrency with If-Match: "<version>" or expectedVersion)',
    params: S.BlockIdParams,
    body: S.UpdateBlockBody,
    response: S.BlockOut,
    etag: blockTag,
    conditional: true,
    handle: async ({ api, params, body, caller, headers }) => {
      let expectedVersion = expectedVersionOf(headerOf(headers, 'if-match'), body.expectedVersion);
      if (expectedVersion === undefined && headerOf(headers, 'if-match') !== undefined) {
        // `*` or a list: the version it matched now, so the write still fails if the block moves on meanwhile.
        const tag = await checkIfMatch(headers, `block '${params.id}'`, () => api.getBlock(params.id, {}, caller), blockTag);
        expectedVersion = Number(JSON.parse(tag!));
      }
      return api.updateBlock(params.id, { content: body.content, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, caller);
    },
  }),
  route({
    method: 'PATCH',
    path: '/v1/blocks/{id}',
    tag: 'blocks',
    summary: 'Apply an RFC 6902 JSON Patch to a block’s JSON content, atomically, as one new version (If-Match: "<version>")',
    params: S.BlockIdParams,
    body: S.PatchBlockBody,
    bodyTypes: ['application/json-patch+json'],
    response: S.BlockOut,
    errors: [409, 422],
    etag: blockTag,
    conditional: true,
    handle: async ({ api, params, body, caller, headers }) => {
      let expectedVersion = expectedVersionOf(headerOf(headers, 'if-match'), undefined);
      if (expectedVersion === undefined && headerOf(headers, 'if-match') !== undefined) {
        const tag = await checkIfMatch(headers, `block '${params.id}'`, () => api.getBlock(params.id, {}, caller), blockTag);
        expectedVersion = Number(JSON.parse(tag!));
      }
      return api.patchBlock(params.id, body, expectedVersion, caller);
    },
  }),
  route({
    method: 'DELETE',
    path: '/v1/blocks/{id}',
    tag: 'blocks',
    summary: 'Delete a block (If-Match: "<version>")',
    params: S.BlockIdParams,
    status: 204,
    conditional: true,
    handle: async ({ api, params, caller, headers }) => {
      // Checked, then deleted: not atomic, as the library's deleteBlock takes no expected version.
      await checkIfMatch(headers, `block '${params.id}'`, () => api.getBlock(params.id, {}, caller), blockTag);
      return api.deleteBlock(params.id, caller);
    },
  }),
  route({
    method: 'GET',
    path: '/v1/blocks/{id}/history',
    tag: 'blocks',
    summary: 'Every version of a block, oldest first',
    params: S.BlockIdParams,
    response: z.object({ versions: z.array(S.BlockHistoryEntryOut) }),
    query: S.AsOfQuery,
    handle: async ({ api, params, caller, query }) => ({ versions: await (await api.at(query.asOf)).blockHistory(params.id, caller) }),
  }),
  // ---- messages
  route({
    method: 'POST',
    path: '/v1/messages',
    tag: 'messages',
    summary: 'Send a JSON message into a model’s durable mailbox',
    body: S.SendMessageBody,
    status: 201,
    response: z.object({ id: z.string() }),
    handle: ({ api, body, caller }) => api.sendMessage(body, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/mailboxes/{model}/messages',
    tag: 'messages',
    summary:
      'Pending messages of a mailbox, oldest first: acknowledged once the response is written, or with ?ack=explicit by their ackTokens',
    params: S.MailboxParams,
    query: S.ReceiveMessagesQuery,
    response: S.ReceivedMessagesOut,
    sideEffects: true,
    handle: ({ api, params, query, caller, sent }) => api.receiveMessages(params.model, query, caller, sent()),
  }),
  route({
    method: 'POST',
    path: '/v1/mailboxes/{model}/ack',
    tag: 'messages',
    summary: 'Acknowledge messages taken with ?ack=explicit, by their ackTokens',
    params: S.MailboxParams,
    body: S.AckMessagesBody,
    response: z.object({ acked: z.number().int() }),
    handle: ({ api, params, body, caller }) => api.ackMessages(params.model, body, caller),
  }),
  // ---- facts
  route({
    method: 'POST',
    path: '/v1/facts',
    tag: 'facts',
    summary: 'Add a fact to the shared knowledge base',
    body: S.AddFactBody,
    status: 201,
    response: S.FactOut,
    handle: ({ api, body, caller }) => api.addFact(body, caller),
  }),
  route({
    method: 'POST',
    path: '/v1/facts/search',
    tag: 'facts',
    summary: 'Facts nearest in meaning to a query',
    body: S.QueryFactsBody,
    response: z.object({ facts: z.array(S.FactOut) }),
    query: S.AsOfQuery,
    handle: async ({ api, body, query }) => (await api.at(query.asOf)).queryFacts(body),
  }),
  // ---- cache
  route({
    method: 'POST',
    path: '/v1/cache/get',
    tag: 'cache',
    summary: 'The cached value of the nearest earlier query, if similar enough and not expired',
    body: S.CacheGetBody,
    response: z.object({ hit: z.boolean(), value: z.unknown() }),
    handle: ({ api, body }) => api.cacheGet(body),
  }),
  route({
    method: 'POST',
    path: '/v1/cache/set',
    tag: 'cache',
    summary: 'Cache a value under the meaning of a key; with sources, a change to any of them invalidates it',
    body: S.CacheSetBody,
    status: 201,
    response: z.object({ id: z.string() }),
    handle: ({ api, body, caller }) => api.cacheSet(body, caller),
  }),
  // ---- provenance
  route({
    method: 'GET',
    path: '/v1/audit/{kind}/{id}',
    tag: 'provenance',
    summary: 'Every change to a vector, block, fact or mailbox: when, who, which call, before and after',
    params: S.AuditParams,
    response: z.object({ kind: S.AuditKind, id: z.string(), entries: z.array(S.AuditEntryOut) }),
    handle: ({ api, params, caller }) => api.audit(params.kind, params.id, caller),
  }),
  route({
    method: 'GET',
    path: '/v1/provenance/{id}',
    tag: 'provenance',
    summary:
      'What a memory, fact or cache entry was computed from (each source with its version, still current?) and what was computed from it',
    params: S.ProvenanceParams,
    response: S.ProvenanceOut,
    handle: ({ api, params, caller }) => api.provenance(params.id, caller),
  }),
  // ---- operations
  route({
    method: 'GET',
    path: '/v1/health',
    tag: 'operations',
    summary: 'ok, or degraded (503) while writes cannot be acknowledged; the projection’s position and the durability in force',
    statusOf: (result) => ((result as { status?: string }).status === 'degraded' ? 503 : 200),
    response: S.HealthOut,
    handle: ({ api, caller }) => api.health(caller),
  }),
  route({
    method: 'GET',
    path: '/v1/stats',
    tag: 'operations',
    summary: 'Sizes, positions and cache statistics',
    response: S.StatsOut,
    handle: ({ api, caller }) => api.stats(caller),
  }),
];

// The dashboard's views, history (cut, forks), collections with the vector routes above again under
// /v1/collections/{name}/... (routes-collections.ts), and namespaces with the block routes under /v1/namespaces/{name}/...
routes.push(...inspectionRoutes, ...historyRoutes, ...collectionRoutes(routes), ...namespaceRoutes(routes));
