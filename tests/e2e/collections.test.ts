// End to end: collections on a real `hvs-nvm start` — a user's own 3-d vectors in `default` (`--dimension 3`) while
// memory keeps working in `memory`, 3-d euclidean and hyperboloid collections, list, 404s, 409s, who may create and
// delete, deletion (its data gone, others untouched), and a restart that keeps every collection's shape.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient, HvsNvmHttpError } from '@hvs-nvm/client';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

const ADMIN = 'admin-token-0123456789';
const ALICE = 'alice-token-0123456789';
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let flags: string[];
const as = (token: string) => (method: string, path: string, body?: unknown) =>
  http(stack.url, method, path, body, { authorization: `Bearer ${token}` });
const call = as(ADMIN);
const alice = as(ALICE);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-collections-');
  const tokens = join(tmp.dir, 'agent-tokens.json');
  writeFileSync(tokens, JSON.stringify({ [ALICE]: 'alice' }));
  flags = ['--token', ADMIN, '--agent-tokens', tokens];
  stack = await startStack(join(tmp.dir, 'data'), ['--dimension', '3', '--geometry', 'euclidean', ...flags]);
}, 90_000);
afterAll(async () => {
  expect(await stack?.stop()).toBe(0);
  tmp.remove();
});

describe('collections', () => {
  it('`start --dimension 3`: the default collection takes a user’s own 3-d vectors on /v1/vectors', async () => {
    expect(await call('POST', '/v1/vectors', { id: 'p1', vector: [1, 0, 0], metadata: { n: 1 } })).toMatchObject({ status: 201 });
    await call('POST', '/v1/vectors/batch', {
      items: [
        { id: 'p2', vector: [0, 1, 0] },
        { id: 'p3', vector: [0, 0, 1] },
      ],
    });
    const found = await call('POST', '/v1/vectors/search', { vector: [0.9, 0.1, 0], k: 1 });
    expect(found.body.results.map((r: { id: string }) => r.id)).toEqual(['p1']);
    // The same routes under the default collection's name.
    expect((await call('GET', '/v1/collections/default/vectors/p2')).body.vector).toEqual([0, 1, 0]);
    const wrong = await call('POST', '/v1/vectors', { vector: [1, 2, 3, 4] });
    expect(wrong.status).toBe(400);
  });

  it('memory store and search keep working, in their own collection', async () => {
    const stored = await call('POST', '/v1/memory', { content: 'HyperSync coordinates distributed AI agents.' });
    expect(stored.status).toBe(201);
    await call('POST', '/v1/memory', { content: 'Bananas are yellow.' });
    const found = await call('POST', '/v1/memory/search', { query: 'distributed AI agents', k: 1 });
    expect(found.body.results[0].id).toBe(stored.body.id);
    const listed = await call('GET', '/v1/collections');
    expect(listed.status).toBe(200);
    const byName = Object.fromEntries(listed.body.collections.map((c: { name: string }) => [c.name, c]));
    expect(byName['default']).toMatchObject({ dimension: 3, geometry: 'euclidean', M: 16, efConstruction: 200, ef: 64 });
    expect(byName['memory']).toMatchObject({ geometry: 'spherical' });
    expect(byName['memory'].dimension).not.toBe(3);
  });

  it('creates 3-d euclidean and hyperboloid collections, stores and searches in each, and lists them', async () => {
    const points = await call('POST', '/v1/collections', { name: 'points', dimension: 3, geometry: 'euclidean', M: 8, ef: 32 });
    expect(points).toMatchObject({
      status: 201,
      body: { name: 'points', dimension: 3, geometry: 'euclidean', M: 8, ef: 32, created: true },
    });
    const tree = await call('POST', '/v1/collections', { name: 'tree', dimension: 3, geometry: 'hyperboloid' });
    expect(tree.status).toBe(201);

    // The same ids in two collections are two vectors.
    await call('POST', '/v1/collections/points/vectors/batch', {
      items: [
        { id: 'a', vector: [10, 0, 0], metadata: { in: 'points' } },
        { id: 'b', vector: [0, 10, 0], metadata: { in: 'points' } },
      ],
    });
    await call('POST', '/v1/collections/tree/vectors', { id: 'a', vector: [0.1, 0, 0], metadata: { in: 'tree' } });
    await call('POST', '/v1/collections/tree/vectors', { id: 'root', vector: [0, 0, 0], metadata: { in: 'tree' } });
    expect((await call('GET', '/v1/collections/points/vectors/a')).body).toMatchObject({ vector: [10, 0, 0], metadata: { in: 'points' } });
    expect((await call('GET', '/v1/collections/tree/vectors/a')).body.metadata).toEqual({ in: 'tree' });
    const near = await call('POST', '/v1/collections/points/vectors/search', { vector: [0, 9, 0], k: 1 });
    expect(near.body.results).toMatchObject([{ id: 'b', metadata: { in: 'points' } }]);
    const hyper = await call('POST', '/v1/collections/tree/vectors/search', { vector: [0.01, 0, 0], k: 2 });
    expect(hyper.body.results.map((r: { id: string }) => r.id)).toEqual(['root', 'a']);
    // 3-d vectors of `default` are not in either.
    expect((await call('GET', '/v1/collections/points/vectors/p1')).status).toBe(404);

    const info = await call('GET', '/v1/collections/points');
    expect(info).toMatchObject({ status: 200, body: { name: 'points', dimension: 3, vectors: 2 } });
    const names = (await call('GET', '/v1/collections')).body.collections.map((c: { name: string }) => c.name);
    expect(names).toEqual(['default', 'memory', 'points', 'tree']);
  });

  it('re-create: the same settings are a 200, other ones a 409', async () => {
    const same = await call('POST', '/v1/collections', { name: 'points', dimension: 3, geometry: 'euclidean', M: 8, ef: 32 });
    expect(same).toMatchObject({ status: 200, body: { created: false } });
    const other = await call('POST', '/v1/collections', { name: 'points', dimension: 4 });
    expect(other).toMatchObject({ status: 409, body: { code: 'COLLECTION_MISMATCH' } });
    expect(other.body.detail).toContain('dimension 3');
    const index = await call('POST', '/v1/collections', { name: 'points', dimension: 3, M: 32 });
    expect(index.status).toBe(409);
    // The default collection's shape is fixed too.
    expect((await call('POST', '/v1/collections', { name: 'default', dimension: 5 })).status).toBe(409);
    const bad = await call('POST', '/v1/collections', { name: 'no.dots', dimension: 3 });
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
    expect((await call('POST', '/v1/collections', { name: 'x', dimension: 3, metric: 'cosine' })).status).toBe(400);
  });

  it('404 for an unknown collection, on every route', async () => {
    expect(await call('GET', '/v1/collections/nope')).toMatchObject({ status: 404, body: { code: 'COLLECTION_NOT_FOUND' } });
    expect((await call('POST', '/v1/collections/nope/vectors', { vector: [1, 2, 3] })).body.code).toBe('COLLECTION_NOT_FOUND');
    expect((await call('POST', '/v1/collections/nope/vectors/search', { vector: [1, 2, 3] })).status).toBe(404);
    expect((await call('DELETE', '/v1/collections/nope')).status).toBe(404);
  });

  it('agents use collections like vectors, but only the admin token creates or deletes them', async () => {
    expect((await alice('POST', '/v1/collections/points/vectors', { id: 'c', vector: [0, 0, 10] })).status).toBe(201);
    expect((await alice('POST', '/v1/collections/points/vectors/search', { vector: [0, 0, 9], k: 1 })).body.results[0].id).toBe('c');
    expect((await alice('GET', '/v1/collections')).status).toBe(200);
    expect(await alice('POST', '/v1/collections', { name: 'mine', dimension: 2 })).toMatchObject({
      status: 403,
      body: { code: 'PERMISSION_DENIED' },
    });
    expect((await alice('DELETE', '/v1/collections/points')).status).toBe(403);
    expect((await call('GET', '/v1/collections/mine')).status).toBe(404);
    expect((await http(stack.url, 'GET', '/v1/collections')).status).toBe(401);
  });

  it('delete: `default` and `memory` are refused; a collection’s data goes, the others’ stay', async () => {
    expect(await call('DELETE', '/v1/collections/default')).toMatchObject({ status: 409, body: { code: 'COLLECTION_PROTECTED' } });
    expect((await call('DELETE', '/v1/collections/memory')).status).toBe(409);

    expect((await call('DELETE', '/v1/collections/points')).status).toBe(204);
    expect((await call('GET', '/v1/collections/points')).status).toBe(404);
    expect((await call('GET', '/v1/collections/points/vectors/a')).status).toBe(404);
    expect((await call('GET', '/v1/collections')).body.collections.map((c: { name: string }) => c.name)).toEqual([
      'default',
      'memory',
      'tree',
    ]);
    // Untouched: the other collection, the default one, memory.
    expect((await call('GET', '/v1/collections/tree/vectors/a')).body.metadata).toEqual({ in: 'tree' });
    expect((await call('GET', '/v1/vectors/p1')).status).toBe(200);
    expect((await call('POST', '/v1/memory/search', { query: 'distributed AI agents', k: 1 })).body.results).toHaveLength(1);

    // Created again, it is new and empty, with the new settings.
    const again = await call('POST', '/v1/collections', { name: 'points', dimension: 2 });
    expect(again).toMatchObject({ status: 201, body: { dimension: 2, geometry: 'euclidean', M: 16 } });
    expect((await call('GET', '/v1/collections/points')).body.vectors).toBe(0);
    expect((await call('GET', '/v1/collections/points/vectors/a')).status).toBe(404);
  });

  it('the typed client: createCollection, collection(name) vector methods, getCollection, deleteCollection', async () => {
    const client = createClient({ baseUrl: stack.url, token: ADMIN });
    expect(await client.createCollection({ name: 'typed', dimension: 2 })).toMatchObject({ created: true, dimension: 2 });
    const typed = client.collection('typed');
    await typed.storeVector([1, 0], { k: 'x' }, { id: 'x' });
    await typed.batchStoreVectors([{ id: 'y', vector: [0, 1] }]);
    expect((await typed.semanticSearch([0.1, 1], { k: 1 }))[0]!.id).toBe('y');
    expect((await typed.retrieveVector('x')).metadata).toEqual({ k: 'x' });
    expect(await typed.deleteVector('x')).toBe(true);
    expect(await typed.deleteVector('x')).toBe(false);
    expect((await client.getCollection('typed')).vectors).toBe(1);
    expect((await client.listCollections()).map((c) => c.name)).toContain('typed');
    expect(await client.deleteCollection('typed')).toBe(true);
    expect(await client.deleteCollection('typed')).toBe(false);
    await expect(client.collection('typed').storeVector([1, 0])).rejects.toThrow(HvsNvmHttpError);
  });

  it('MCP: store_vector and search_vectors take a collection (default: `default`), list_collections lists them', async () => {
    const client = new Client({ name: 'collections-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(stack.info.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${ALICE}` } } }),
    );
    type Result = { isError?: boolean; content: { text: string }[] };
    const tool = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
    const json = (r: Result) => JSON.parse(r.content.at(-1)!.text) as Record<string, unknown>;
    try {
      expect(json(await tool('store_vector', { collection: 'tree', id: 'leaf', vector: [0.5, 0.5, 0], metadata: { via: 'mcp' } }))).toEqual(
        {
          id: 'leaf',
        },
      );
      const hits = json(await tool('search_vectors', { collection: 'tree', vector: [0.5, 0.5, 0], k: 1 })) as { results: { id: string }[] };
      expect(hits.results[0]!.id).toBe('leaf');
      const inDefault = json(await tool('search_vectors', { vector: [1, 0, 0], k: 1 })) as { results: { id: string }[] };
      expect(inDefault.results[0]!.id).toBe('p1');
      const listed = json(await tool('list_collections', {})) as { collections: { name: string }[] };
      expect(listed.collections.map((c) => c.name)).toContain('tree');
      const unknown = await tool('store_vector', { collection: 'nope', vector: [1, 2, 3] });
      expect(unknown.isError).toBe(true);
      expect(unknown.content[0]!.text).toContain('COLLECTION_NOT_FOUND');
      expect((await tool('store_vector', { vector: [1, 2] })).isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a restart without --dimension keeps every collection’s shape and data', async () => {
    expect(await stack.stop()).toBe(0);
    stack = await startStack(join(tmp.dir, 'data'), flags);
    expect(stack.info).toMatchObject({ collections: { default: { dimension: 3, geometry: 'euclidean' }, memory: 'memory' } });
    expect((await call('POST', '/v1/vectors/search', { vector: [0, 0, 1], k: 1 })).body.results[0].id).toBe('p3');
    expect((await call('GET', '/v1/collections/tree/vectors/root')).status).toBe(200);
    expect((await call('GET', '/v1/collections/points')).body).toMatchObject({ dimension: 2, vectors: 0 });
    expect((await call('POST', '/v1/memory/search', { query: 'distributed AI agents', k: 1 })).body.results[0].content).toContain(
      'HyperSync',
    );
  }, 90_000);

  it('the CLI: collections ls | create | show | rm on the data dir', async () => {
    const data = ['--data-dir', join(tmp.dir, 'data'), '--json'];
    // Not beside the running server, which holds the collections open.
    const served = await cli(['collections', 'rm', 'tree', ...data]);
    expect(served.code).not.toBe(0);
    expect(served.stderr).toContain('DATA_DIR_SERVED');
    expect(await stack.stop()).toBe(0);
    const ls = await cli(['collections', 'ls', ...data]);
    expect(ls.code, ls.stderr).toBe(0);
    const names = (ls.json[0] as { collections: { name: string }[] }).collections.map((c) => c.name);
    expect(names).toEqual(['default', 'memory', 'points', 'tree']);
    const created = await cli(['collections', 'create', 'cli3', '--dimension', '3', '--geometry', 'hyperboloid', '--m', '12', ...data]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json[0]).toMatchObject({ name: 'cli3', dimension: 3, geometry: 'hyperboloid', M: 12, created: true });
    const mismatch = await cli(['collections', 'create', 'cli3', '--dimension', '4', ...data]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('COLLECTION_MISMATCH');
    const shown = await cli(['collections', 'show', 'tree', ...data]);
    expect(shown.json[0]).toMatchObject({ name: 'tree', geometry: 'hyperboloid', vectors: 3 });
    expect((await cli(['collections', 'rm', 'tree', ...data])).code).toBe(0);
    expect((await cli(['collections', 'show', 'tree', ...data])).code).toBe(3);
    const refused = await cli(['collections', 'rm', 'default', ...data]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('COLLECTION_PROTECTED');
    // import --collection: a user's 2-d vectors into the (re-created, 2-d) `points`.
    const file = join(tmp.dir, 'points.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'i1', vector: [1, 2] })}\n${JSON.stringify({ id: 'i2', vector: [3, 4] })}\n`);
    const imported = await cli(['import', file, '--collection', 'points', '--no-progress', ...data]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await cli(['collections', 'show', 'points', ...data])).json[0]).toMatchObject({ dimension: 2, vectors: 2 });
    expect((await cli(['import', file, '--collection', 'nope', '--no-progress', ...data])).code).toBe(3);
    const after = await cli(['collections', 'ls', ...data]);
    expect((after.json[0] as { collections: { name: string }[] }).collections.map((c) => c.name)).toEqual([
      'cli3',
      'default',
      'memory',
      'points',
    ]);
  }, 120_000);
});
