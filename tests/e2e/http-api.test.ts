// End to end: `hvs-nvm start` as a real process, driven over HTTP — every route family, problem JSON on bad input, the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, HvsNvmHttpError } from '@hvs-nvm/client';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  http(stack.url, method, path, body, headers);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-http-');
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('hvs-nvm start serves the HTTP API', () => {
  it('prints its URLs as a JSON line and answers health on loopback', async () => {
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.info.mcpUrl).toBe(`${stack.url}/mcp`);
    const res = await call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('stores text as memory and finds it by meaning', async () => {
    const stored = await call('POST', '/v1/memory', {
      content: 'HyperSync is a distributed AI coordination system.',
      metadata: { topic: 'ai' },
    });
    expect(stored.status).toBe(201);
    await call('POST', '/v1/memory', { content: 'Bananas are yellow and rich in potassium.' });
    const found = await call('POST', '/v1/memory/search', { query: 'distributed AI coordination', k: 2 });
    expect(found.status).toBe(200);
    expect(found.body.results[0].id).toBe(stored.body.id);
    expect(found.body.results[0].content).toContain('HyperSync');
  });

  it('stores, retrieves, searches with a filter and deletes vectors', async () => {
    const dimension = (await call('GET', '/v1/stats')).body.hvs.dimension as number;
    const unit = (i: number) => Array.from({ length: dimension }, (_, j) => (j === i ? 1 : 0.01));
    const a = await call('POST', '/v1/vectors', { id: 'vec-a', vector: unit(0), metadata: { kind: 'test', n: 1 } });
    expect(a).toMatchObject({ status: 201, body: { id: 'vec-a' } });
    const batch = await call('POST', '/v1/vectors/batch', {
      items: [1, 2, 3].map((i) => ({ vector: unit(i), metadata: { kind: 'test', n: i + 1 } })),
    });
    expect(batch.body.ids).toHaveLength(3);
    const got = await call('GET', '/v1/vectors/vec-a');
    expect(got.status).toBe(200);
    expect(got.body.vector).toHaveLength(dimension);
    expect(got.body.metadata).toEqual({ kind: 'test', n: 1 });
    const search = await call('POST', '/v1/vectors/search', { vector: unit(0), k: 2, filter: { kind: 'test', n: { $gte: 1 } } });
    expect(search.body.results[0].id).toBe('vec-a');
    expect(search.body.results[0].vector).toBeUndefined();
    const exact = await call('POST', '/v1/vectors/search', { vector: unit(2), k: 1, exact: true, filter: { kind: 'test' } });
    expect(exact.body.results[0].metadata.n).toBe(3);
    expect((await call('DELETE', '/v1/vectors/vec-a')).status).toBe(204);
    expect((await call('GET', '/v1/vectors/vec-a')).status).toBe(404);
  });

  it('creates, reads, updates, lists and shows the history of blocks', async () => {
    const created = await call('POST', '/v1/blocks', {
      name: 'e2e_doc',
      blockClass: 'documentation',
      content: '# v1',
      metadata: { team: 'x' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.version).toBe(1);
    const updated = await call('PUT', `/v1/blocks/${id}`, { content: '# v2', expectedVersion: 1 });
    expect(updated.status).toBe(200);
    expect(updated.body.content).toBe('# v2');
    const stale = await call('PUT', `/v1/blocks/${id}`, { content: '# lost', expectedVersion: 1 });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('CONCURRENCY');
    expect((await call('GET', `/v1/blocks/${id}`)).body.content).toBe('# v2');
    expect((await call('GET', `/v1/blocks/${id}?version=1`)).body.content).toBe('# v1');
    const byName = await call('GET', '/v1/blocks?name=e2e_doc');
    expect(byName.body.blocks.map((b: { id: string }) => b.id)).toEqual([id]);
    const byClass = await call('GET', '/v1/blocks?class=documentation');
    expect(byClass.body.blocks.length).toBeGreaterThanOrEqual(1);
    const history = await call('GET', `/v1/blocks/${id}/history`);
    expect(history.body.versions.map((v: { content: string }) => v.content)).toEqual(['# v1', '# v2']);
    const json = await call('POST', '/v1/blocks', { name: 'e2e_state', blockClass: 'program_state', content: { step: 3 } });
    expect(JSON.parse(json.body.content)).toEqual({ step: 3 });
    expect((await call('DELETE', `/v1/blocks/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/blocks/${id}`)).status).toBe(404);
  });

  it('acts as the agent named in X-HVS-Actor, so block permissions hold', async () => {
    const priv = await call('POST', '/v1/blocks', {
      name: 'e2e_private',
      blockClass: 'program_state',
      content: 'secret plan',
      permissions: { read: ['model_a'], write: ['model_a'] },
    });
    expect(priv.status).toBe(201);
    expect((await call('GET', `/v1/blocks/${priv.body.id}`, undefined, { 'x-hvs-actor': 'model_a' })).body.content).toBe('secret plan');
    const denied = await call('GET', `/v1/blocks/${priv.body.id}`, undefined, { 'x-hvs-actor': 'model_b' });
    expect(denied).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    const listed = await call('GET', '/v1/blocks?name=e2e_private', undefined, { 'x-hvs-actor': 'model_b' });
    expect(listed.body.blocks).toEqual([]);
    const write = await call('PUT', `/v1/blocks/${priv.body.id}`, { content: 'overwritten' }, { 'x-hvs-actor': 'model_b' });
    expect(write.status).toBe(403);
  });

  it('delivers messages into durable mailboxes, oldest first, each once', async () => {
    await call('POST', '/v1/messages', { from: 'model_a', to: 'model_b', body: { task: 'analyze', n: 1 } });
    await call('POST', '/v1/messages', { from: 'model_a', to: 'model_b', body: 'second' });
    const first = await call('GET', '/v1/mailboxes/model_b/messages');
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m: { body: unknown }) => m.body)).toEqual([{ task: 'analyze', n: 1 }, 'second']);
    expect(first.body.messages[0].from).toBe('model_a');
    expect((await call('GET', '/v1/mailboxes/model_b/messages')).body.messages).toEqual([]);
  });

  it('adds facts and finds them by meaning', async () => {
    const fact = await call('POST', '/v1/facts', { subject: 'Paris', predicate: 'is the capital of', object: 'France', source: 'atlas' });
    expect(fact.status).toBe(201);
    await call('POST', '/v1/facts', { subject: 'Water', predicate: 'boils at', object: '100 degrees', source: 'physics' });
    const found = await call('POST', '/v1/facts/search', { query: 'capital of France', k: 1 });
    expect(found.body.facts[0]).toMatchObject({ subject: 'Paris', object: 'France', source: 'atlas', factId: fact.body.factId });
  });

  it('caches a value under the meaning of a key', async () => {
    expect((await call('POST', '/v1/cache/set', { key: 'what is the capital of France', value: { answer: 'Paris' } })).status).toBe(201);
    expect((await call('POST', '/v1/cache/get', { query: 'what is the capital of France' })).body).toEqual({
      hit: true,
      value: { answer: 'Paris' },
    });
    expect((await call('POST', '/v1/cache/get', { query: 'completely unrelated bananas', threshold: 0.99 })).body).toEqual({
      hit: false,
      value: null,
    });
  });

  it('answers HEAD like GET without a body, but never takes mail for a HEAD', async () => {
    const head = await fetch(`${stack.url}/v1/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
    expect((await fetch(`${stack.url}/openapi.json`, { method: 'HEAD' })).status).toBe(200);

    await call('POST', '/v1/messages', { from: 'model_a', to: 'head_box', body: 'keep me' });
    const mailHead = await fetch(`${stack.url}/v1/mailboxes/head_box/messages`, { method: 'HEAD' });
    expect(mailHead.status).toBe(405);
    expect(mailHead.headers.get('allow')).toBe('GET');
    expect((await call('GET', '/v1/mailboxes/head_box/messages')).body.messages.map((m: { body: unknown }) => m.body)).toEqual(['keep me']);
  });

  it('serves an OpenAPI document generated from the same schemas', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const search = doc.body.paths['/v1/vectors/search'].post;
    expect(search.requestBody.content['application/json'].schema.required).toContain('vector');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/memory', '/v1/blocks/{id}/history', '/v1/mailboxes/{model}/messages', '/v1/facts', '/v1/cache/get']),
    );
  });
});

describe('the typed client (@hvs-nvm/client) over the same server', () => {
  const client = () => createClient({ baseUrl: stack.url });

  it('stores memory and finds it by meaning', async () => {
    const c = client();
    const id = await c.store('Lighthouses guide ships along rocky coasts at night.', { metadata: { topic: 'sea' } });
    await c.store('Sourdough bread needs a lively starter.');
    const [best] = await c.query('what guides ships at night', { k: 2 });
    expect(best).toMatchObject({ id, content: expect.stringContaining('Lighthouses') });
  });

  it('stores, retrieves, searches with a filter and deletes vectors', async () => {
    const c = client();
    const { dimension } = (await c.stats()).hvs;
    const unit = (i: number) => Array.from({ length: dimension }, (_, j) => (j === i ? 1 : 0.01));
    expect(await c.storeVector(unit(5), { kind: 'client', n: 1 }, { id: 'client-a' })).toBe('client-a');
    expect(await c.batchStoreVectors([6, 7].map((i) => ({ vector: unit(i), metadata: { kind: 'client', n: i } })))).toHaveLength(2);
    const got = await c.retrieveVector('client-a');
    expect(got.vector).toHaveLength(dimension);
    expect(got.metadata).toEqual({ kind: 'client', n: 1 });
    const hits = await c.semanticSearch(unit(5), { k: 2, filter: { kind: 'client' } });
    expect(hits[0]!.id).toBe('client-a');
    expect(hits[0]!.vector).toBeUndefined();
    expect(await c.deleteVector('client-a')).toBe(true);
    expect(await c.deleteVector('client-a')).toBe(false);
    await expect(c.retrieveVector('client-a')).rejects.toMatchObject({ status: 404, code: 'VECTOR_NOT_FOUND' });
  });

  it('creates, reads, updates, patches and lists blocks, with versions and history', async () => {
    const c = client();
    const block = await c.createBlock({ name: 'client_doc', blockClass: 'program_state', content: { items: [1] } });
    expect(block.version).toBe(1);
    const v2 = await c.updateBlock(block.id, { items: [1, 2] }, { expectedVersion: 1 });
    expect(v2.version).toBe(2);
    const stale = await c.updateBlock(block.id, { items: [] }, { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(HvsNvmHttpError);
    expect(stale).toMatchObject({ status: 412, code: 'CONCURRENCY' });
    const v3 = await c.patchBlock(block.id, [{ op: 'add', path: '/items/-', value: 3 }], { expectedVersion: 2 });
    expect(JSON.parse(v3.content)).toEqual({ items: [1, 2, 3] });
    expect(JSON.parse((await c.getBlock(block.id, { version: 1 })).content)).toEqual({ items: [1] });
    expect((await c.listBlocks({ name: 'client_doc' })).map((b) => b.id)).toEqual([block.id]);
    expect((await c.blockHistory(block.id)).map((v) => v.version)).toEqual([1, 2, 3]);
    await c.deleteBlock(block.id);
    await expect(c.getBlock(block.id)).rejects.toMatchObject({ status: 404, code: 'BLOCK_NOT_FOUND' });
  });

  it('sends and receives messages as an agent, and refuses an unknown field', async () => {
    const alice = createClient({ baseUrl: stack.url, actor: 'client_alice' });
    await alice.sendMessage('client_alice', 'client_bob', { task: 'review' });
    expect((await client().receiveMessages('client_bob')).map((m) => m.body)).toEqual([{ task: 'review' }]);
    const typo = await alice.raw.POST('/v1/memory', { body: { content: 'x', contnet: 'typo' } as never });
    expect(typo.response.status).toBe(400);
    expect(typo.error).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringContaining('contnet') });
  });

  it('adds facts, caches values and reports health', async () => {
    const c = client();
    const fact = await c.addFact('Oslo', 'is the capital of', 'Norway', 'atlas');
    expect((await c.queryFacts('capital of Norway', 1))[0]).toMatchObject({ factId: fact.factId, subject: 'Oslo' });
    await c.cacheSet('what is the capital of Norway', { answer: 'Oslo' });
    expect(await c.cacheGet('what is the capital of Norway')).toEqual({ answer: 'Oslo' });
    expect(await c.cacheGet('entirely unrelated pineapples', { threshold: 0.99 })).toBeNull();
    expect((await c.health()).status).toBe('ok');
  });
});

describe('bad HTTP input gets problem JSON and changes nothing', () => {
  const cases: [string, string, string, unknown, number, string][] = [
    ['malformed JSON', 'POST', '/v1/vectors', '{"vector": [1,', 400, 'INVALID_JSON'],
    ['a vector of the wrong type', 'POST', '/v1/vectors', { vector: 'abc' }, 400, 'INVALID_REQUEST'],
    ['a vector of the wrong dimension', 'POST', '/v1/vectors', { vector: [1, 2, 3] }, 400, 'DIMENSION_MISMATCH'],
    ['metadata that is not an object', 'POST', '/v1/memory', { content: 'x', metadata: [1, 2] }, 400, 'INVALID_REQUEST'],
    ['empty memory content', 'POST', '/v1/memory', { content: '' }, 400, 'INVALID_REQUEST'],
    ['blank memory content', 'POST', '/v1/memory', { content: '   \n\t' }, 400, 'INVALID_REQUEST'],
    ['a blank memory query', 'POST', '/v1/memory/search', { query: '   ' }, 400, 'INVALID_REQUEST'],
    ['a blank fact query', 'POST', '/v1/facts/search', { query: ' ' }, 400, 'INVALID_REQUEST'],
    ['a bad percent-escape in the path', 'GET', '/v1/vectors/%E0%A4%A', undefined, 400, 'INVALID_PATH'],
    ['GET on the search route', 'GET', '/v1/vectors/search', undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['GET on the batch route', 'GET', '/v1/vectors/batch', undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['an unknown block class', 'POST', '/v1/blocks', { name: 'bad_block', blockClass: 'nonsense', content: 'x' }, 400, 'INVALID_REQUEST'],
    ['k of zero', 'POST', '/v1/vectors/search', { vector: [1], k: 0 }, 400, 'INVALID_REQUEST'],
    ['a message without a body', 'POST', '/v1/messages', { from: 'a', to: 'b' }, 400, 'INVALID_REQUEST'],
    ['a fact missing its source', 'POST', '/v1/facts', { subject: 's', predicate: 'p', object: 'o' }, 400, 'INVALID_REQUEST'],
    ['an unknown route', 'GET', '/v1/nothing-here', undefined, 404, 'NOT_FOUND'],
    ['a missing vector', 'GET', '/v1/vectors/no-such-id', undefined, 404, 'VECTOR_NOT_FOUND'],
    ['a missing block', 'GET', '/v1/blocks/no-such-block', undefined, 404, 'BLOCK_NOT_FOUND'],
  ];

  it.each(cases)('%s', async (_name, method, path, body, status, code) => {
    const before = (await call('GET', '/v1/stats')).body;
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    const after = (await call('GET', '/v1/stats')).body;
    expect(after.hvs.position).toBe(before.hvs.position);
    expect(after.nvm.position).toBe(before.nvm.position);
  });

  it('a 405 names the allowed methods in Allow', async () => {
    const res = await fetch(`${stack.url}/v1/vectors/search`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('a bad filter is a typed 400', async () => {
    const dimension = (await call('GET', '/v1/stats')).body.hvs.dimension as number;
    const res = await call('POST', '/v1/vectors/search', { vector: new Array(dimension).fill(1), k: 1, filter: { a: { $regex: 'x' } } });
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_FILTER' } });
  });
});

describe('bearer token', () => {
  it('requires the token on every route when one is set', async () => {
    const dir = tempDir('hvs-nvm-e2e-token-');
    const token = 'e2e-secret-token-0123456789';
    const secured = await startStack(dir.dir, ['--token', token]);
    try {
      const anon = await http(secured.url, 'GET', '/v1/health');
      expect(anon.status).toBe(401);
      expect(anon.body.code).toBe('UNAUTHORIZED');
      expect((await http(secured.url, 'GET', '/v1/health', undefined, { authorization: 'Bearer wrong-token-wrong-token!' })).status).toBe(
        401,
      );
      expect((await http(secured.url, 'GET', '/v1/health', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await createClient({ baseUrl: secured.url, token }).health()).status).toBe('ok');
      await expect(createClient({ baseUrl: secured.url }).stats()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      // The OpenAPI document too: it lists every route and schema, which is for callers who may use them.
      expect(await http(secured.url, 'GET', '/openapi.json')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      expect((await http(secured.url, 'GET', '/openapi.json', undefined, { authorization: `Bearer ${token}` })).body.openapi).toBe('3.1.0');
    } finally {
      expect(await secured.stop()).toBe(0);
      dir.remove();
    }
  });

  it('refuses to listen on a non-loopback host without a token', async () => {
    const dir = tempDir('hvs-nvm-e2e-bind-');
    try {
      const res = await cli(['start', '--data-dir', dir.dir, '--host', '0.0.0.0', '--port', '0', '--json']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('INSECURE_BIND');
    } finally {
      dir.remove();
    }
  });
});
