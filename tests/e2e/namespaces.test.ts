// End to end: NVM namespaces on a real `hvs-nvm start` — create, list with block counts, blocks isolated between
// namespaces (same names, same ids' routes), block permissions and agent tokens as on /v1/blocks, 404 on an unknown
// namespace, as-of reads, who may create and delete, deletion (its blocks gone, others untouched), client, MCP, CLI.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient } from '@hvs-nvm/client';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const ADMIN = 'admin-token-0123456789';
const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-01234567890';
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const as =
  (token: string) =>
  (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    http(stack.url, method, path, body, { authorization: `Bearer ${token}`, ...headers });
const call = as(ADMIN);
const alice = as(ALICE);
const bob = as(BOB);
const names = async () => (await call('GET', '/v1/namespaces')).body.namespaces.map((n: { name: string }) => n.name);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-namespaces-');
  const tokens = join(tmp.dir, 'agent-tokens.json');
  writeFileSync(tokens, JSON.stringify({ [ALICE]: 'alice', [BOB]: 'bob' }));
  stack = await startStack(join(tmp.dir, 'data'), ['--token', ADMIN, '--agent-tokens', tokens]);
}, 90_000);
afterAll(async () => {
  expect(await stack?.stop()).toBe(0);
  tmp.remove();
});

