// End to end: the memory lifecycle over HTTP, MCP and the CLI on a real `hvs-nvm start` — get, list pages, update
// (same id), delete (block and vector), history after a restart — scoped by two agents' tokens; and cursor pages of
// /v1/blocks and MCP resources/list.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient } from '@hvs-nvm/client';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const ADMIN = 'e2e-memory-admin-token-0123';
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const tokens: Record<string, string> = {};

function as(who: string, method: string, path: string, body?: unknown) {
  return http(stack.url, method, path, body, { authorization: `Bearer ${who === 'admin' ? ADMIN : tokens[who]!}` });
}

async function mcpClient(who: string): Promise<Client> {
  const client = new Client({ name: `e2e-${who}`, version: '1.0.0' });
  const token = who === 'admin' ? ADMIN : tokens[who]!;
  await client.connect(
    new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };
async function tool(client: Client, name: string, args: Record<string, unknown>) {
  const r = (await client.callTool({ name, arguments: args })) as ToolResult;
  return { isError: r.isError === true, text: r.content[0]?.text ?? '', json: () => JSON.parse(r.content.at(-1)!.text!) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const start = () => startStack(tmp.dir, ['--token', ADMIN, '--agent-tokens', join(tmp.dir, 'agent-tokens.json')]);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-memory-');
  const generated = await cli(['auth', 'tokens', '--agent', 'alice,bob', '-o', join(tmp.dir, 'agent-tokens.json'), '--json']);
  expect(generated.code, generated.stderr).toBe(0);
  for (const { agent, token } of (generated.json[0] as { tokens: { agent: string; token: string }[] }).tokens) tokens[agent] = token;
  stack = await start();
});
afterAll(async () => {
  await stack.stop();
  tmp.remove();
});

let aliceMemory: string;
let deletedMemory: string;

describe('the memory lifecycle over HTTP', () => {
  it('get, update (same id), list pages, delete (block and vector), history — as the token’s agent', async () => {
    const stored = await as('alice', 'POST', '/v1/memory', {
      content: 'Alice parks the blue bicycle by the gate.',
      metadata: { topic: 'bike' },
    });
    expect(stored.status).toBe(201);
    aliceMemory = stored.body.id as string;
    const got = await as('alice', 'GET', `/v1/memory/${aliceMemory}`);
    expect(got).toMatchObject({ status: 200, body: { id: aliceMemory, agentId: 'alice', version: 1, metadata: { topic: 'bike' } } });

    const put = await as('alice', 'PUT', `/v1/memory/${aliceMemory}`, { content: 'Alice parks the red bicycle by the shed.' });
    expect(put).toMatchObject({ status: 200, body: { id: aliceMemory, version: 2, content: 'Alice parks the red bicycle by the shed.' } });
    const found = await as('alice', 'POST', '/v1/memory/search', { query: 'red bicycle shed', k: 1, mode: 'keyword' });
    expect(found.body.results[0]).toMatchObject({ id: aliceMemory, content: 'Alice parks the red bicycle by the shed.', agentId: 'alice' });

    const ids = [aliceMemory];
    for (const t of ['second note', 'third note', 'fourth note'])
      ids.push((await as('alice', 'POST', '/v1/memory', { content: t })).body.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as('alice', 'GET', `/v1/memory?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.memories.map((m: { id: string }) => m.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const filtered = await as('alice', 'GET', `/v1/memory?filter=${encodeURIComponent(JSON.stringify({ topic: 'bike' }))}`);
    expect(filtered.body.memories.map((m: { id: string }) => m.id)).toEqual([aliceMemory]);
    expect((await as('alice', 'GET', '/v1/memory?filter=nope')).status).toBe(400);

    deletedMemory = ids[3]!;
    const { blockId } = (await as('alice', 'GET', `/v1/memory/${deletedMemory}`)).body;
    expect((await as('alice', 'DELETE', `/v1/memory/${deletedMemory}`)).status).toBe(204);
    expect(await as('alice', 'GET', `/v1/memory/${deletedMemory}`)).toMatchObject({ status: 404, body: { code: 'MEMORY_NOT_FOUND' } });
    expect((await as('admin', 'GET', `/v1/vectors/${deletedMemory}`)).status).toBe(404);
    expect((await as('admin', 'GET', `/v1/blocks/${blockId}`)).status).toBe(404);
    const searched = await as('alice', 'POST', '/v1/memory/search', { query: 'fourth note', k: 10 });
    expect(searched.body.results.map((r: { id: string }) => r.id)).not.toContain(deletedMemory);

    const history = await as('alice', 'GET', `/v1/memory/${aliceMemory}/history`);
    expect(history.body.versions.map((v: { version: number; type: string; actor: string }) => [v.version, v.type, v.actor])).toEqual([
      [1, 'created', 'system'],
      [2, 'updated', 'system'],
    ]);
  });

  it('scoping with two agent tokens: one agent’s memories are not the other’s', async () => {
    const bob = (await as('bob', 'POST', '/v1/memory', { content: 'Bob parks the green bicycle by the gate.' })).body.id as string;
    const search = async (who: string) =>
      (await as(who, 'POST', '/v1/memory/search', { query: 'bicycle', k: 10 })).body.results.map((r: { id: string }) => r.id);
    expect(await search('alice')).toContain(aliceMemory);
    expect(await search('alice')).not.toContain(bob);
    expect(await search('bob')).toEqual([bob]);
    expect((await as('bob', 'GET', '/v1/memory')).body.memories.map((m: { id: string }) => m.id)).toEqual([bob]);
    expect((await as('bob', 'GET', `/v1/memory/${aliceMemory}`)).status).toBe(404);
    expect((await as('bob', 'PUT', `/v1/memory/${aliceMemory}`, { content: 'mine now' })).status).toBe(404);
    expect((await as('bob', 'DELETE', `/v1/memory/${aliceMemory}`)).status).toBe(404);
    expect((await as('bob', 'GET', `/v1/memory/${aliceMemory}/history`)).status).toBe(404);
    // Naming another agent's scope is refused; the operator may look at any agent's.
    expect(await as('bob', 'GET', '/v1/memory?agentId=alice')).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    expect((await as('bob', 'POST', '/v1/memory/search', { query: 'bicycle', agentId: 'alice' })).status).toBe(403);
    expect((await as('admin', 'GET', '/v1/memory?agentId=bob')).body.memories.map((m: { id: string }) => m.id)).toEqual([bob]);
    // The memory's block is its agent's: not readable by the other over /v1/blocks either.
    const { blockId } = (await as('alice', 'GET', `/v1/memory/${aliceMemory}`)).body;
    expect((await as('bob', 'GET', `/v1/blocks/${blockId}`)).status).toBe(403);

    // What the operator stores without an agentId is shared: every agent finds and reads it, none changes it.
    const team = (await as('admin', 'POST', '/v1/memory', { content: 'Team rule: every bicycle is locked at night.' })).body.id as string;
    expect(await search('alice')).toContain(team);
    expect(await search('bob')).toEqual(expect.arrayContaining([bob, team]));
    expect(await search('bob')).not.toContain(aliceMemory);
    expect((await as('bob', 'GET', `/v1/memory/${team}`)).status).toBe(200);
    expect((await as('bob', 'PUT', `/v1/memory/${team}`, { content: 'no rules' })).status).toBe(404);
    expect((await as('bob', 'DELETE', `/v1/memory/${team}`)).status).toBe(404);
    expect((await as('admin', 'GET', `/v1/memory/${team}`)).body.version).toBe(1);
  });

  it('pages /v1/blocks with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await as('admin', 'POST', '/v1/blocks', { name: `page_${i}`, blockClass: 'documentation', content: `p${i}` })).status).toBe(
        201,
      );
    }
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await as('admin', 'GET', `/v1/blocks?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      names.push(...page.body.blocks.map((b: { name: string }) => b.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(names.filter((n) => n.startsWith('page_'))).toEqual(['page_0', 'page_1', 'page_2', 'page_3', 'page_4']);
    expect(new Set(names).size).toBe(names.length);
    expect((await as('admin', 'GET', '/v1/blocks?cursor=bad')).status).toBe(400);
  });
});

describe('the memory lifecycle through the typed client (@hvs-nvm/client)', () => {
  it('store, query, get, list, update, history, delete as an agent', async () => {
    const c = createClient({ baseUrl: stack.url, token: tokens['bob']! });
    const id = await c.store('Bob’s client note about tulips.', { userId: 'u9', metadata: { flower: true } });
    expect((await c.query('tulips', { mode: 'keyword', userId: 'u9' })).map((r) => r.id)).toEqual([id]);
    expect(await c.get(id)).toMatchObject({ id, agentId: 'bob', userId: 'u9', metadata: { flower: true } });
    const page = await c.list({ filter: { flower: true } });
    expect(page.memories.map((m) => m.id)).toEqual([id]);
    expect((await c.update(id, 'Bob’s client note about roses.')).version).toBe(2);
    expect((await c.history(id)).map((v) => v.content)).toEqual(['Bob’s client note about tulips.', 'Bob’s client note about roses.']);
    await c.delete(id);
    await expect(c.get(id)).rejects.toMatchObject({ status: 404, code: 'MEMORY_NOT_FOUND' });
  });
});

describe('the memory lifecycle over MCP', () => {
  it('store, get, list, update, history, delete as the token’s agent; resources/list pages', async () => {
    const alice = await mcpClient('alice');
    const bob = await mcpClient('bob');
    try {
      const tools = (await alice.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['get_memory', 'list_memories', 'update_memory', 'delete_memory', 'memory_history']));
      const { id } = (await tool(alice, 'store_memory', { content: 'MCP memory about kites', run_id: 'run-7' })).json();
      expect((await tool(alice, 'get_memory', { id })).json()).toMatchObject({ id, agentId: 'alice', runId: 'run-7', version: 1 });
      expect((await tool(bob, 'get_memory', { id })).text).toMatch(/^MEMORY_NOT_FOUND/);
      const listed = (await tool(alice, 'list_memories', { run_id: 'run-7' })).json();
      expect(listed.memories.map((m: { id: string }) => m.id)).toEqual([id]);
      expect((await tool(alice, 'update_memory', { id, content: 'MCP memory about gliders' })).json()).toMatchObject({ id, version: 2 });
      const hits = (await tool(alice, 'search_memory', { query: 'gliders', mode: 'keyword' })).json();
      expect(hits.results[0]).toMatchObject({ id, content: 'MCP memory about gliders' });
      expect((await tool(bob, 'search_memory', { query: 'gliders' })).json().results.map((r: { id: string }) => r.id)).not.toContain(id);
      expect((await tool(bob, 'delete_memory', { id })).isError).toBe(true);
      expect((await tool(alice, 'delete_memory', { id })).isError).toBe(false);
      expect((await tool(alice, 'get_memory', { id })).isError).toBe(true);
      const history = (await tool(alice, 'memory_history', { id })).json();
      expect(history.versions.map((v: { type: string; actor: string }) => `${v.type}:${v.actor}`)).toEqual([
        'created:system',
        'updated:system',
        'deleted:system',
      ]);
    } finally {
      await alice.close();
      await bob.close();
    }
    const admin = await mcpClient('admin');
    try {
      const uris: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await admin.listResources(cursor ? { cursor } : {});
        uris.push(...page.resources.map((r) => r.uri));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      expect(uris).toContain('facts://shared_knowledge_base');
      expect(uris.filter((u) => u.startsWith('block://')).length).toBeGreaterThanOrEqual(5);
      expect(new Set(uris).size).toBe(uris.length);
    } finally {
      await admin.close();
    }
  });
});

describe('after a restart', () => {
  it('history and the keyword index come back from the log and the checkpoint (HTTP, then the CLI)', async () => {
    expect(await stack.stop()).toBe(0);
    stack = await start();
    const history = await as('alice', 'GET', `/v1/memory/${aliceMemory}/history`);
    expect(history.body.versions.map((v: { content: string }) => v.content)).toEqual([
      'Alice parks the blue bicycle by the gate.',
      'Alice parks the red bicycle by the shed.',
    ]);
    expect((await as('alice', 'GET', `/v1/memory/${deletedMemory}/history`)).body.versions.map((v: { type: string }) => v.type)).toEqual([
      'created',
      'deleted',
    ]);
    const found = await as('alice', 'POST', '/v1/memory/search', { query: 'shed', mode: 'keyword' });
    expect(found.body.results.map((r: { id: string }) => r.id)).toEqual([aliceMemory]);
    expect(await stack.stop()).toBe(0);

    const run = (...args: string[]) => cli([...args, '--data-dir', tmp.dir, '--json']);
    const cliHistory = await run('memory', 'history', aliceMemory);
    expect(cliHistory.code, cliHistory.stderr).toBe(0);
    expect((cliHistory.json[0] as { versions: { version: number }[] }).versions.map((v) => v.version)).toEqual([1, 2]);
    const updated = await run('memory', 'update', aliceMemory, 'Alice sold the bicycle.');
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json[0]).toMatchObject({ id: aliceMemory, version: 3 });
    const listed = await run('memory', 'ls', '--agent', 'alice', '--limit', '2');
    expect((listed.json[0] as { memories: unknown[]; nextCursor?: string }).memories).toHaveLength(2);
    expect((listed.json[0] as { nextCursor?: string }).nextCursor).toBeDefined();
    const got = await run('memory', 'get', aliceMemory);
    expect(got.json[0]).toMatchObject({ content: 'Alice sold the bicycle.' });
    expect((await run('memory', 'rm', aliceMemory)).code).toBe(0);
    expect((await run('memory', 'get', aliceMemory)).code).not.toBe(0);
    stack = await start();
  });
});
