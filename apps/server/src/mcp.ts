// The MCP server: memory, block, mailbox and fact tools plus blocks as `block://{id}` resources, over stdio or streamable HTTP.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  McpError,
  type CallToolResult,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { withCall } from '@hvs-nvm/eventstore';
import { createLogger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import { describeError, HttpError } from './problem.js';
import { toolArgs } from './schemas.js';
import { FACTS_URI, serveResourceSubscriptions } from './mcp-subscriptions.js';
import { registerVectorTools } from './mcp-vector-tools.js';
import { DEFAULT_NAMESPACE } from './namespaces.js';

/** The Api on a block tool's namespace (`default` when it names none). */
const inNamespace = (api: Api, namespace: string | undefined) => api.inNamespace(namespace ?? DEFAULT_NAMESPACE);

/** Resources per resources/list page (the MCP specification leaves the size to the server). */
const RESOURCES_PER_PAGE = 100;

/** The scope arguments of the memory tools (snake_case), as the Api's. */
function scopeArgs(args: { agent_id?: string | undefined; user_id?: string | undefined; run_id?: string | undefined }) {
  return {
    ...(args.agent_id !== undefined ? { agentId: args.agent_id } : {}),
    ...(args.user_id !== undefined ? { userId: args.user_id } : {}),
    ...(args.run_id !== undefined ? { runId: args.run_id } : {}),
  };
}

/** How many facts the facts resource shows (every fact stays in the log and in GET /v1/facts/events). */
const FACTS_SHOWN = 1_000;
const FACTS_DESCRIPTION = `The shared knowledge base's facts, newest last (the latest ${FACTS_SHOWN}); subscribe to be told of each new fact`;

export const SERVER_INFO = { name: 'hvs-nvm', version: '0.1.0' } as const;
const log = createLogger('mcp');
/** "Resource not found" in the MCP specification (server/resources, Error Handling); the SDK has no constant for it. */
export const RESOURCE_NOT_FOUND = -32002;

function ok(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

/** Runs a tool; a thrown error becomes a tool error result carrying the error's code, never a crash. */
async function run(extra: { requestId: string | number; sessionId?: string }, fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    // One tool call, one correlation id: its MCP request id, within its session.
    return await withCall(fn, `mcp:${extra.sessionId ?? 'stdio'}:${extra.requestId}`);
  } catch (err) {
    const { code, message } = describeError(err);
    if (code === 'INTERNAL') log.error({ err }, 'tool failed');
    return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }] };
  }
}

function mimeTypeOf(content: string): string {
  const first = content.trimStart()[0];
  if (first !== '{' && first !== '[') return 'text/plain';
  try {
    JSON.parse(content);
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

/** A typed error reading a resource as the JSON-RPC error an MCP client expects, rather than an internal error. */
function resourceError(err: unknown, uri: string): unknown {
  const { code, status, message } = describeError(err);
  if (status === 404) return new McpError(RESOURCE_NOT_FOUND, `Resource ${uri} not found: ${message}`, { uri, code });
  if (status >= 400 && status < 500) return new McpError(ErrorCode.InvalidParams, `${code}: ${message}`, { uri, code });
  return err;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'INVALID_URI', `'${raw}' is not valid percent-encoding`);
  }
}

/** Whether the result of the request with this JSON-RPC id reached the client (mail is acknowledged only then). */
export type ResultSent = (requestId: RequestId) => Promise<boolean>;

/**
 * One MCP server over the shared Api, acting for one caller (whose permissions apply); connect it to one transport.
 * `resultSent` tells when a tool result has been written out; without it, taken mail is acknowledged as it is taken.
 */
