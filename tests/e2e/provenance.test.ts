// End to end: sources over HTTP — a cached answer stops being served once its source block changes, memories and
// facts record what they came from, and GET /v1/provenance/{id} walks the links both ways.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { http, startStack, tempDir, type Stack } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-provenance-');
  stack = await startStack(tmp.dir);
});
afterAll(async () => {
  expect(await stack.stop()).toBe(0);
  tmp.remove();
});

it('a cache entry with a source block is a hit until the block is updated, then a miss', async () => {
  const block = await http(stack.url, 'POST', '/v1/blocks', { name: 'price_list', blockClass: 'documentation', content: 'tea: 3' });
  expect(block.status).toBe(201);
  const set = await http(stack.url, 'POST', '/v1/cache/set', { key: 'how much is tea?', value: '3', sources: [block.body.id] });
  expect(set.status).toBe(201);
  expect((await http(stack.url, 'POST', '/v1/cache/get', { query: 'how much is tea?' })).body).toEqual({ hit: true, value: '3' });
  expect((await http(stack.url, 'PUT', `/v1/blocks/${block.body.id}`, { content: 'tea: 4' })).status).toBe(200);
  await expect.poll(async () => (await http(stack.url, 'POST', '/v1/cache/get', { query: 'how much is tea?' })).body.hit).toBe(false);
});

it('provenance of a memory, a fact and a cache entry, both ways', async () => {
  const block = await http(stack.url, 'POST', '/v1/blocks', { name: 'minutes', blockClass: 'documentation', content: 'we agreed' });
  const memory = await http(stack.url, 'POST', '/v1/memory', { content: 'They agreed.', sources: [block.body.id] });
  expect(memory.status).toBe(201);
  const fact = await http(stack.url, 'POST', '/v1/facts', {
    subject: 'team',
    predicate: 'agreed',
    object: 'plan',
    source: 'minutes',
    sources: [{ id: memory.body.id, version: 1 }],
  });
  expect(fact.status).toBe(201);
  expect(fact.body.sources).toEqual(expect.arrayContaining([{ id: memory.body.id, kind: 'vector', version: 1 }]));
  const entry = await http(stack.url, 'POST', '/v1/cache/set', { key: 'did they agree?', value: 'yes', sources: [fact.body.factId] });

  const ofMemory = await http(stack.url, 'GET', `/v1/provenance/${memory.body.id}`);
  expect(ofMemory.status).toBe(200);
  expect(ofMemory.body).toEqual({
    id: memory.body.id,
    derivedFrom: [{ id: block.body.id, kind: 'block', version: 1, current: true }],
    derivatives: [{ id: fact.body.factId, kind: 'fact' }],
  });
  const ofBlock = await http(stack.url, 'GET', `/v1/provenance/${block.body.id}`);
  expect(ofBlock.body.derivatives).toEqual(expect.arrayContaining([{ id: memory.body.id, kind: 'memory' }]));
  const ofFact = await http(stack.url, 'GET', `/v1/provenance/${fact.body.factId}`);
  expect(ofFact.body.derivatives).toEqual([{ id: entry.body.id, kind: 'cache_entry' }]);

  await http(stack.url, 'PUT', `/v1/blocks/${block.body.id}`, { content: 'we did not agree' });
  const after = await http(stack.url, 'GET', `/v1/provenance/${memory.body.id}`);
  expect(after.body.derivedFrom).toEqual([{ id: block.body.id, kind: 'block', version: 1, current: false }]);
  expect((await http(stack.url, 'GET', '/v1/provenance/no-such-thing')).status).toBe(404);
});

it('bad sources are a typed 400 and store nothing', async () => {
  const unknown = await http(stack.url, 'POST', '/v1/cache/set', { key: 'k', value: 1, sources: ['no-such-source'] });
  expect(unknown.status).toBe(400);
  expect(unknown.body.code).toBe('UNKNOWN_SOURCE');
  const badShape = await http(stack.url, 'POST', '/v1/memory', { content: 'x', sources: [{ id: 'a', version: 0 }] });
  expect(badShape.status).toBe(400);
  expect(badShape.body.code).toBe('INVALID_REQUEST');
  const badId = await http(stack.url, 'POST', '/v1/facts', { subject: 's', predicate: 'p', object: 'o', source: 'x', sources: ['a b'] });
  expect(badId.status).toBe(400);
  expect(badId.body.code).toBe('INVALID_ARGUMENT');
});
