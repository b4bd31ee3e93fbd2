// The memory lifecycle, scoping and hybrid retrieval of HVSNVMIntegration against a real nats-server and the default encoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { VectorNotFoundError } from '@hvs-nvm/hvs';
import { BlockClass, BlockNotFoundError, InvalidArgumentError } from '@hvs-nvm/nvm';
import { defaultEncoder, type Encoder } from '@hvs-nvm/encoders';
import { crossSimilarityReranker, HVSNVMIntegration, MemoryNotFoundError, type IntegrationOptions } from '../index.js';

let srv: TempNatsServer;
let dir: string;
let encoder: Encoder;
let n = 0;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-memory-'));
  encoder = await defaultEncoder();
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

function paths(): IntegrationOptions {
  n++;
  return { hvsPath: join(dir, `h${n}`), nvmPath: join(dir, `n${n}`), natsUrl: srv.url, encoder, collection: `m${n}`, namespace: `m${n}` };
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the memory lifecycle', () => {
  it('get, update (same id, re-embedded), delete (block and vector), history after a restart', async () => {
    const options = paths();
    const integ = await HVSNVMIntegration.open(options);
    const id = await integ.store('The lighthouse keeper logs every ship that passes.', { metadata: { topic: 'sea' }, userId: 'u1' });
    const got = await integ.get(id);
    expect(got).toMatchObject({
      id,
      content: 'The lighthouse keeper logs every ship that passes.',
      metadata: { topic: 'sea' },
      userId: 'u1',
      version: 1,
    });
    expect(got.blockId).toBeDefined();

    const updated = await integ.update(id, 'The bakery sells sourdough bread every morning.');
    expect(updated).toMatchObject({ id, version: 2, content: 'The bakery sells sourdough bread every morning.', userId: 'u1' });
    const [dense] = await integ.query('fresh bread from a baker', { mode: 'dense', k: 1 });
    expect(dense).toMatchObject({ id, content: 'The bakery sells sourdough bread every morning.' });
    const vector = await integ.hvs.retrieveVector(id);
    expect(vector.metadata['memory_version']).toBe(2);
    expect(Array.from(vector.data)).toEqual(Array.from(await encoder.encode('The bakery sells sourdough bread every morning.')));
    expect(await integ.query('lighthouse', { mode: 'keyword' })).toEqual([]);

    const other = await integ.store('Penguins live in the southern hemisphere.');
    await integ.delete(other);
    await expect(integ.get(other)).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.hvs.retrieveVector(other)).rejects.toBeInstanceOf(VectorNotFoundError);
    const blockId = (await integ.history(other))[0]!;
    expect(blockId).toMatchObject({ version: 1, type: 'created', actor: 'system' });
    expect((await integ.query('penguins southern hemisphere', { k: 5 })).map((r) => r.id)).not.toContain(other);
    await expect(integ.delete(other)).rejects.toBeInstanceOf(MemoryNotFoundError);
    await integ.close();

    const again = await HVSNVMIntegration.open(options);
    try {
      expect(again.fulltext.restoredFrom).toBeGreaterThan(0);
      const history = await again.history(id);
      expect(history.map((h) => [h.version, h.type, h.content, h.actor])).toEqual([
        [1, 'created', 'The lighthouse keeper logs every ship that passes.', 'system'],
        [2, 'updated', 'The bakery sells sourdough bread every morning.', 'system'],
      ]);
      expect(history.every((h) => h.at instanceof Date)).toBe(true);
      expect((await again.history(other)).map((h) => h.type)).toEqual(['created', 'deleted']);
      expect((await again.query('sourdough', { mode: 'keyword' }))[0]).toMatchObject({ id });
      await expect(again.get('no-such-memory')).rejects.toBeInstanceOf(MemoryNotFoundError);
    } finally {
      await again.close();
    }
  });

  it('unpersisted memories: get, update, history and delete of the vector alone', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const id = await integ.store('Bananas are yellow.', { persist: false, agentId: 'a1' });
    expect(await integ.get(id)).toMatchObject({ id, content: 'Bananas are yellow.', agentId: 'a1', version: 1 });
    expect((await integ.update(id, 'Bananas are green before they ripen.', { agentId: 'a1' })).content).toBe(
      'Bananas are green before they ripen.',
    );
    await integ.delete(id, { agentId: 'a1' });
    expect((await integ.history(id)).map((h) => [h.version, h.type, h.content])).toEqual([
      [1, 'created', 'Bananas are yellow.'],
      [2, 'updated', 'Bananas are green before they ripen.'],
      [2, 'deleted', 'Bananas are green before they ripen.'],
    ]);
  });

  it('a block deleted without its vector (a crash between the two) is a deleted memory: the vector follows', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const id = await integ.store('Half-deleted memories must not come back.');
    const { blockId } = await integ.get(id);
    await integ.nvm.deleteBlock(blockId!);
    expect((await integ.query('half-deleted memories', { mode: 'dense' })).map((r) => r.id)).not.toContain(id);
    await until(async () => (await integ.hvs.batchRetrieveVectors([id]))[0] === null);
    await expect(integ.get(id)).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.nvm.getBlock(blockId!)).rejects.toBeInstanceOf(BlockNotFoundError);
  });

  it('a block updated without its vector gets its vector re-embedded by the next read', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const id = await integ.store('Old text about volcanoes.');
    const { blockId } = await integ.get(id);
    await integ.nvm.updateBlock(blockId!, 'New text about glaciers.');
    const [hit] = await integ.query('volcanoes', { mode: 'dense', k: 1 });
    expect(hit).toMatchObject({ id, content: 'New text about glaciers.' });
    await until(async () => (await integ.hvs.retrieveVector(id)).metadata['memory_version'] === 2);
  });

  it('lists persisted memories in pages with a cursor, by scope and filter', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await integ.store(`note number ${i}`, { agentId: i % 2 ? 'odd' : 'even', metadata: { i } }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await integ.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.memories.length).toBeLessThanOrEqual(3);
      seen.push(...page.memories.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await integ.list({ agentId: 'odd' })).memories.map((m) => m.id)).toEqual([ids[1], ids[3], ids[5]]);
    expect((await integ.list({ filter: { i: { $gte: 5 } } })).memories.map((m) => m.id)).toEqual([ids[5], ids[6]]);
    await expect(integ.list({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
    await expect(integ.store('x', { metadata: { agentId: 'forged' } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('scoping and hybrid retrieval', () => {
  it('ranks the notes about NATS first for "NATS", among secrets, JSON and other blocks (the keyword case)', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const notes: string[] = [];
    const topics = ['JetStream keeps streams on disk', 'subjects route messages', 'a cluster of three servers', 'consumers ack messages'];
    for (let i = 0; i < 20; i++)
      notes.push(await integ.store(`NATS note ${i}: ${topics[i % topics.length]}.`, { metadata: { half: i % 2 } }));
    await integ.store('s3cret');
    await integ.store('{"counter":1}');
    const fillers = [
      'The recipe needs two eggs.',
      'Paris is the capital of France.',
      'Whales are mammals.',
      'The meeting moved to Tuesday.',
    ];
    for (let i = 0; i < 12; i++) await integ.store(`${fillers[i % fillers.length]} (${i})`);
    await integ.nvm.createBlock({ name: 'state', blockClass: BlockClass.PROGRAM_STATE, content: 'NATS NATS NATS program state' });

    const hybrid = await integ.query('NATS', { k: 20 });
    expect(hybrid.map((r) => r.id).sort()).toEqual([...notes].sort());
    expect(hybrid.every((r) => r.source === 'hvs' && Number.isFinite(r.distance))).toBe(true);
    const keyword = await integ.query('NATS', { k: 20, mode: 'keyword' });
    expect(keyword.map((r) => r.id).sort()).toEqual([...notes].sort());
    // Memory search covers memories only, unless blocks are asked for.
    expect((await integ.query('NATS', { k: 40 })).some((r) => r.source === 'nvm')).toBe(false);
    expect((await integ.query('NATS program state', { k: 40, includeBlocks: true })).some((r) => r.source === 'nvm')).toBe(true);
    // A filter applies to both lists.
    const odd = notes.filter((_id, i) => i % 2 === 1).sort();
    for (const mode of ['hybrid', 'dense', 'keyword'] as const) {
      const filtered = await integ.query('NATS', { k: 20, mode, filter: { half: 1 } });
      expect(filtered.map((r) => r.id).sort()).toEqual(odd);
      expect(filtered.every((r) => r.metadata?.['half'] === 1)).toBe(true);
    }
  });

  it('every read takes the scope: one agent’s memories are not another’s results', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    const a = await integ.store('The deploy key is kept in the blue vault.', { agentId: 'alice', runId: 'r1' });
    const b = await integ.store('The deploy key is kept in the red vault.', { agentId: 'bob' });
    for (const mode of ['hybrid', 'dense', 'keyword'] as const) {
      expect((await integ.query('deploy key vault', { mode, agentId: 'alice' })).map((r) => r.id)).toEqual([a]);
      expect((await integ.query('deploy key vault', { mode, agentId: 'bob' })).map((r) => r.id)).toEqual([b]);
      expect((await integ.query('deploy key vault', { mode, agentId: 'alice', runId: 'r2' })).map((r) => r.id)).toEqual([]);
    }
    await expect(integ.get(a, { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.update(a, 'mine', { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.delete(a, { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.history(a, { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    // The block of an agent's memory is readable by that agent only.
    const { blockId } = await integ.get(a);
    await expect(integ.nvm.as('bob').getBlock(blockId!)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await integ.nvm.as('alice').getBlock(blockId!)).content).toContain('blue vault');

    // A memory of no agent is shared: every agent's read with `shared` sees it; none may change it by its scope.
    const team = await integ.store('The deploy key vault rules are shared by the whole team.');
    for (const mode of ['hybrid', 'dense', 'keyword'] as const) {
      const ids = (await integ.query('deploy key vault', { mode, agentId: 'alice', shared: true })).map((r) => r.id);
      expect(ids.sort()).toEqual([a, team].sort());
    }
    expect((await integ.list({ agentId: 'bob', shared: true })).memories.map((m) => m.id)).toEqual([b, team]);
    expect((await integ.get(team, { agentId: 'bob', shared: true })).id).toBe(team);
    await expect(integ.get(team, { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.update(team, 'mine', { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
    await expect(integ.delete(team, { agentId: 'bob', shared: true } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(integ.delete(team, { agentId: 'bob' })).rejects.toBeInstanceOf(MemoryNotFoundError);
  });

  it('a reranker reorders the fused top; the cross-similarity one runs offline', async () => {
    await using integ = await HVSNVMIntegration.open(paths());
    for (const t of ['Cats purr when content.', 'Dogs bark at strangers.', 'Parrots can imitate speech.']) await integ.store(t);
    const plain = await integ.query('which pet talks', { k: 3 });
    const reversed = await integ.query('which pet talks', { k: 3, reranker: (_q, cs) => cs.map((_c, i) => i) });
    expect(reversed.map((r) => r.id)).toEqual(plain.map((r) => r.id).reverse());
    expect(reversed[0]!.scores?.rerank).toBe(2);
    const cross = await integ.query('which pet talks', { k: 3, reranker: crossSimilarityReranker(encoder) });
    expect(cross).toHaveLength(3);
    expect(cross.map((r) => r.id).sort()).toEqual(plain.map((r) => r.id).sort());
    expect(cross.map((r) => r.score)).toEqual(cross.map((r) => r.score).sort((x, y) => y - x));
    const exact = await integ.query('Parrots can imitate speech.', { k: 3, mode: 'keyword', reranker: crossSimilarityReranker(encoder) });
    expect(exact[0]!.content).toBe('Parrots can imitate speech.');
    await expect(integ.query('x', { reranker: () => [1, 2, 3, 4, 5] })).rejects.toThrow(/reranker/);
  });
});
