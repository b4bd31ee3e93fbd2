// End to end: as-of reads through `hvs-nvm start` — `?asOf=` (a cut from GET /v1/cut, or a time) on the read routes,
// the MCP tools' `as_of`, and the CLI's `--as-of` with `hvs-nvm cut` — across memory, blocks, mailboxes and facts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let cut: string;
let time: string;
let blockId: string;
const call = (method: string, path: string, body?: unknown) => http(stack.url, method, path, body);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-asof-');
  stack = await startStack(tmp.dir);
  expect((await call('POST', '/v1/memory', { content: 'Lighthouses guide ships along the rocky coast.' })).status).toBe(201);
  const block = await call('POST', '/v1/blocks', { name: 'asof_doc', blockClass: 'documentation', content: 'first draft' });
  blockId = block.body.id;
  expect((await call('POST', '/v1/facts', { subject: 'sea', predicate: 'is', object: 'salty', source: 'e2e' })).status).toBe(201);
  expect((await call('POST', '/v1/messages', { from: 'agent_a', to: 'agent_b', body: { n: 1 } })).status).toBe(201);
  const now = await call('GET', '/v1/cut');
  expect(now.status).toBe(200);
  cut = `hvs:${now.body.hvs},mail:${now.body.mail},nvm:${now.body.nvm}`;
  await new Promise((r) => setTimeout(r, 30));
  time = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 30));
  expect((await call('POST', '/v1/memory', { content: 'Lighthouses now use LED lamps on the rocky coast.' })).status).toBe(201);
  expect((await call('PUT', `/v1/blocks/${blockId}`, { content: 'second draft' })).status).toBe(200);
  expect((await call('POST', '/v1/facts', { subject: 'sea', predicate: 'is', object: 'deep', source: 'e2e' })).status).toBe(201);
  expect((await call('POST', '/v1/messages', { from: 'agent_a', to: 'agent_b', body: { n: 2 } })).status).toBe(201);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('?asOf= on the read routes', () => {
  it.each([
    ['a cut', () => cut],
    ['a time', () => time],
  ])('answers memory, blocks, mailboxes and facts as they were at %s', async (_label, point) => {
    const q = `asOf=${encodeURIComponent(point())}`;
    const memory = await call('POST', `/v1/memory/search?${q}`, { query: 'lighthouse rocky coast', k: 5 });
    expect(memory.status).toBe(200);
    const contents = memory.body.results.map((r: { content: string }) => r.content);
    expect(contents).toContain('Lighthouses guide ships along the rocky coast.');
    expect(contents).not.toContain('Lighthouses now use LED lamps on the rocky coast.');
    expect((await call('GET', `/v1/blocks/${blockId}?${q}`)).body).toMatchObject({ content: 'first draft', version: 1 });
    expect((await call('GET', `/v1/blocks/${blockId}/history?${q}`)).body.versions).toHaveLength(1);
    const listed = await call('GET', `/v1/blocks?name=asof_doc&${q}`);
    expect(listed.body.blocks.map((b: { content: string }) => b.content)).toEqual(['first draft']);
    const facts = await call('POST', `/v1/facts/search?${q}`, { query: 'sea', k: 5 });
    expect(facts.body.facts.map((f: { object: string }) => f.object)).toEqual(['salty']);
    const mail = await call('GET', `/v1/mailboxes/agent_b/messages?${q}`);
    expect(mail.status).toBe(200);
    expect(mail.body.messages.map((m: { body: unknown }) => m.body)).toEqual([{ n: 1 }]);
  });

  it('reads without asOf see the live world, and a view took nothing from the live mailbox', async () => {
    expect((await call('GET', `/v1/blocks/${blockId}`)).body.content).toBe('second draft');
    const mail = await call('GET', '/v1/mailboxes/agent_b/messages');
    expect(mail.body.messages.map((m: { body: unknown }) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('refuses an asOf that is neither a time nor a cut with 400', async () => {
    const bad = await call('GET', `/v1/blocks/${blockId}?asOf=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_AS_OF');
  });
});

describe('MCP as_of', () => {
  it('the read tools answer as of a cut', async () => {
    const client = new Client({ name: 'e2e-asof', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl)));
    try {
      const result = (await client.callTool({ name: 'get_block', arguments: { id: blockId, as_of: cut } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(result.isError ?? false).toBe(false);
      expect(JSON.parse(result.content.at(-1)!.text)).toMatchObject({ content: 'first draft' });
      const facts = (await client.callTool({ name: 'query_facts', arguments: { query: 'sea', as_of: cut } })) as {
        content: { text: string }[];
      };
      expect(JSON.parse(facts.content.at(-1)!.text).facts.map((f: { object: string }) => f.object)).toEqual(['salty']);
    } finally {
      await client.close();
    }
  });
});

describe('CLI --as-of', () => {
  it('hvs-nvm cut prints a cut that --as-of reads back, and writes under --as-of are refused', async () => {
    const printed = await cli(['cut', '--data-dir', tmp.dir, '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    expect((printed.json[0] as { asOf: string }).asOf).toMatch(/^hvs:\d+,mail:\d+,nvm:\d+$/);
    const got = await cli(['blocks', 'get', blockId, '--data-dir', tmp.dir, '--as-of', cut, '--json']);
    expect(got.code, got.stderr).toBe(0);
    expect(got.json[0]).toMatchObject({ content: 'first draft' });
    const refused = await cli(['store', 'nope', '--data-dir', tmp.dir, '--as-of', cut, '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('READ_ONLY_VIEW');
  });
});