export function createMcpServer(api: Api, caller: Caller = OPERATOR, resultSent?: ResultSent): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } } });

  server.registerTool(
    'store_memory',
    {
      description: 'Store text in agent memory (indexed for semantic search and kept as a block). Returns its id.',
      inputSchema: toolArgs.store_memory,
    },
    (args, extra) =>
      run(extra, async () =>
        ok(
          await api.storeMemory(
            { content: args.content, ...(args.metadata ? { metadata: args.metadata } : {}), ...scopeArgs(args) },
            caller,
          ),
        ),
      ),
  );
  server.registerTool(
    'search_memory',
    {
      description:
        'Find stored memory by meaning and by keyword (mode: hybrid, the default; dense; keyword), within a scope ' +
        '(agent_id, user_id, run_id) and a metadata filter. Returns the best hits with their text, score and source.',
      inputSchema: toolArgs.search_memory,
    },
    (args, extra) =>
      run(extra, async () => {
        const { results } = await (
          await api.at(args.as_of)
        ).searchMemory(
          {
            query: args.query,
            ...(args.k !== undefined ? { k: args.k } : {}),
            ...(args.mode ? { mode: args.mode } : {}),
            ...(args.filter ? { filter: args.filter } : {}),
            ...(args.include_blocks ? { includeBlocks: true } : {}),
            ...scopeArgs(args),
          },
          caller,
        );
        const lines = results.map((r, i) => `${i + 1}. [${r.score.toFixed(3)}] ${r.content}`);
        return {
          content: [
            { type: 'text', text: lines.length > 0 ? lines.join('\n') : 'no matches' },
            { type: 'text', text: JSON.stringify({ results }, null, 2) },
          ],
        };
      }),
  );
  server.registerTool(
    'get_memory',
    { description: 'Read a stored memory by its id: content, metadata, scope and version.', inputSchema: toolArgs.get_memory },
    (args, extra) => run(extra, async () => ok(await api.getMemory(args.id, scopeArgs(args), caller))),
  );
  server.registerTool(
    'list_memories',
    {
      description:
        'List stored memories in creation order, a page at a time (pass next_cursor back as cursor), by scope and metadata filter.',
      inputSchema: toolArgs.list_memories,
    },
    (args, extra) =>
      run(extra, async () => {
        const page = await api.listMemories(
          {
            ...(args.filter ? { filter: args.filter } : {}),
            ...(args.cursor ? { cursor: args.cursor } : {}),
            ...(args.limit ? { limit: args.limit } : {}),
            ...scopeArgs(args),
          },
          caller,
        );
        return ok({ memories: page.memories, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) });
      }),
  );
  server.registerTool(
    'update_memory',
    {
      description: 'Replace a memory’s content (re-embedded; the id stays). Returns the new version.',
      inputSchema: toolArgs.update_memory,
    },
    (args, extra) =>
      run(extra, async () =>
        ok(await api.updateMemory(args.id, { content: args.content, ...(args.metadata ? { metadata: args.metadata } : {}) }, {}, caller)),
      ),
  );
  server.registerTool(
    'delete_memory',
    { description: 'Delete a memory (its block and its vector).', inputSchema: toolArgs.delete_memory },
    (args, extra) =>
      run(extra, async () => {
        await api.deleteMemory(args.id, {}, caller);
        return ok({ deleted: args.id });
      }),
  );
  server.registerTool(
    'memory_history',
    { description: 'Every version of a memory, oldest first, with who wrote it and when.', inputSchema: toolArgs.memory_history },
    (args, extra) => run(extra, async () => ok(await api.memoryHistory(args.id, {}, caller))),
  );
  server.registerTool(
    'get_block',
    { description: 'Read a memory block by id or by name, in a namespace (default: `default`).', inputSchema: toolArgs.get_block },
    (args, extra) =>
      run(extra, async () => {
        const at = await inNamespace(api, args.namespace).at(args.as_of);
        if (args.id !== undefined) return ok(await at.getBlock(args.id, {}, caller));
        if (args.name !== undefined) return ok(await at.getBlockByName(args.name, caller));
        throw new HttpError(400, 'INVALID_ARGUMENT', 'get_block takes an id or a name');
      }),
  );
  server.registerTool(
    'update_block',
    {
      description: 'Replace a block’s content. With expected_version, fails unless the block is still at that version.',
      inputSchema: toolArgs.update_block,
    },
    (args, extra) =>
      run(extra, async () =>
        ok(
          await inNamespace(api, args.namespace).updateBlock(
            args.id,
            { content: args.content, ...(args.expected_version !== undefined ? { expectedVersion: args.expected_version } : {}) },
            caller,
          ),
        ),
      ),
  );
  server.registerTool(
    'patch_block',
    {
      description:
        'Apply an RFC 6902 JSON Patch to a JSON block, all or nothing, as one new version (e.g. [{"op":"add","path":"/items/-","value":1}] ' +
        'appends without a read-modify-write loop). With expected_version, fails unless the block is still at that version.',
      inputSchema: toolArgs.patch_block,
    },
    (args, extra) =>
      run(extra, async () => ok(await inNamespace(api, args.namespace).patchBlock(args.id, args.patch, args.expected_version, caller))),
  );
  server.registerTool(
    'list_namespaces',
    {
      description: 'Every NVM namespace, with how many of its blocks the caller may read (the block tools take a namespace).',
      inputSchema: toolArgs.list_namespaces,
    },
    (_args, extra) => run(extra, async () => ok(await api.listNamespaces(caller))),
  );
  server.registerTool(
    'send_message',
    { description: 'Send a JSON message into another model’s durable mailbox.', inputSchema: toolArgs.send_message },
    (args, extra) => run(extra, async () => ok(await api.sendMessage(args, caller))),
  );
  server.registerTool(
    'receive_messages',
    {
      description:
        'Take the pending messages of a model’s mailbox, oldest first. They are acknowledged once this result has been sent; ' +
        'if it never is, they are delivered again.',
      inputSchema: toolArgs.receive_messages,
    },
    (args, extra) =>
      run(extra, async () =>
        ok(
          args.as_of !== undefined
            ? await api.receiveMessages(args.model_id, { asOf: args.as_of }, caller)
            : await api.receiveMessages(args.model_id, {}, caller, resultSent?.(extra.requestId)),
        ),
      ),
  );
  server.registerTool(
    'add_fact',
    {
      description: 'Add a (subject, predicate, object) fact with its source to the shared knowledge base.',
      inputSchema: toolArgs.add_fact,
    },
    (args, extra) => run(extra, async () => ok(await api.addFact(args))),
  );
  server.registerTool(
    'query_facts',
    { description: 'Facts nearest in meaning to a query.', inputSchema: toolArgs.query_facts },
    (args, extra) =>
      run(extra, async () => {
        const { as_of: asOf, ...query } = args;
        return ok(await (await api.at(asOf)).queryFacts(query));
      }),
  );
  registerVectorTools(server, api, { run, ok });

  server.registerResource(
    'block',
    // Listed by the paginated resources/list handler below.
    new ResourceTemplate('block://{id}', { list: undefined }),
    { description: 'An NVM memory block: its current content (subscribe to be told of each new version)' },
    async (uri, variables) => {
      let block;
      try {
        block = await api.getBlock(decodeSegment(String(variables['id'])), {}, caller);
      } catch (err) {
        throw resourceError(err, uri.href);
      }
      return { contents: [{ uri: uri.href, mimeType: mimeTypeOf(block.content), text: block.content }] };
    },
  );
  server.registerResource(
    'facts',
    FACTS_URI,
    {
      description: FACTS_DESCRIPTION,
      mimeType: 'application/json',
    },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ facts: (await api.kb.history()).slice(-FACTS_SHOWN) }, null, 2),
        },
      ],
    }),
  );
  // resources/list a page at a time: the SDK's own handler lists every resource at once and ignores the cursor.
  server.server.removeRequestHandler('resources/list');
  server.server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    const cursor = request.params?.cursor;
    let page;
    try {
      page = await api.listBlocksPage({ ...(cursor ? { cursor } : {}), limit: RESOURCES_PER_PAGE }, caller);
    } catch (err) {
      throw new McpError(ErrorCode.InvalidParams, describeError(err).message);
    }
    const blocks = page.items.map((b) => ({
      uri: `block://${b.id}`,
      name: b.name,
      description: `${b.blockClass} block, version ${b.version}`,
    }));
    const facts = cursor ? [] : [{ uri: FACTS_URI, name: 'facts', description: FACTS_DESCRIPTION, mimeType: 'application/json' }];
    return { resources: [...facts, ...blocks], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });
  const subscriptions = serveResourceSubscriptions(server, api, caller);
  server.server.onclose = () => void subscriptions.close();
  return server;
}

/** MCP over this process's stdin/stdout; resolves when the client hangs up. */
export async function serveMcpStdio(api: Api): Promise<void> {
  const transport = new StdioServerTransport();
  // A result counts as sent once the transport has written it to stdout; one never written (closed first) does not.
  const waiting = new Map<RequestId, (written: boolean) => void>();
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    const id = 'id' in message && ('result' in message || 'error' in message) ? message.id : undefined;
    const settle = id !== undefined ? waiting.get(id) : undefined;
    if (id !== undefined) waiting.delete(id);
    try {
      await send(message);
      settle?.(true);
    } catch (err) {
      settle?.(false);
      throw err;
    }
  };
  const server = createMcpServer(api, OPERATOR, (requestId) => new Promise((resolve) => waiting.set(requestId, resolve)));
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  for (const settle of waiting.values()) settle(false);
  await server.close();
}
