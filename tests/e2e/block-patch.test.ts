// End to end: JSON patches of blocks through `hvs-nvm start` — PATCH /v1/blocks/{id} (its media type, If-Match and
// ETag, typed refusals), the MCP patch_block tool, and the audit of a patched block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { http, startStack, tempDir, type Stack } from './stack.js';

const PATCH_TYPE = { 'content-type': 'application/json-patch+json' };
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  http(stack.url, method, path, body, headers);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-patch-');
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

async function createList(name: string): Promise<string> {
  const created = await call('POST', '/v1/blocks', { name, blockClass: 'program_state', content: { items: [] } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('PATCH /v1/blocks/{id}', () => {
  it('applies a JSON Patch sent as application/json-patch+json and answers the new version with its ETag', async () => {
    const id = await createList('patch_list');
    const res = await fetch(`${stack.url}/v1/blocks/${id}`, {
      method: 'PATCH',
      headers: { ...PATCH_TYPE, 'if-match': '"1"' },
      body: JSON.stringify([{ op: 'add', path: '/items/-', value: 'a' }]),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    const body = (await res.json()) as { version: number; content: string };
    expect(body).toMatchObject({ version: 2, content: '{"items":["a"]}' });
    const history = await call('GET', `/v1/blocks/${id}/history`);
    expect(history.body.versions.map((v: { type: string }) => v.type)).toEqual(['BlockCreated', 'BlockPatched']);
    const audit = await call('GET', `/v1/audit/block/${id}`);
    expect(audit.body.entries.at(-1)).toMatchObject({ type: 'BlockPatched', before: '{"items":[]}', after: '{"items":["a"]}' });
    expect(audit.body.entries.at(-1).diff).toContain('+{"items":["a"]}');
  });

  it('refuses another media type with 415, and a stale If-Match with 412, changing nothing', async () => {
    const id = await createList('patch_refused');
    const patch = [{ op: 'add', path: '/items/-', value: 1 }];
    const plainJson = await call('PATCH', `/v1/blocks/${id}`, patch);
    expect(plainJson).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect((await call('PATCH', `/v1/blocks/${id}`, patch, PATCH_TYPE)).status).toBe(200);
    const stale = await call('PATCH', `/v1/blocks/${id}`, patch, { ...PATCH_TYPE, 'if-match': '"1"' });
    expect(stale).toMatchObject({ status: 412, body: { code: 'CONCURRENCY' } });
    const starMissing = await call('PATCH', `/v1/blocks/no-such-block`, patch, { ...PATCH_TYPE, 'if-match': '*' });
    expect(starMissing.status).toBe(412);
    const failedTest = await call('PATCH', `/v1/blocks/${id}`, [{ op: 'test', path: '/items/0', value: 2 }, ...patch], PATCH_TYPE);
    expect(failedTest).toMatchObject({ status: 409, body: { code: 'PATCH_TEST_FAILED' } });
    const badPath = await call('PATCH', `/v1/blocks/${id}`, [{ op: 'remove', path: '/nothing/here' }], PATCH_TYPE);
    expect(badPath).toMatchObject({ status: 422, body: { code: 'PATCH_NOT_APPLICABLE' } });
    const notPointer = await call('PATCH', `/v1/blocks/${id}`, [{ op: 'add', path: 'items', value: 1 }], PATCH_TYPE);
    expect(notPointer).toMatchObject({ status: 400, body: { code: 'INVALID_PATCH' } });
    const now = await call('GET', `/v1/blocks/${id}`);
    expect(now.body).toMatchObject({ version: 2, content: '{"items":[1]}' });
  });

  it('the MCP patch_block tool appends, refuses a stale expected_version, and a subscriber hears of each patch', async () => {
    const id = await createList('patch_mcp');
    const client = new Client({ name: 'e2e-patch', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)));
    try {
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
      await client.subscribeResource({ uri: `block://${id}` });
      type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };
      const patched = (await client.callTool({
        name: 'patch_block',
        arguments: { id, patch: [{ op: 'add', path: '/items/-', value: { n: 1 } }], expected_version: 1 },
      })) as ToolResult;
      expect(patched.isError ?? false).toBe(false);
      expect(JSON.parse(patched.content.at(-1)!.text!)).toMatchObject({ version: 2, content: '{"items":[{"n":1}]}' });
      const stale = (await client.callTool({
        name: 'patch_block',
        arguments: { id, patch: [{ op: 'add', path: '/items/-', value: 2 }], expected_version: 1 },
      })) as ToolResult;
      expect(stale.isError).toBe(true);
      expect((await call('GET', `/v1/blocks/${id}`)).body.version).toBe(2);
      await expect.poll(() => updated.filter((u) => u === `block://${id}`).length, { timeout: 10_000 }).toBe(1);
    } finally {
      await client.close();
    }
  });
});
