// The MCP server: memory, block, mailbox and fact tools plus blocks as `block://{id}` resources, over stdio or streamable HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import { describeError, HttpError } from './problem.js';
import { toolArgs } from './schemas.js';

export const SERVER_INFO = { name: 'hvs-nvm', version: '0.1.0' } as const;
const log = createLogger('mcp');

function ok(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

/** Runs a tool; a thrown error becomes a tool error result carrying the error's code, never a crash. */
async function run(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
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

/** One MCP server over the shared Api; connect it to one transport. */
export function createMcpServer(api: Api): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {}, resources: {} } });

  server.registerTool(
    'store_memory',
    { description: 'Store text in agent memory (indexed for semantic search and kept as a block). Returns its id.', inputSchema: toolArgs.store_memory },
    (args) => run(async () => ok(await api.storeMemory(args))),
  );
  server.registerTool(
    'search_memory',
    { description: 'Find stored memory by meaning. Returns the best hits with their text, score and source.', inputSchema: toolArgs.search_memory },
    (args) =>
      run(async () => {
        const { results } = await api.searchMemory(args);
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
    'get_block',
    { description: 'Read a memory block by id or by name.', inputSchema: toolArgs.get_block },
    (args) =>
      run(async () => {
        if (args.id !== undefined) return ok(await api.getBlock(args.id));
        if (args.name !== undefined) return ok(await api.getBlockByName(args.name));
        throw new HttpError(400, 'INVALID_ARGUMENT', 'get_block takes an id or a name');
      }),
  );
  server.registerTool(
    'update_block',
    {
      description: 'Replace a block’s content. With expected_version, fails unless the block is still at that version.',
      inputSchema: toolArgs.update_block,
    },
    (args) =>
      run(async () =>
        ok(await api.updateBlock(args.id, { content: args.content, ...(args.expected_version !== undefined ? { expectedVersion: args.expected_version } : {}) })),
      ),
  );
  server.registerTool(
    'send_message',
    { description: 'Send a JSON message into another model’s durable mailbox.', inputSchema: toolArgs.send_message },
    (args) => run(async () => ok(await api.sendMessage(args))),
  );
  server.registerTool(
    'receive_messages',
    { description: 'Take the pending messages of a model’s mailbox, oldest first (each is returned once).', inputSchema: toolArgs.receive_messages },
    (args) => run(async () => ok(await api.receiveMessages(args.model_id))),
  );
  server.registerTool(
    'add_fact',
    { description: 'Add a (subject, predicate, object) fact with its source to the shared knowledge base.', inputSchema: toolArgs.add_fact },
    (args) => run(async () => ok(await api.addFact(args))),
  );
  server.registerTool(
    'query_facts',
    { description: 'Facts nearest in meaning to a query.', inputSchema: toolArgs.query_facts },
    (args) => run(async () => ok(await api.queryFacts(args))),
  );

  server.registerResource(
    'block',
    new ResourceTemplate('block://{id}', {
      list: async () => ({
        resources: (await api.listBlocks({})).map((b) => ({
          uri: `block://${b.id}`,
          name: b.name,
          description: `${b.blockClass} block, version ${b.version}`,
        })),
      }),
    }),
    { description: 'An NVM memory block: its current content' },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables['id']));
      const block = await api.getBlock(id);
      return { contents: [{ uri: uri.href, mimeType: mimeTypeOf(block.content), text: block.content }] };
    },
  );
  return server;
}

/** MCP over this process's stdin/stdout; resolves when the client hangs up. */
export async function serveMcpStdio(api: Api): Promise<void> {
  const server = createMcpServer(api);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}

/** Answers one streamable-HTTP MCP request, statelessly: a fresh server and transport per request. */
export async function handleMcpHttp(api: Api, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const server = createMcpServer(api);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