describe('namespaces', () => {
  it('creates namespaces (201, then 200), lists them with block counts; only the admin token creates', async () => {
    expect(await call('POST', '/v1/namespaces', { name: 'team-a' })).toMatchObject({
      status: 201,
      body: { name: 'team-a', created: true },
    });
    expect(await call('POST', '/v1/namespaces', { name: 'team-a' })).toMatchObject({ status: 200, body: { created: false } });
    expect((await call('POST', '/v1/namespaces', { name: 'team-b' })).status).toBe(201);
    expect((await call('POST', '/v1/namespaces', { name: 'no.dots' })).status).toBe(400);
    expect((await call('POST', '/v1/namespaces', { name: 'x', extra: 1 })).status).toBe(400);
    expect(await alice('POST', '/v1/namespaces', { name: 'mine' })).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    expect(await names()).toEqual(['default', 'team-a', 'team-b']);
    expect((await http(stack.url, 'GET', '/v1/namespaces')).status).toBe(401);
  });

  it('blocks are isolated between namespaces: the same name in each, each with its own content', async () => {
    const a = await call('POST', '/v1/namespaces/team-a/blocks', { name: 'plan', blockClass: 'program_state', content: 'A plan' });
    expect(a.status).toBe(201);
    const b = await call('POST', '/v1/namespaces/team-b/blocks', { name: 'plan', blockClass: 'program_state', content: 'B plan' });
    expect(b.status).toBe(201);
    const d = await call('POST', '/v1/blocks', { name: 'plan', blockClass: 'program_state', content: 'default plan' });
    expect(d.status).toBe(201);
    expect((await call('GET', `/v1/namespaces/team-a/blocks/${a.body.id}`)).body.content).toBe('A plan');
    // Another namespace's block is not found here, nor in `default`.
    expect((await call('GET', `/v1/namespaces/team-b/blocks/${a.body.id}`)).status).toBe(404);
    expect((await call('GET', `/v1/blocks/${a.body.id}`)).status).toBe(404);
    const byName = await call('GET', '/v1/namespaces/team-b/blocks?name=plan');
    expect(byName.body.blocks.map((x: { content: string }) => x.content)).toEqual(['B plan']);
    // `default` under its name is /v1/blocks.
    expect((await call('GET', `/v1/namespaces/default/blocks/${d.body.id}`)).body.content).toBe('default plan');

    const put = await call('PUT', `/v1/namespaces/team-a/blocks/${a.body.id}`, { content: 'A plan v2' }, { 'if-match': '"1"' });
    expect(put).toMatchObject({ status: 200, body: { version: 2 } });
    expect((await call('PUT', `/v1/namespaces/team-a/blocks/${a.body.id}`, { content: 'stale' }, { 'if-match': '"1"' })).status).toBe(412);
    const history = await call('GET', `/v1/namespaces/team-a/blocks/${a.body.id}/history`);
    expect(history.body.versions.map((v: { content: string }) => v.content)).toEqual(['A plan', 'A plan v2']);
    // As of version 1's moment: the namespace's own log position, from GET /v1/namespaces/{name}.
    expect((await call('GET', `/v1/namespaces/team-a/blocks/${a.body.id}?version=1`)).body.content).toBe('A plan');
    const info = await call('GET', '/v1/namespaces/team-a');
    expect(info).toMatchObject({ status: 200, body: { name: 'team-a', blocks: 1 } });
    const then = await call('GET', `/v1/namespaces/team-a/blocks/${a.body.id}?asOf=nvm:${info.body.position}`);
    expect(then.body.content).toBe('A plan v2');

    const json = await call('POST', '/v1/namespaces/team-b/blocks', { name: 'list', blockClass: 'program_state', content: { items: [] } });
    const patched = await http(
      stack.url,
      'PATCH',
      `/v1/namespaces/team-b/blocks/${json.body.id}`,
      [{ op: 'add', path: '/items/-', value: 1 }],
      {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json-patch+json',
      },
    );
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.body.content)).toEqual({ items: [1] });

    const listed = (await call('GET', '/v1/namespaces')).body.namespaces;
    expect(Object.fromEntries(listed.map((n: { name: string; blocks: number }) => [n.name, n.blocks]))).toMatchObject({
      'team-a': 1,
      'team-b': 2,
    });
    const page = await call('GET', '/v1/namespaces/team-b/blocks?limit=1');
    expect(page.body.blocks).toHaveLength(1);
    const next = await call('GET', `/v1/namespaces/team-b/blocks?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(next.body.blocks).toHaveLength(1);
    expect(next.body.blocks[0].id).not.toBe(page.body.blocks[0].id);
  });

  it('block permissions and agent tokens apply in a namespace as on /v1/blocks', async () => {
    const own = await alice('POST', '/v1/namespaces/team-a/blocks', { name: 'alice-notes', blockClass: 'documentation', content: 'mine' });
    expect(own).toMatchObject({ status: 201, body: { permissions: { read: ['alice'], write: ['alice'] } } });
    expect((await bob('GET', `/v1/namespaces/team-a/blocks/${own.body.id}`)).status).toBe(403);
    expect((await bob('PUT', `/v1/namespaces/team-a/blocks/${own.body.id}`, { content: 'his' })).status).toBe(403);
    expect((await bob('DELETE', `/v1/namespaces/team-a/blocks/${own.body.id}`)).status).toBe(403);
    expect((await alice('GET', `/v1/namespaces/team-a/blocks/${own.body.id}`)).body.content).toBe('mine');
    // Bob's count leaves out what he may not read.
    const counts = async (who: typeof bob) =>
      Object.fromEntries(
        (await who('GET', '/v1/namespaces')).body.namespaces.map((n: { name: string; blocks: number }) => [n.name, n.blocks]),
      );
    expect((await counts(alice))['team-a']).toBe((await counts(bob))['team-a'] + 1);
    expect(
      (await alice('POST', '/v1/namespaces/team-a/blocks', { name: 'semantic_cache', blockClass: 'cache', content: '{}' })).body.code,
    ).toBe('RESERVED_BLOCK_NAME');
    expect((await alice('DELETE', '/v1/namespaces/team-b')).status).toBe(403);
  });

  it('404 for an unknown namespace, on every route', async () => {
    expect(await call('GET', '/v1/namespaces/nope')).toMatchObject({ status: 404, body: { code: 'NAMESPACE_NOT_FOUND' } });
    expect((await call('GET', '/v1/namespaces/nope/blocks')).body.code).toBe('NAMESPACE_NOT_FOUND');
    expect((await call('POST', '/v1/namespaces/nope/blocks', { name: 'x', blockClass: 'documentation', content: 'x' })).status).toBe(404);
    expect((await call('DELETE', '/v1/namespaces/nope')).status).toBe(404);
    expect((await call('GET', '/v1/namespaces/nope')).status).toBe(404);
  });

  it('delete: `default` is refused; a namespace’s blocks go, the others stay; re-created it is empty', async () => {
    expect(await call('DELETE', '/v1/namespaces/default')).toMatchObject({ status: 409, body: { code: 'NAMESPACE_PROTECTED' } });
    const before = (await call('GET', '/v1/namespaces/team-b/blocks?name=plan')).body.blocks[0];
    expect((await call('DELETE', '/v1/namespaces/team-b')).status).toBe(204);
    expect((await call('GET', '/v1/namespaces/team-b')).status).toBe(404);
    expect((await call('GET', `/v1/namespaces/team-b/blocks/${before.id}`)).status).toBe(404);
    expect(await names()).toEqual(['default', 'team-a']);
    expect((await call('GET', '/v1/namespaces/team-a/blocks?name=plan')).body.blocks[0].content).toBe('A plan v2');
    expect((await call('GET', '/v1/blocks?name=plan')).body.blocks[0].content).toBe('default plan');
    expect((await call('POST', '/v1/namespaces', { name: 'team-b' })).status).toBe(201);
    expect((await call('GET', '/v1/namespaces/team-b')).body.blocks).toBe(0);
  });

  it('the typed client and MCP', async () => {
    const client = createClient({ baseUrl: stack.url, token: ADMIN });
    expect(await client.createNamespace('typed')).toEqual({ name: 'typed', created: true });
    const typed = client.namespace('typed');
    const block = await typed.createBlock({ name: 'n', blockClass: 'documentation', content: 'typed' });
    expect((await typed.getBlock(block.id)).content).toBe('typed');
    expect((await typed.updateBlock(block.id, 'typed v2')).version).toBe(2);
    expect((await typed.listBlocks()).map((b) => b.name)).toEqual(['n']);
    expect(await typed.blockHistory(block.id)).toHaveLength(2);
    expect((await client.getNamespace('typed')).blocks).toBe(1);
    expect((await client.listNamespaces()).map((n) => n.name)).toContain('typed');

    const mcp = new Client({ name: 'namespaces-e2e', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${ADMIN}` } } }),
    );
    type Result = { isError?: boolean; content: { text: string }[] };
    const tool = async (name: string, args: Record<string, unknown>) => (await mcp.callTool({ name, arguments: args })) as Result;
    try {
      const got = JSON.parse((await tool('get_block', { namespace: 'typed', name: 'n' })).content[0]!.text) as { content: string };
      expect(got.content).toBe('typed v2');
      expect((await tool('get_block', { name: 'n' })).isError).toBe(true);
      const updated = await tool('update_block', { namespace: 'typed', id: block.id, content: 'via mcp' });
      expect(JSON.parse(updated.content[0]!.text)).toMatchObject({ version: 3 });
      const listed = JSON.parse((await tool('list_namespaces', {})).content[0]!.text) as { namespaces: { name: string }[] };
      expect(listed.namespaces.map((n) => n.name)).toContain('typed');
      expect((await tool('get_block', { namespace: 'nope', name: 'n' })).content[0]!.text).toContain('NAMESPACE_NOT_FOUND');
    } finally {
      await mcp.close();
    }
    expect(await client.deleteNamespace('typed')).toBe(true);
    expect(await client.deleteNamespace('typed')).toBe(false);
  });

  it('the CLI: namespaces ls | create | show | rm and blocks --namespace, on the data dir', async () => {
    const data = ['--data-dir', join(tmp.dir, 'data'), '--json'];
    const served = await cli(['namespaces', 'rm', 'team-a', ...data]);
    expect(served.stderr).toContain('DATA_DIR_SERVED');
    expect(await stack.stop()).toBe(0);
    const ls = await cli(['namespaces', 'ls', ...data]);
    expect(ls.code, ls.stderr).toBe(0);
    expect((ls.json[0] as { namespaces: { name: string }[] }).namespaces.map((n) => n.name)).toEqual(['default', 'team-a', 'team-b']);
    const blocks = await cli(['blocks', 'ls', '--namespace', 'team-a', '--name', 'plan', ...data]);
    expect(blocks.code, blocks.stderr).toBe(0);
    expect((blocks.json[0] as { blocks: { content: string }[] }).blocks.map((b) => b.content)).toEqual(['A plan v2']);
    const got = await cli(['blocks', 'get', 'plan', '--namespace', 'team-a', ...data]);
    expect(got.json[0]).toMatchObject({ content: 'A plan v2' });
    expect((await cli(['blocks', 'history', (got.json[0] as { id: string }).id, '--namespace', 'team-a', ...data])).json[0]).toMatchObject({
      versions: [{ version: 1 }, { version: 2 }],
    });
    expect((await cli(['blocks', 'ls', '--namespace', 'nope', ...data])).code).toBe(3);
    expect((await cli(['namespaces', 'create', 'cli-ns', ...data])).json[0]).toEqual({ name: 'cli-ns', created: true });
    expect((await cli(['namespaces', 'show', 'cli-ns', ...data])).json[0]).toMatchObject({ name: 'cli-ns', blocks: 0 });
    expect((await cli(['namespaces', 'rm', 'cli-ns', ...data])).code).toBe(0);
    expect((await cli(['namespaces', 'show', 'cli-ns', ...data])).code).toBe(3);
    expect((await cli(['namespaces', 'rm', 'default', ...data])).stderr).toContain('NAMESPACE_PROTECTED');
    stack = await startStack(join(tmp.dir, 'data'), ['--token', ADMIN]);
    expect(await names()).toEqual(['default', 'team-a', 'team-b']);
  }, 120_000);
});
