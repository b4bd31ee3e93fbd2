// End to end: per-agent tokens on `hvs-nvm start` — over real HTTP and the MCP SDK client, an agent acts only as itself.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const ADMIN = 'e2e-admin-token-0123456789';
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const tokens: Record<string, string> = {};
let privateBlockId: string;

/** A request with an agent's token (or the admin's), optionally naming an actor in X-HVS-Actor. */
function as(who: string, method: string, path: string, body?: unknown, actor?: string) {
  const token = who === 'admin' ? ADMIN : tokens[who]!;
  return http(stack.url, method, path, body, { authorization: `Bearer ${token}`, ...(actor ? { 'x-hvs-actor': actor } : {}) });
}

async function mcpClient(who: string): Promise<Client> {
  const client = new Client({ name: `e2e-${who}`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${tokens[who]}` } } }),
  );
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };
const tool = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as ToolResult;
const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-agents-');
  const file = join(tmp.dir, 'agent-tokens.json');
  const generated = await cli(['auth', 'tokens', '--agent', 'alice,bob', '--agent', 'mallory', '-o', file, '--json']);
  expect(generated.code, generated.stderr).toBe(0);
  for (const { agent, token } of (generated.json[0] as { tokens: { agent: string; token: string }[] }).tokens) tokens[agent] = token;
  expect(Object.keys(tokens).sort()).toEqual(['alice', 'bob', 'mallory']);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  stack = await startStack(tmp.dir, ['--token', ADMIN, '--agent-tokens', file]);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('per-agent tokens over HTTP', () => {
  it('a request without a known token is refused', async () => {
    expect((await http(stack.url, 'GET', '/v1/health')).status).toBe(401);
    expect((await http(stack.url, 'GET', '/v1/health', undefined, { authorization: 'Bearer not-a-token-anyone-was-given' })).status).toBe(
      401,
    );
    expect((await as('alice', 'GET', '/v1/health')).status).toBe(200);
  });

  it('an agent token cannot name another actor in X-HVS-Actor', async () => {
    expect(await as('mallory', 'GET', '/v1/health', undefined, 'alice')).toMatchObject({ status: 403, body: { code: 'ACTOR_MISMATCH' } });
    expect((await as('mallory', 'GET', '/v1/health', undefined, 'mallory')).status).toBe(200);
  });

  it('an agent sends mail only as itself, and reads only its own mailbox', async () => {
    const forged = await as('mallory', 'POST', '/v1/messages', { from: 'alice', to: 'bob', body: 'send me your keys' });
    expect(forged).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    expect((await as('alice', 'POST', '/v1/messages', { from: 'alice', to: 'bob', body: 'hello bob' })).status).toBe(201);
    expect((await as('mallory', 'POST', '/v1/messages', { from: 'mallory', to: 'bob', body: 'hi, mallory here' })).status).toBe(201);

    expect(await as('mallory', 'GET', '/v1/mailboxes/bob/messages')).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    const inbox = await as('bob', 'GET', '/v1/mailboxes/bob/messages');
    expect(inbox.status).toBe(200);
    expect(inbox.body.messages.map((m: { from: string; body: unknown }) => [m.from, m.body])).toEqual([
      ['alice', 'hello bob'],
      ['mallory', 'hi, mallory here'],
    ]);
  });

  it('explicit acks: tokens ack only their own mailbox, and only its reader may send them', async () => {
    expect((await as('alice', 'POST', '/v1/messages', { from: 'alice', to: 'bob', body: 'ack me' })).status).toBe(201);
    const taken = await as('bob', 'GET', '/v1/mailboxes/bob/messages?ack=explicit');
    expect(taken.status).toBe(200);
    const [message] = taken.body.messages as { body: unknown; ackToken: string }[];
    expect(message?.body).toBe('ack me');
    const tokens = [message!.ackToken];
    expect(await as('mallory', 'POST', '/v1/mailboxes/bob/ack', { tokens })).toMatchObject({
      status: 403,
      body: { code: 'PERMISSION_DENIED' },
    });
    // Bob's token names bob's mailbox: sent for another mailbox, or made up, it acks nothing.
    expect(await as('mallory', 'POST', '/v1/mailboxes/mallory/ack', { tokens })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ACK_TOKEN' },
    });
    const madeUp = Buffer.from('$JS.ACK.MAIL_default.mbox_bob.1.1.1.1.>').toString('base64url');
    expect(await as('bob', 'POST', '/v1/mailboxes/bob/ack', { tokens: [madeUp] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ACK_TOKEN' },
    });
    expect(await as('bob', 'POST', '/v1/mailboxes/bob/ack', { tokens })).toMatchObject({ status: 200, body: { acked: 1 } });
  });

  it('block permissions are checked as the token’s agent', async () => {
    const created = await as('alice', 'POST', '/v1/blocks', {
      name: 'alice_vault',
      blockClass: 'program_state',
      content: 'the vault combination is 4 8 15 16 23 42',
      permissions: { read: ['alice'], write: ['alice'] },
    });
    expect(created.status).toBe(201);
    privateBlockId = created.body.id as string;
    expect((await as('alice', 'GET', `/v1/blocks/${privateBlockId}`)).body.content).toContain('vault');
    expect(await as('mallory', 'GET', `/v1/blocks/${privateBlockId}`)).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    expect((await as('mallory', 'GET', '/v1/blocks?name=alice_vault')).body.blocks).toEqual([]);
    expect((await as('mallory', 'PUT', `/v1/blocks/${privateBlockId}`, { content: 'mine now' })).status).toBe(403);
    expect((await as('mallory', 'GET', `/v1/blocks/${privateBlockId}/history`)).status).toBe(403);

    // Memory search reads blocks too when asked to: an agent does not see the content of blocks it may not read.
    const contents = async (who: string) =>
      (
        (await as(who, 'POST', '/v1/memory/search', { query: 'vault combination', k: 10, includeBlocks: true })).body.results as {
          content: string;
        }[]
      ).map((r) => r.content);
    expect(await contents('alice')).toContain('the vault combination is 4 8 15 16 23 42');
    expect(await contents('mallory')).not.toContain('the vault combination is 4 8 15 16 23 42');
  });

  it('the admin token is the trusted operator: it may act as any agent and read any mailbox', async () => {
    expect((await as('admin', 'GET', `/v1/blocks/${privateBlockId}`, undefined, 'alice')).status).toBe(200);
    expect((await as('admin', 'GET', `/v1/blocks/${privateBlockId}`, undefined, 'mallory')).status).toBe(403);
    expect((await as('admin', 'POST', '/v1/messages', { from: 'alice', to: 'bob', body: 'from the operator' })).status).toBe(201);
    const inbox = await as('admin', 'GET', '/v1/mailboxes/bob/messages');
    expect(inbox.body.messages.map((m: { body: unknown }) => m.body)).toEqual(['from the operator']);
  });
});

describe('a server that requires tokens', () => {
  it('still counts as running for status and replay, which hold no token', async () => {
    const status = await cli(['status', '--data-dir', tmp.dir, '--json']);
    expect(status.json[0]).toMatchObject({ server: { url: stack.url, healthy: true } });
    const replay = await cli(['replay', '--data-dir', tmp.dir, '--no-progress']);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('DATA_DIR_SERVED');
  });
});

describe('per-agent tokens over MCP (streamable HTTP)', () => {
  it('tools and resources act as the token’s agent', async () => {
    const mallory = await mcpClient('mallory');
    const bob = await mcpClient('bob');
    const alice = await mcpClient('alice');
    try {
      const forged = await tool(mallory, 'send_message', { from: 'alice', to: 'bob', body: { task: 'wire money' } });
      expect(forged.isError).toBe(true);
      expect(textOf(forged)).toContain('PERMISSION_DENIED');
      expect((await tool(alice, 'send_message', { from: 'alice', to: 'bob', body: { task: 'review' } })).isError ?? false).toBe(false);

      const stolen = await tool(mallory, 'receive_messages', { model_id: 'bob' });
      expect(stolen.isError).toBe(true);
      expect(textOf(stolen)).toContain('PERMISSION_DENIED');
      const inbox = JSON.parse(textOf(await tool(bob, 'receive_messages', { model_id: 'bob' }))) as {
        messages: { from: string; body: unknown }[];
      };
      expect(inbox.messages.map((m) => [m.from, m.body])).toEqual([['alice', { task: 'review' }]]);

      const read = await tool(mallory, 'get_block', { id: privateBlockId });
      expect(read.isError).toBe(true);
      expect(textOf(read)).toContain('PERMISSION_DENIED');
      expect((await tool(mallory, 'update_block', { id: privateBlockId, content: 'mine' })).isError).toBe(true);
      expect(JSON.parse(textOf(await tool(alice, 'get_block', { id: privateBlockId }))).content).toContain('vault');

      const uri = `block://${privateBlockId}`;
      expect((await mallory.listResources()).resources.map((r) => r.uri)).not.toContain(uri);
      expect((await alice.listResources()).resources.map((r) => r.uri)).toContain(uri);
      await expect(mallory.readResource({ uri })).rejects.toThrow(/PERMISSION_DENIED/);
      expect((await alice.readResource({ uri })).contents[0]).toMatchObject({ uri, text: expect.stringContaining('vault') });
    } finally {
      await Promise.all([mallory.close(), bob.close(), alice.close()]);
    }
  });

  it('an MCP client without a token cannot connect', async () => {
    const client = new Client({ name: 'e2e-anon', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)))).rejects.toThrow();
  });
});
