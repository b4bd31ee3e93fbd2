// Hostile input to the real HTTP server (`hvs-nvm start`): deep filters, look-alike media types, __proto__ keys, huge
// TTLs, a GET stream on stateless MCP; and the smaller rules: stats as the caller, ETag / If-Match / If-None-Match.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startStack, tempDir, type Stack } from '../e2e/stack.js';
import { within } from './raw-http.js';

const ADMIN = 'admin-token-for-input-tests';
const TOKENS = { 'alice-token-0123456789': 'alice', 'bob-token-0123456789ab': 'bob' };
const asAdmin = { authorization: `Bearer ${ADMIN}` };
const asAlice = { authorization: 'Bearer alice-token-0123456789' };

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let dimension: number;

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-faults-input-');
  const file = join(tmp.dir, 'agent-tokens.json');
  writeFileSync(file, JSON.stringify(TOKENS), { mode: 0o600 });
  stack = await startStack(join(tmp.dir, 'data'), ['--token', ADMIN, '--agent-tokens', file]);
  dimension = (await http(stack.url, 'GET', '/v1/stats', undefined, asAdmin)).body.hvs.dimension as number;
});
afterAll(async () => {
  expect(await stack?.stop()).toBe(0);
  tmp?.remove();
});

const nestedNot = (n: number): Record<string, unknown> => {
  let f: Record<string, unknown> = { source: 'x' };
  for (let i = 0; i < n; i++) f = { $not: f };
  return f;
};
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  http(stack.url, 'POST', path, body, { ...asAdmin, ...headers });

