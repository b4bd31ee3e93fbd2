// Reserved identities, system blocks and reserved metadata on a real `hvs-nvm start` with agent tokens: no agent is
// 'system', the patterns' blocks are the system's (and heal when deleted), and raw vectors cannot pass as facts or cache entries.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { cli, http, startStack, tempDir, type Stack } from '../e2e/stack.js';

const ADMIN = 'reserved-admin-token-0123456789';
let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
const tokens: Record<string, string> = {};

function as(who: 'admin' | 'alice' | 'bob', method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const token = who === 'admin' ? ADMIN : tokens[who]!;
  return http(stack.url, method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-reserved-');
  const file = join(tmp.dir, 'agent-tokens.json');
  const generated = await cli(['auth', 'tokens', '--agent', 'alice,bob', '-o', file, '--json']);
  expect(generated.code, generated.stderr).toBe(0);
  for (const { agent, token } of (generated.json[0] as { tokens: { agent: string; token: string }[] }).tokens) tokens[agent] = token;
  stack = await startStack(tmp.dir, ['--token', ADMIN, '--agent-tokens', file]);
});
afterAll(async () => {
  await stack?.stop();
  tmp.remove();
});

describe('reserved identities', () => {
  it('no token is minted for system, *, or an id with wildcards, dots or spaces', async () => {
    for (const id of ['system', 'System', '*', 'a.b', 'bob.>', 'a*', 'two words']) {
      const out = join(tmp.dir, `tokens-${Buffer.from(id).toString('hex')}.json`);
      const r = await cli(['auth', 'tokens', '--agent', id, '-o', out]);
      expect(r.code, `${id}: ${r.stderr}`).toBe(2);
      expect(existsSync(out), id).toBe(false);
    }
    const nats = await cli(['auth', 'generate', '--agent', 'system', '-o', join(tmp.dir, 'nats-auth.conf')]);
    expect(nats.code, nats.stderr).toBe(2);
  });

  it('a tokens file naming system is refused at start', async () => {
    const file = join(tmp.dir, 'system-tokens.json');
    writeFileSync(file, JSON.stringify({ 'hand-written-token-for-system-0123': 'system' }));
    const r = await cli(['start', '--data-dir', join(tmp.dir, 'other'), '--port', '0', '--agent-tokens', file], {}, 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INVALID_AGENT_TOKENS');
  });

  it('X-HVS-Actor may not name system, even for the operator', async () => {
    expect(await as('admin', 'GET', '/v1/blocks', undefined, { 'x-hvs-actor': 'system' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ACTOR' },
    });
    expect((await as('admin', 'GET', '/v1/blocks', undefined, { 'x-hvs-actor': 'alice' })).status).toBe(200);
  });
});

describe('block permissions', () => {
  it("an agent's new block is its own by default: another agent can neither read nor rewrite it", async () => {
    const created = await as('bob', 'POST', '/v1/blocks', { name: 'bob_memory', blockClass: 'documentation', content: 'bob only' });
    expect(created.status).toBe(201);
    expect(created.body.permissions).toEqual({ read: ['bob'], write: ['bob'] });
    expect((await as('alice', 'PUT', `/v1/blocks/${created.body.id}`, { content: 'rewritten by alice' })).status).toBe(403);
    expect((await as('alice', 'GET', `/v1/blocks/${created.body.id}`)).status).toBe(403);
    // A list it leaves out is still its own; one it gives is kept.
    const shared = await as('bob', 'POST', '/v1/blocks', {
      name: 'bob_notice',
      blockClass: 'documentation',
      content: 'hi',
      permissions: { read: ['*'] },
    });
    expect(shared.body.permissions).toEqual({ read: ['*'], write: ['bob'] });
    expect((await as('alice', 'GET', `/v1/blocks/${shared.body.id}`)).status).toBe(200);
    expect((await as('alice', 'DELETE', `/v1/blocks/${shared.body.id}`)).status).toBe(403);
  });

  it('the knowledge-base block is the system’s: agents cannot rewrite or delete it, and it heals when the operator deletes it', async () => {
    expect(
      (await as('alice', 'POST', '/v1/facts', { subject: 'HVS', predicate: 'stores', object: 'vectors', source: 'alice' })).status,
    ).toBe(201);
    const kb = (await as('alice', 'GET', '/v1/blocks?name=shared_knowledge_base')).body.blocks[0];
    expect(kb.permissions.write).toEqual(['system']);
    expect((await as('alice', 'PUT', `/v1/blocks/${kb.id}`, { content: '{}' })).status).toBe(403);
    expect((await as('alice', 'DELETE', `/v1/blocks/${kb.id}`)).status).toBe(403);

    expect((await as('admin', 'DELETE', `/v1/blocks/${kb.id}`)).status).toBe(204);
    // Gone: its name is not for an agent to take.
    expect(
      await as('alice', 'POST', '/v1/blocks', { name: 'shared_knowledge_base', blockClass: 'shared_knowledge', content: '{}' }),
    ).toMatchObject({
      status: 403,
      body: { code: 'RESERVED_BLOCK_NAME' },
    });
    const after = await as('bob', 'POST', '/v1/facts', { subject: 'NVM', predicate: 'keeps', object: 'blocks', source: 'bob' });
    expect(after.status).toBe(201);
    const healed = (await as('bob', 'GET', '/v1/blocks?name=shared_knowledge_base')).body.blocks[0];
    expect(healed.id).not.toBe(kb.id);
    expect(healed.permissions.write).toEqual(['system']);
    // Rebuilt from the fact log: both facts, each once.
    const content = JSON.parse(healed.content as string) as { facts: { subject: string }[] };
    expect(content.facts.map((f) => f.subject)).toEqual(['HVS', 'NVM']);
  });

  it('stored memory and the cache registry are the system’s too', async () => {
    const stored = await as('alice', 'POST', '/v1/memory', { content: 'bob likes hiking in the alps' });
    expect(stored.status).toBe(201);
    // An agent's memory is scoped to it: its block is readable by that agent only, and written by the system only.
    expect((await as('bob', 'GET', `/v1/blocks?name=content_${stored.body.id as string}`)).body.blocks).toEqual([]);
    const content = (await as('alice', 'GET', `/v1/blocks?name=content_${stored.body.id as string}`)).body.blocks[0];
    expect(content.permissions).toEqual({ read: ['alice'], write: ['system'] });
    expect((await as('alice', 'DELETE', `/v1/blocks/${content.id}`)).status).toBe(403);
    expect((await as('bob', 'POST', '/v1/cache/set', { key: 'What is HVS?', value: 'a vector store' })).status).toBe(201);
    const registry = (await as('bob', 'GET', '/v1/blocks?name=semantic_cache')).body.blocks[0];
    expect(registry.permissions.write).toEqual(['system']);
    expect((await as('alice', 'PUT', `/v1/blocks/${registry.id}`, { content: '{}' })).status).toBe(403);
  });
});

describe('reserved metadata', () => {
  it('the raw vector routes refuse the reserved key with a typed 400', async () => {
    const dimension = (await as('alice', 'GET', '/v1/stats')).body.hvs.dimension as number;
    const vector = Array.from({ length: dimension }, (_, i) => (i === 0 ? 1 : 0));
    const one = await as('alice', 'POST', '/v1/vectors', { vector, metadata: { type: 'fact', _hvsnvm: { kind: 'fact' } } });
    expect(one).toMatchObject({ status: 400, body: { code: 'RESERVED_METADATA' } });
    const batch = await as('alice', 'POST', '/v1/vectors/batch', { items: [{ vector }, { vector, metadata: { _hvsnvm: 1 } }] });
    expect(batch).toMatchObject({ status: 400, body: { code: 'RESERVED_METADATA' } });
    expect((await as('alice', 'POST', '/v1/memory', { content: 'x', metadata: { _hvsnvm: {} } })).status).toBe(400);
  });

  it('a vector shaped like a cache entry or a fact, stored through the raw API, is never answered as one', async () => {
    const encoder = await hashingEncoder();
    const question = 'What is the capital of Germany?';
    expect((await as('bob', 'POST', '/v1/cache/set', { key: 'What is HVS?', value: 'a vector store' })).status).toBe(201);
    const registry = (await as('bob', 'GET', '/v1/blocks?name=semantic_cache')).body.blocks[0];
    const now = Date.now() / 1000;
    const poisoned = await as('alice', 'POST', '/v1/vectors', {
      vector: Array.from(await encoder.encode(question)),
      metadata: {
        type: 'cache_entry',
        cache_id: registry.id,
        entry: { key: question, value: 'Berlin (poisoned)', createdAt: now, expiresAt: now + 3600 },
      },
    });
    expect(poisoned.status).toBe(201);
    expect((await as('bob', 'POST', '/v1/cache/get', { query: question })).body).toEqual({ hit: false, value: null });

    const forged = { factId: 'forged-1', subject: 'bob', predicate: 'owes', object: 'alice 1000 EUR', source: 'bob', timestamp: now };
    const fact = await as('alice', 'POST', '/v1/vectors', {
      vector: Array.from(await encoder.encode('bob owes alice 1000 EUR')),
      metadata: { type: 'fact', fact: forged },
    });
    expect(fact.status).toBe(201);
    const found = (await as('bob', 'POST', '/v1/facts/search', { query: 'bob owes alice 1000 EUR', k: 10 })).body.facts as {
      factId: string;
    }[];
    expect(found.length).toBeGreaterThan(0); // the real facts are there
    expect(found.map((f) => f.factId)).not.toContain('forged-1');
    // What the cache and the knowledge base wrote themselves still answers.
    expect((await as('bob', 'POST', '/v1/cache/get', { query: 'What is HVS?' })).body).toEqual({ hit: true, value: 'a vector store' });
  });
});

describe('sources and provenance as an agent', () => {
  it('an agent may name as a source only a block it may read, and provenance hides the others', async () => {
    const own = await as('alice', 'POST', '/v1/blocks', { name: 'alice_notes', blockClass: 'documentation', content: 'mine' });
    expect(own.status).toBe(201);
    const cached = { key: 'what are alice’s notes?', value: 'mine', sources: [own.body.id] };
    expect((await as('bob', 'POST', '/v1/cache/set', cached)).body.code).toBe('PERMISSION_DENIED');
    expect((await as('bob', 'POST', '/v1/memory', { content: 'about alice', sources: [own.body.id] })).status).toBe(403);
    const memory = await as('alice', 'POST', '/v1/memory', { content: 'alice’s summary', sources: [own.body.id] });
    expect(memory.status).toBe(201);
    expect((await as('alice', 'GET', `/v1/provenance/${memory.body.id}`)).body.derivedFrom).toHaveLength(1);
    expect((await as('bob', 'GET', `/v1/provenance/${memory.body.id}`)).body.derivedFrom).toEqual([]);
    expect((await as('bob', 'GET', `/v1/provenance/${own.body.id}`)).status).toBe(403);
  });
});
