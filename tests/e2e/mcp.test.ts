// End to end: the official MCP SDK client against the server, over streamable HTTP at /mcp and over stdio (`hvs-nvm mcp`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ErrorCode, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { repoRoot } from '../support/child.js';
import { ENCODER_ENV, http, nodeArgs, startStack, tempDir, type Stack } from './stack.js';

/** The MCP specification's "resource not found" JSON-RPC error code. */
const RESOURCE_NOT_FOUND = -32002;
const TOOLS = ['store_memory', 'search_memory', 'get_block', 'update_block', 'send_message', 'receive_messages', 'add_fact', 'query_facts'];

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };

async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** The JSON a tool returned (its last text part). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tool results are what the assertions check
function jsonOf(result: ToolResult): any {
  expect(result.isError ?? false, result.content.map((c) => c.text).join('\n')).toBe(false);
  const texts = result.content.filter((c) => c.type === 'text');
  return JSON.parse(texts[texts.length - 1]!.text!);
}

/** Every tool, every resource kind and invalid arguments, through one connected client. */
async function exerciseEveryTool(client: Client, tag: string): Promise<void> {
  const tools = await client.listTools();
  expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(TOOLS));
  const store = tools.tools.find((t) => t.name === 'store_memory')!;
  expect(store.inputSchema.required).toEqual(['content']);

  const { id } = jsonOf(
    await callTool(client, 'store_memory', { content: `Quantum ${tag} computers use qubits in superposition.`, metadata: { tag } }),
  );
  expect(typeof id).toBe('string');
  const search = await callTool(client, 'search_memory', { query: `quantum ${tag} qubits`, k: 3 });
  const hits = jsonOf(search).results as { id: string; content: string; blockId: string }[];
  expect(hits[0]!.id).toBe(id);
  expect(search.content[0]!.text).toContain(`Quantum ${tag} computers`);

  const blockId = hits[0]!.blockId;
  const block = jsonOf(await callTool(client, 'get_block', { id: blockId }));
  expect(block.content).toContain('qubits');
  const byName = jsonOf(await callTool(client, 'get_block', { name: block.name }));
  expect(byName.id).toBe(blockId);
  const updated = jsonOf(await callTool(client, 'update_block', { id: blockId, content: 'rewritten', expected_version: block.version }));
  expect(updated).toMatchObject({ content: 'rewritten', version: block.version + 1 });
  const stale = await callTool(client, 'update_block', { id: blockId, content: 'lost', expected_version: block.version });
  expect(stale.isError).toBe(true);
  expect(stale.content[0]!.text).toContain('CONCURRENCY');

  jsonOf(await callTool(client, 'send_message', { from: `${tag}_a`, to: `${tag}_b`, body: { task: 'summarise' } }));
  const inbox = jsonOf(await callTool(client, 'receive_messages', { model_id: `${tag}_b` }));
  expect(inbox.messages).toHaveLength(1);
  expect(inbox.messages[0]).toMatchObject({ from: `${tag}_a`, body: { task: 'summarise' } });

  const fact = jsonOf(
    await callTool(client, 'add_fact', { subject: `${tag} Mars`, predicate: 'has moon', object: 'Phobos', source: 'nasa' }),
  );
  const facts = jsonOf(await callTool(client, 'query_facts', { query: `${tag} Mars moon`, k: 1 }));
  expect(facts.facts[0].factId).toBe(fact.factId);

  const resources = await client.listResources();
  const uri = `block://${blockId}`;
  expect(resources.resources.map((r) => r.uri)).toContain(uri);
  const read = await client.readResource({ uri });
  expect(read.contents[0]).toMatchObject({ uri, text: 'rewritten' });
  // A missing block is the MCP "resource not found" error (-32002), not an internal error.
  await expect(client.readResource({ uri: 'block://no-such-block' })).rejects.toMatchObject({ code: RESOURCE_NOT_FOUND });
  await expect(client.readResource({ uri: 'block://%E0%A4%A' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });

  // Invalid arguments are tool errors, and the server keeps serving.
  for (const [name, args] of [
    ['store_memory', {}],
    ['store_memory', { content: 42 }],
    ['search_memory', { query: 'x', k: -1 }],
    ['get_block', {}],
    ['get_block', { id: 'no-such-block' }],
    ['update_block', { id: blockId }],
    ['send_message', { from: 'a', to: '', body: 1 }],
    ['receive_messages', { model: 'x' }],
    ['add_fact', { subject: 's' }],
  ] as const) {
    const r = await callTool(client, name, args);
    expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
    expect(r.content[0]!.text).not.toMatch(/at .*\.ts:\d+/);
  }
  expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(TOOLS.length);
}

/**
 * Subscriptions driven by the log: changes made over HTTP (another client, another process for stdio) reach the
 * subscriber as notifications/resources/updated and list_changed; unsubscribing stops them.
 */
