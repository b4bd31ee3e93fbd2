// The MCP vector tools: store_vector, search_vectors (each with an optional `collection`, `default` if absent) and
// list_collections. Vectors carry no per-agent permissions (as over HTTP): any caller the server admits may use them.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Api } from './api.js';
import { DEFAULT_COLLECTION } from './collections.js';
import { SearchVectorsBody, StoreVectorBody } from './schemas.js';
import { CollectionName } from './schemas-collections.js';

type Extra = { requestId: string | number; sessionId?: string };
type Run = (extra: Extra, fn: () => Promise<CallToolResult>) => Promise<CallToolResult>;

const collection = CollectionName.optional().describe('the collection (default: `default`, the one /v1/vectors uses)');

export const vectorToolArgs = {
  store_vector: { ...StoreVectorBody.shape, collection },
  search_vectors: {
    vector: SearchVectorsBody.shape.vector,
    k: z.number().int().min(1).max(10_000).optional(),
    filter: SearchVectorsBody.shape.filter,
    collection,
  },
  list_collections: {},
} as const;

export function registerVectorTools(server: McpServer, api: Api, tools: { run: Run; ok: (value: unknown) => CallToolResult }): void {
  const { run, ok } = tools;
  server.registerTool(
    'store_vector',
    {
      description: 'Store a vector (an array of numbers of the collection’s dimension) with metadata in a collection. Returns its id.',
      inputSchema: vectorToolArgs.store_vector,
    },
    (args, extra) =>
      run(extra, async () => {
        const { collection: name, ...body } = args;
        return ok(await api.storeVector(body, name ?? DEFAULT_COLLECTION));
      }),
  );
  server.registerTool(
    'search_vectors',
    {
      description: 'The k nearest neighbours of a vector in a collection, optionally filtered by metadata.',
      inputSchema: vectorToolArgs.search_vectors,
    },
    (args, extra) =>
      run(extra, async () => {
        const { collection: name, k, filter, vector } = args;
        return ok(
          await api.searchVectors({ vector, k: k ?? 10, withVectors: false, ...(filter ? { filter } : {}) }, name ?? DEFAULT_COLLECTION),
        );
      }),
  );
  server.registerTool(
    'list_collections',
    { description: 'Every collection with its dimension, geometry and index parameters.', inputSchema: vectorToolArgs.list_collections },
    (_args, extra) => run(extra, async () => ok(await api.listCollections())),
  );
}