describe('input that got through or crashed', () => {
  it('a filter of 5,000 nested $not is a 400, not a 500 stack overflow', async () => {
    const vector = Array.from({ length: dimension }, () => 0.5);
    // Written as text: JSON.stringify of 5,000 levels would overflow this side's stack first.
    const deep = `${'{"$not": '.repeat(5_000)}{"source": "x"}${'}'.repeat(5_000)}`;
    const r = await post('/v1/vectors/search', `{"vector": ${JSON.stringify(vector)}, "filter": ${deep}}`);
    expect(r).toMatchObject({ status: 400, body: { code: 'JSON_TOO_DEEP' } });
    // Within the body's depth bound but past the filter's: the library's own limit answers.
    const r40 = await post('/v1/vectors/search', { vector, filter: nestedNot(40) });
    expect(r40).toMatchObject({ status: 400, body: { code: 'INVALID_FILTER' } });
    expect(r40.body.detail).toContain('nested more than 32 levels');
    expect((await post('/v1/vectors/search', { vector, filter: nestedNot(3) })).status).toBe(200);
  });

  it('only application/json (charset utf-8 at most) is a JSON body', async () => {
    const body = { content: 'media types', metadata: {} };
    for (const type of ['application/json.evil', 'application/json-seq', 'application/x-ndjson', 'text/plain']) {
      const r = await post('/v1/memory', JSON.stringify(body), { 'content-type': type });
      expect(r, type).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    }
    expect((await post('/v1/memory', JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
    const mcp = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), {
      'content-type': 'application/json-seq',
      accept: 'application/json, text/event-stream',
    });
    expect(mcp.status).toBe(415);
  });

  it('a __proto__ key is refused with its path, never silently dropped', async () => {
    const vector = Array.from({ length: dimension }, () => 0.5);
    const search = await post('/v1/vectors/search', `{"vector": ${JSON.stringify(vector)}, "filter": {"__proto__": {"source": "x"}}}`);
    expect(search).toMatchObject({ status: 400, body: { code: 'FORBIDDEN_KEY' } });
    expect(search.body.detail).toContain('body.filter.__proto__');
    const block = await post(
      '/v1/blocks',
      `{"name": "proto-perms", "blockClass": "documentation", "content": "secret", "permissions": {"__proto__": {"read": ["nobody"]}}}`,
    );
    expect(block).toMatchObject({ status: 400, body: { code: 'FORBIDDEN_KEY' } });
    expect(block.body.detail).toContain('body.permissions.__proto__');
    // Not stored open either: there is no such block.
    expect((await http(stack.url, 'GET', '/v1/blocks?name=proto-perms', undefined, asAlice)).body.blocks).toEqual([]);
    // A misspelt permission key is refused too, rather than dropped.
    const typo = await post('/v1/blocks', {
      name: 'typo-perms',
      blockClass: 'documentation',
      content: 'x',
      permissions: { reed: ['bob'] },
    });
    expect(typo.status).toBe(400);
  });

  it('a TTL of 1e300 is refused rather than stored as never expiring', async () => {
    const r = await post('/v1/blocks', { name: 'forever', blockClass: 'cache', content: 'x', ttlSeconds: 1e300 });
    expect(r).toMatchObject({ status: 400 });
    const meta = await post('/v1/blocks', { name: 'forever2', blockClass: 'cache', content: 'x', metadata: { ttl_seconds: 1e300 } });
    expect(meta.status).toBe(400);
    expect((await post('/v1/blocks', { name: 'a-day', blockClass: 'cache', content: 'x', ttlSeconds: 86_400 })).status).toBe(201);
  });

  it('GET /mcp without a session is a 405, not a stream held open forever', async () => {
    const res = await within(
      15_000,
      'GET /mcp',
      fetch(`${stack.url}/mcp`, { headers: { ...asAdmin, accept: 'text/event-stream' }, signal: AbortSignal.timeout(20_000) }),
    );
    expect(res.status).toBe(405);
    // A GET stream belongs to a session (its notifications): without one, only POST (initialize) and DELETE apply.
    expect(res.headers.get('allow')).toBe('POST, DELETE');
    await res.body?.cancel();
  });
});

describe('stats and conditional requests', () => {
  it('/v1/stats counts only the blocks the caller may read', async () => {
    for (const [name, read] of [
      ['stats-a', ['alice']],
      ['stats-b', ['bob']],
      ['stats-c', ['bob']],
    ] as const) {
      expect(
        (await post('/v1/blocks', { name, blockClass: 'documentation', content: name, permissions: { read, write: ['bob'] } })).status,
      ).toBe(201);
    }
    const listed = (await http(stack.url, 'GET', '/v1/blocks', undefined, asAlice)).body.blocks as { name: string }[];
    expect(listed.map((b) => b.name)).toContain('stats-a');
    expect(listed.map((b) => b.name)).not.toContain('stats-b');
    const aliceStats = (await http(stack.url, 'GET', '/v1/stats', undefined, asAlice)).body;
    const adminStats = (await http(stack.url, 'GET', '/v1/stats', undefined, asAdmin)).body;
    expect(aliceStats.blocks).toBe(listed.length);
    expect(adminStats.blocks).toBeGreaterThanOrEqual(listed.length + 2);
  });

  it('blocks send ETag "<version>", answer If-None-Match with 304 and check If-Match on PUT and DELETE', async () => {
    const created = await post('/v1/blocks', { name: 'etag-block', blockClass: 'documentation', content: 'v1' });
    expect(created.status).toBe(201);
    const path = `/v1/blocks/${created.body.id as string}`;
    const get = await fetch(`${stack.url}${path}`, { headers: asAdmin });
    expect(get.headers.get('etag')).toBe('"1"');
    await get.text();
    const notModified = await fetch(`${stack.url}${path}`, { headers: { ...asAdmin, 'if-none-match': '"1"' } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe('"1"');
    expect((await fetch(`${stack.url}${path}`, { headers: { ...asAdmin, 'if-none-match': '"7"' } })).status).toBe(200);

    const put = (content: string, headers: Record<string, string>, expectedVersion?: number) =>
      http(stack.url, 'PUT', path, { content, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, { ...asAdmin, ...headers });
    expect(await put('stale', { 'if-match': '"2"' })).toMatchObject({ status: 412 });
    expect(await put('weak', { 'if-match': 'W/"1"' })).toMatchObject({ status: 412, body: { code: 'PRECONDITION_FAILED' } });
    expect(await put('both', { 'if-match': '"1"' }, 2)).toMatchObject({ status: 400, body: { code: 'PRECONDITION_CONFLICT' } });
    const v2 = await fetch(`${stack.url}${path}`, {
      method: 'PUT',
      headers: { ...asAdmin, 'content-type': 'application/json', 'if-match': '"1"' },
      body: JSON.stringify({ content: 'v2' }),
    });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('"2"');
    await v2.text();
    expect(await put('v3', { 'if-match': '"0", "2"' })).toMatchObject({ status: 200, body: { version: 3 } });
    expect(await put('v4', { 'if-match': '*' })).toMatchObject({ status: 200, body: { version: 4 } });

    expect(await http(stack.url, 'DELETE', path, undefined, { ...asAdmin, 'if-match': '"3"' })).toMatchObject({ status: 412 });
    expect((await http(stack.url, 'GET', path, undefined, asAdmin)).body.content).toBe('v4');
    expect((await http(stack.url, 'DELETE', path, undefined, { ...asAdmin, 'if-match': '"4"' })).status).toBe(204);
  });

  it('vectors send an ETag too: If-None-Match gives 304, a stale If-Match on DELETE gives 412', async () => {
    const vector = Array.from({ length: dimension }, (_v, i) => i + 1);
    const { body } = await post('/v1/vectors', { vector, metadata: { kind: 'etag' } });
    const path = `/v1/vectors/${body.id as string}`;
    const get = await fetch(`${stack.url}${path}`, { headers: asAdmin });
    const tag = get.headers.get('etag')!;
    await get.text();
    expect(tag).toMatch(/^"[\w-]+"$/);
    expect((await fetch(`${stack.url}${path}`, { headers: { ...asAdmin, 'if-none-match': tag } })).status).toBe(304);
    expect((await http(stack.url, 'DELETE', path, undefined, { ...asAdmin, 'if-match': '"not-it"' })).status).toBe(412);
    expect((await http(stack.url, 'DELETE', path, undefined, { ...asAdmin, 'if-match': tag })).status).toBe(204);
  });

  it('the OpenAPI document lists the conditional headers and the new statuses', async () => {
    const doc = (await http(stack.url, 'GET', '/openapi.json', undefined, asAdmin)).body;
    const put = doc.paths['/v1/blocks/{id}'].put;
    expect(put.parameters.map((p: { name: string }) => p.name)).toContain('If-Match');
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['412', '415', '429', '503']));
    expect(Object.keys(doc.paths['/v1/blocks/{id}'].get.responses)).toContain('304');
  });
});
