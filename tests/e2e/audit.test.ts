// End to end: the audit trail over HTTP, MCP and the CLI — each change with its actor, its call and its diff.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-audit-');
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

it('an HTTP request id becomes the correlation id of every event the request appends', async () => {
  const res = await fetch(`${stack.url}/v1/memory`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-audit-1' },
    body: JSON.stringify({ content: 'The audit trail names every call.' }),
  });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-request-id')).toBe('req-audit-1');
  const { id } = (await res.json()) as { id: string };
  const audit = await http(stack.url, 'GET', `/v1/audit/memory/${id}`);
  expect(audit.status).toBe(200);
  const types = (audit.body.entries as { type: string; correlationId: string }[]).map((e) => [e.type, e.correlationId]);
  expect(types).toEqual(
    expect.arrayContaining([
      ['BlockCreated', 'req-audit-1'],
      ['VectorStored', 'req-audit-1'],
    ]),
  );

  // Without one (or with one that is not a token), the server makes one and says which.
  const other = await fetch(`${stack.url}/v1/health`, { headers: { 'x-request-id': 'not a token' } });
  expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('a block audit shows each version with a diff; the CLI prints it', async () => {
  const created = await http(stack.url, 'POST', '/v1/blocks', {
    name: 'audited_doc',
    blockClass: 'documentation',
    content: 'alpha\nbeta\n',
  });
  const id = created.body.id as string;
  await http(stack.url, 'PUT', `/v1/blocks/${id}`, { content: 'alpha\ngamma\n' }, { 'x-request-id': 'req-edit' });
  const audit = await http(stack.url, 'GET', `/v1/audit/block/${id}`);
  expect(audit.body.entries.map((e: { type: string }) => e.type)).toEqual(['BlockCreated', 'BlockUpdated']);
  expect(audit.body.entries[1]).toMatchObject({ correlationId: 'req-edit', before: 'alpha\nbeta\n', after: 'alpha\ngamma\n' });
  expect(audit.body.entries[1].diff).toContain('-beta\n+gamma');
  expect((await http(stack.url, 'GET', '/v1/audit/block/no-such-block')).status).toBe(404);
  expect((await http(stack.url, 'GET', `/v1/audit/thing/${id}`)).status).toBe(400);

  const printed = await cli(['audit', id, '--diff', '--data-dir', tmp.dir]);
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stdout).toMatch(/BlockUpdated\s+by system {2}call req-edit/);
  expect(printed.stdout).toContain('+gamma');
});

it('an MCP tool call is one call: its events carry the MCP request id', async () => {
  const client = new Client({ name: 'e2e-audit', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)));
  try {
    const result = (await client.callTool({ name: 'store_memory', arguments: { content: 'stored over MCP' } })) as {
      content: { text: string }[];
    };
    const { id } = JSON.parse(result.content.at(-1)!.text) as { id: string };
    const audit = await http(stack.url, 'GET', `/v1/audit/memory/${id}`);
    const ids = new Set((audit.body.entries as { correlationId: string }[]).map((e) => e.correlationId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^mcp:[0-9a-f-]{36}:\d+$/);
  } finally {
    await client.close();
  }
});