async function subscriptionsWork(client: Client, tag: string): Promise<void> {
  expect(client.getServerCapabilities()?.resources).toMatchObject({ subscribe: true, listChanged: true });
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);

  const created = await http(stack.url, 'POST', '/v1/blocks', { name: `sub_${tag}`, blockClass: 'documentation', content: 'v1' });
  expect(created.status).toBe(201);
  const uri = `block://${created.body.id}`;
  await client.subscribeResource({ uri });
  for (const content of ['v2', 'v3']) expect((await http(stack.url, 'PUT', `/v1/blocks/${created.body.id}`, { content })).status).toBe(200);
  await expect.poll(() => updated.filter((u) => u === uri).length, { timeout: 10_000 }).toBe(2);
  expect((await client.readResource({ uri })).contents[0]).toMatchObject({ text: 'v3' });

  await client.unsubscribeResource({ uri });
  const before = listChanged;
  await http(stack.url, 'PUT', `/v1/blocks/${created.body.id}`, { content: 'v4' });
  // A new block: the resource list changed. It comes after the v4 update in the log, so once it is told, the
  // (unsubscribed) update would have been told too.
  await http(stack.url, 'POST', '/v1/blocks', { name: `sub_${tag}_new`, blockClass: 'documentation', content: 'new' });
  await expect.poll(() => listChanged, { timeout: 10_000 }).toBeGreaterThan(before);
  expect(updated.filter((u) => u === uri)).toHaveLength(2);

  // The fact stream is a resource too.
  await client.subscribeResource({ uri: 'facts://shared_knowledge_base' });
  await http(stack.url, 'POST', '/v1/facts', { subject: `${tag} Venus`, predicate: 'is', object: 'hot', source: 'e2e' });
  await expect.poll(() => updated.includes('facts://shared_knowledge_base'), { timeout: 10_000 }).toBe(true);
  const factsResource = (await client.readResource({ uri: 'facts://shared_knowledge_base' })).contents[0] as { text: string };
  const facts = JSON.parse(factsResource.text) as {
    facts: { subject: string }[];
  };
  expect(facts.facts.map((f) => f.subject)).toContain(`${tag} Venus`);
  await expect(client.subscribeResource({ uri: 'block://no-such-block' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
  await expect(client.subscribeResource({ uri: 'https://example.com/x' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
}

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-mcp-');
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('MCP over streamable HTTP at /mcp', () => {
  it('lists the tools, calls each, reads a block resource; invalid arguments are tool errors', async () => {
    const client = new Client({ name: 'e2e-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)));
    try {
      await exerciseEveryTool(client, 'http');
    } finally {
      await client.close();
    }
  });

  it('resources/subscribe on block://{id} and the fact stream: notified of each change, whoever made it', async () => {
    const client = new Client({ name: 'e2e-http-subscriber', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)));
    try {
      await subscriptionsWork(client, 'http');
    } finally {
      await client.close();
    }
  });

  it('a session belongs to its opener; without one only initialize is served', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const accept = { accept: 'application/json, text/event-stream' };
    const opened = await fetch(stack.info.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...accept },
      body: JSON.stringify(init),
    });
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id');
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const without = await http(stack.url, 'POST', '/mcp', list, accept);
    expect(without).toMatchObject({ status: 400, body: { code: 'MCP_SESSION_REQUIRED' } });
    expect((await http(stack.url, 'POST', '/mcp', list, { ...accept, 'mcp-session-id': 'not-a-session' })).status).toBe(404);
    expect((await http(stack.url, 'GET', '/mcp', undefined, { accept: 'text/event-stream' })).status).toBe(405);
    const closed = await fetch(stack.info.mcpUrl, { method: 'DELETE', headers: { 'mcp-session-id': session! } });
    expect(closed.status).toBe(200);
    expect((await http(stack.url, 'POST', '/mcp', list, { ...accept, 'mcp-session-id': session! })).status).toBe(404);
  });
});

describe('MCP over stdio (hvs-nvm mcp)', () => {
  it('lists the tools, calls each, reads a block resource; invalid arguments are tool errors', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...nodeArgs, 'mcp', '--data-dir', stack.dataDir],
      cwd: repoRoot,
      env: { ...getDefaultEnvironment(), ...ENCODER_ENV },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      await exerciseEveryTool(client, 'stdio');
      await subscriptionsWork(client, 'stdio');
      // Same data dir as the running server: what the stdio agent wrote reaches the server's projection too.
      await expect
        .poll(
          async () => {
            const res = await http(stack.url, 'POST', '/v1/memory/search', { query: 'quantum stdio qubits', k: 1 });
            return res.body.results[0]?.content as string | undefined;
          },
          { timeout: 10_000 },
        )
        .toBe('rewritten');
    } finally {
      await client.close();
    }
  });
});
