// Integration tests of the NVM client against a real nats-server: the seed's examples and every rule of SPEC's NVM half.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvmNames, streamIds } from '@hvs-nvm/events';
import { EventStore, openNatsEndpoint, type NatsEndpoint } from '@hvs-nvm/eventstore';
import { hashingEncoder, type Encoder } from '@hvs-nvm/encoders';
import { TempNatsServer } from '@hvs-nvm/runtime';
import {
  BlockClass,
  BlockExistsError,
  BlockNotFoundError,
  ConcurrencyError,
  ContentTooLargeError,
  InvalidArgumentError,
  InvalidBlockError,
  NVM,
  NVMError,
  PermissionDeniedError,
  ReadOnlyBlockError,
  type NVMOptions,
} from './index.js';

let srv: TempNatsServer;
let probe: NatsEndpoint;
const dirs: string[] = [];
const encoder: Encoder = hashingEncoder();
let nsCounter = 0;

const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nvm-test-'));
  dirs.push(dir);
  return dir;
};
const freshNamespace = () => `t${process.pid}_${++nsCounter}`;
const open = (namespace: string, more: Partial<NVMOptions> = {}) =>
  NVM.open({ storagePath: tmp(), natsUrl: srv.url, encoder, namespace, ...more });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function storeOf(namespace: string): Promise<EventStore> {
  return EventStore.open(probe.nc, { names: nvmNames(namespace) });
}

beforeAll(async () => {
  srv = await TempNatsServer.start();
  probe = await openNatsEndpoint({ storagePath: tmp(), natsUrl: srv.url, name: 'nvm-test-probe' });
});

afterAll(async () => {
  await probe?.close();
  await srv?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('NVM (seed examples)', () => {
  it('creates a read-only documentation block and a JSON state block, and finds the doc semantically', async () => {
    await using nvm = await open(freshNamespace());
    const doc = await nvm.createBlock({
      name: 'example_doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: '# Example\n\nThis is example documentation.',
      readonly: true,
    });
    expect(doc).toMatchObject({
      name: 'example_doc',
      blockClass: 'documentation',
      readonly: true,
      version: 1,
    });
    expect(doc.createdAt).toBeInstanceOf(Date);
    const state = await nvm.createBlock({
      name: 'app_state',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { counter: 0, name: 'example' },
    });
    expect(JSON.parse(state.content)).toEqual({ counter: 0, name: 'example' });
    expect(await nvm.getBlock(state.id)).toEqual(state);
    expect((await nvm.getBlockByName('example_doc'))?.id).toBe(doc.id);

    const results = await nvm.semanticQuery('What is the example?');
    expect(results[0]!.block.name).toBe('example_doc');
    expect(results.map((r) => r.block.name)).toContain('app_state');
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
  });

  it('a read-only block refuses updates (ReadOnlyBlockError, an NVMError with status 403) and deletes', async () => {
    await using nvm = await open(freshNamespace());
    const block = await nvm.createBlock({
      name: 'test',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'content',
      readonly: true,
    });
    const err = await nvm.updateBlock(block.id, 'new content').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadOnlyBlockError);
    expect(err).toBeInstanceOf(NVMError);
    expect(err).toMatchObject({ code: 'READ_ONLY_BLOCK', status: 403 });
    await expect(nvm.deleteBlock(block.id)).rejects.toBeInstanceOf(ReadOnlyBlockError);
    expect((await nvm.getBlock(block.id)).content).toBe('content');
  });

  it('the seed error-handling flow: a missing block is BlockNotFoundError, so the caller creates it', async () => {
    await using nvm = await open(freshNamespace());
    const err = await nvm.updateBlock('no-such-block', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockNotFoundError);
    expect(err).toMatchObject({ code: 'BLOCK_NOT_FOUND', status: 404 });
    expect((err as Error).message).toContain('no-such-block');
    await expect(nvm.getBlock('no-such-block')).rejects.toBeInstanceOf(BlockNotFoundError);
    expect(await nvm.getBlockByName('nothing')).toBeNull();
  });
});

describe('NVM names, history and deletion', () => {
  it('block names are unique until the block is deleted', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const first = await a.createBlock({
      name: 'shared',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'one',
    });
    const err = await b
      .createBlock({ name: 'shared', blockClass: BlockClass.CACHE, content: 'two' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockExistsError);
    expect(err).toMatchObject({ code: 'BLOCK_EXISTS', status: 409 });
    await a.deleteBlock(first.id);
    await expect(a.getBlock(first.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect(await a.getBlockByName('shared')).toBeNull();
    const second = await b.createBlock({
      name: 'shared',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'two',
    });
    expect((await a.getBlockByName('shared'))?.id).toBe(second.id);
    const store = await storeOf(ns);
    const nameEvents = await store.readStream(streamIds.blockName('shared'));
    expect(nameEvents.map((e) => e.type)).toEqual([
      'BlockNameClaimed',
      'BlockNameReleased',
      'BlockNameClaimed',
    ]);
  });

  it('concurrent creators of one name: exactly one wins', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).createBlock({
          name: 'race',
          blockClass: BlockClass.PROGRAM_STATE,
          content: String(i),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BlockExistsError);
  });

  it('keeps every version: blockHistory, getBlock by version and asOf return old content', async () => {
    await using root = await open(freshNamespace());
    const nvm = root.as('model_a');
    const v1 = await nvm.createBlock({
      name: 'doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'first',
      metadata: { rev: 1 },
    });
    await sleep(20);
    const v2 = await nvm.updateBlock(v1.id, 'second');
    await sleep(20);
    const v3 = await root.as('model_b').updateBlock(v1.id, 'third', { metadata: { rev: 3 } });
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(v3.metadata).toEqual({ rev: 3 });

    expect((await nvm.getBlock(v1.id, { version: 1 })).content).toBe('first');
    expect((await nvm.getBlock(v1.id, { version: 2 })).content).toBe('second');
    expect((await nvm.getBlock(v1.id, { asOf: v1.updatedAt })).content).toBe('first');
    expect((await nvm.getBlock(v1.id, { asOf: new Date(v2.updatedAt.getTime() + 5) })).content).toBe(
      'second',
    );
    expect((await nvm.getBlock(v1.id, { asOf: new Date() })).content).toBe('third');
    await expect(
      nvm.getBlock(v1.id, { asOf: new Date(v1.createdAt.getTime() - 1000) }),
    ).rejects.toBeInstanceOf(BlockNotFoundError);
    await expect(nvm.getBlock(v1.id, { version: 9 })).rejects.toBeInstanceOf(BlockNotFoundError);

    await nvm.deleteBlock(v1.id);
    const history = await nvm.blockHistory(v1.id);
    expect(history.map((h) => [h.version, h.type, h.content, h.actor])).toEqual([
      [1, 'BlockCreated', 'first', 'model_a'],
      [2, 'BlockUpdated', 'second', 'model_a'],
      [3, 'BlockUpdated', 'third', 'model_b'],
      [4, 'BlockDeleted', 'third', 'model_a'],
    ]);
    expect(history[0]!.metadata).toEqual({ rev: 1 });
    expect(history[0]!.at).toBeInstanceOf(Date);
    // A deleted block is gone now, but its past is still readable.
    await expect(nvm.getBlock(v1.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await nvm.getBlock(v1.id, { version: 2 })).content).toBe('second');
  });
});

describe('NVM permissions', () => {
  it('as(actor) is checked against read and write lists; the system actor is not restricted', async () => {
    await using nvm = await open(freshNamespace());
    const a = nvm.as('model_a');
    const b = nvm.as('model_b');
    const priv = await a.createBlock({
      name: 'state_model_a',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { secret: 'alpha topic' },
      permissions: { read: ['model_a'], write: ['model_a'] },
    });
    const pub = await a.createBlock({
      name: 'kb',
      blockClass: BlockClass.SHARED_KNOWLEDGE,
      content: 'public alpha topic',
      permissions: { read: ['*'], write: ['model_a'] },
    });
    expect((await a.getBlock(priv.id)).id).toBe(priv.id);
    expect((await nvm.getBlock(priv.id)).id).toBe(priv.id);

    const denied = await b.getBlock(priv.id).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied).toMatchObject({ code: 'PERMISSION_DENIED', status: 403 });
    expect(await b.getBlockByName('state_model_a')).toBeNull();
    expect((await b.listBlocks()).map((x) => x.name)).toEqual(['kb']);
    expect((await b.semanticQuery('alpha topic', { k: 10 })).map((h) => h.block.name)).toEqual(['kb']);
    await expect(b.blockHistory(priv.id)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(b.updateBlock(priv.id, 'x')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(b.updateBlock(pub.id, 'x')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(b.deleteBlock(pub.id)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await b.getBlock(pub.id)).content).toBe('public alpha topic');

    expect((await a.updateBlock(pub.id, 'by a')).content).toBe('by a');
    expect((await nvm.updateBlock(priv.id, 'by system')).content).toBe('by system');
    expect((await nvm.listBlocks()).length).toBe(2);
    expect(a.actor).toBe('model_a');
  });
});

describe('NVM permission boundaries', () => {
  it('a view acting as an agent cannot act as the system actor or as another agent', async () => {
    await using nvm = await open(freshNamespace());
    const b = nvm.as('model_b');
    for (const other of ['system', 'model_a']) {
      const err = (() => {
        try {
          b.as(other);
        } catch (e) {
          return e;
        }
      })();
      expect(err, other).toBeInstanceOf(PermissionDeniedError);
      expect(err).toMatchObject({ code: 'PERMISSION_DENIED', status: 403, access: 'act as' });
    }
    expect(b.as('model_b').actor).toBe('model_b');
    expect(nvm.as('model_a').actor).toBe('model_a');
    // as() gives agent views only: the owner's id is reserved, whoever asks (in any case).
    for (const reserved of ['system', 'System']) expect(() => nvm.as(reserved), reserved).toThrow(InvalidArgumentError);
    // An NVM opened as an agent is bound to it the same way.
    await using agent = await open(freshNamespace(), { actor: 'model_a' });
    expect(() => agent.as('system')).toThrow(PermissionDeniedError);
  });

  it('creating a name held by a block the actor cannot read is BlockExistsError without the hidden block id', async () => {
    await using nvm = await open(freshNamespace());
    const hidden = await nvm.as('model_a').createBlock({
      name: 'secret_plan',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'private',
      permissions: { read: ['model_a'], write: ['model_a'] },
    });
    const denied = await nvm
      .as('model_b')
      .createBlock({ name: 'secret_plan', blockClass: BlockClass.DOCUMENTATION, content: 'x' })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(BlockExistsError);
    expect((denied as BlockExistsError).existingBlockId).toBeUndefined();
    expect((denied as Error).message).not.toContain(hidden.id);
    // Whoever may read the holder is told which block it is.
    const told = await nvm
      .as('model_a')
      .createBlock({ name: 'secret_plan', blockClass: BlockClass.DOCUMENTATION, content: 'x' })
      .catch((e: unknown) => e);
    expect(told).toMatchObject({ existingBlockId: hidden.id });
  });

  it('a write-only actor gets back the version it wrote, not the content or metadata it may not read', async () => {
    await using nvm = await open(freshNamespace());
    const dropBox = await nvm.createBlock({
      name: 'drop_box',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'earlier reports',
      metadata: { owner: 'model_a' },
      permissions: { read: ['model_a'], write: ['model_a', 'model_b'] },
    });
    const receipt = await nvm.as('model_b').updateBlock(dropBox.id, 'report from b');
    expect(receipt).toEqual({ id: dropBox.id, version: 2, updatedAt: expect.any(Date) as Date });
    expect(receipt.content).toBeUndefined();
    expect(receipt.metadata).toBeUndefined();
    const full = await nvm.as('model_a').updateBlock(dropBox.id, 'read by a');
    expect(full).toMatchObject({ content: 'read by a', version: 3, metadata: { owner: 'model_a' } });
    // An updater function needs the current block, so it needs read access.
    await expect(nvm.as('model_b').updateBlock(dropBox.id, (b) => `${b.content}!`)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});

describe('NVM seed call forms', () => {
  it('createBlock takes the seed positional form (name, class, content, options) as well as an object', async () => {
    await using nvm = await open(freshNamespace());
    const block = await nvm.createBlock('test', BlockClass.DOCUMENTATION, 'content', { readonly: true });
    expect(block).toMatchObject({ name: 'test', blockClass: 'documentation', content: 'content', readonly: true });
    await expect(nvm.updateBlock(block.id, 'new content')).rejects.toBeInstanceOf(ReadOnlyBlockError);
    const state = await nvm.createBlock('app_state', BlockClass.PROGRAM_STATE, { counter: 0 });
    expect(JSON.parse(state.content)).toEqual({ counter: 0 });
    await expect(
      nvm.createBlock('twice', BlockClass.DOCUMENTATION, 'x', { name: 'other' } as never),
    ).rejects.toBeInstanceOf(InvalidBlockError);
    await expect(nvm.createBlock('no_class', 'nope' as never, 'x')).rejects.toBeInstanceOf(InvalidBlockError);
  });
});

describe('NVM cache TTL', () => {
  it('an expired cache block reads as absent and its expiry is recorded once, even with two clients racing', async () => {
    const ns = freshNamespace();
    // Both clients read one clock, moved forward instead of sleeping through the TTL.
    let skewMs = 0;
    const clock = () => Date.now() + skewMs;
    await using a = await open(ns, { expirySweepMs: 200, clock });
    await using b = await open(ns, { expirySweepMs: 200, clock });
    const byOption = await a.createBlock({
      name: 'c1',
      blockClass: BlockClass.CACHE,
      content: 'cached answer',
      ttlSeconds: 1,
    });
    const byMetadata = await a.createBlock({
      name: 'semantic_cache',
      blockClass: BlockClass.CACHE,
      content: { entries: {} },
      metadata: { ttl_seconds: 1 },
    });
    expect(byMetadata.expiresAt).toBeInstanceOf(Date);
    expect((await b.getBlock(byOption.id)).content).toBe('cached answer');
    skewMs = 1300;
    for (const nvm of [a, b]) {
      await expect(nvm.getBlock(byOption.id)).rejects.toBeInstanceOf(BlockNotFoundError);
      expect(await nvm.getBlockByName('semantic_cache')).toBeNull();
      expect(await nvm.listBlocks({ blockClass: BlockClass.CACHE })).toEqual([]);
      expect(await nvm.semanticQuery('cached answer')).toEqual([]);
    }
    await expect(a.updateBlock(byOption.id, 'late')).rejects.toBeInstanceOf(BlockNotFoundError);
    // Expired means absent for every read of the block, its past versions too; only its history still shows them.
    await expect(a.getBlock(byOption.id, { version: 1 })).rejects.toBeInstanceOf(BlockNotFoundError);
    await expect(a.getBlock(byOption.id, { asOf: byOption.createdAt })).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await a.blockHistory(byOption.id))[0]!.content).toBe('cached answer');
    // Both clients' sweeps and reads race to record the expiry; once it is recorded, closing them waits for every
    // attempt still under way, and the log holds it once per block.
    const store = await storeOf(ns);
    const typesOf = async (id: string) => (await store.readStream(streamIds.block(id))).map((e) => e.type);
    for (const id of [byOption.id, byMetadata.id]) {
      await expect.poll(() => typesOf(id), { timeout: 30_000 }).toContain('BlockExpired');
    }
    await a.close();
    await b.close();
    for (const id of [byOption.id, byMetadata.id]) expect(await typesOf(id)).toEqual(['BlockCreated', 'BlockExpired']);
    // The name of an expired block is free again.
    await using c = await open(ns, { clock });
    await using d = await open(ns, { clock });
    const again = await c.createBlock({
      name: 'semantic_cache',
      blockClass: BlockClass.CACHE,
      content: 'new',
      ttlSeconds: 60,
    });
    expect((await d.getBlockByName('semantic_cache'))?.id).toBe(again.id);
  });
});

describe('NVM concurrency', () => {
  it('twenty read-modify-write loops with expectedVersion on one counter never lose an update', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const counter = await a.createBlock({
      name: 'counter',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { n: 0 },
    });
    let conflicts = 0;
    const increment = async (nvm: NVM) => {
      for (;;) {
        const block = await nvm.getBlock(counter.id);
        const { n } = JSON.parse(block.content) as { n: number };
        try {
          await nvm.updateBlock(counter.id, { n: n + 1 }, { expectedVersion: block.version });
          return;
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
          expect(err).toMatchObject({ code: 'CONCURRENCY', status: 412 });
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a : b)));
    // The last write may have come from b: a sees it once it has caught up with the head.
    await a.sync();
    const final = await a.getBlock(counter.id);
    expect(JSON.parse(final.content)).toEqual({ n: 20 });
    expect(final.version).toBe(21);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('twenty function updates without expectedVersion are retried on fresh state and all count', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const counter = await a.createBlock({
      name: 'counter',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { n: 0 },
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).updateBlock(counter.id, (current) => ({
          n: (JSON.parse(current.content) as { n: number }).n + 1,
        })),
      ),
    );
    await b.sync();
    expect(JSON.parse((await b.getBlock(counter.id)).content)).toEqual({ n: 20 });
  });

  it('an update pinned to a stale version is a ConcurrencyError and appends nothing', async () => {
    await using nvm = await open(freshNamespace());
    const block = await nvm.createBlock({
      name: 'pinned',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'a',
    });
    await nvm.updateBlock(block.id, 'b', { expectedVersion: 1 });
    const err = await nvm.updateBlock(block.id, 'c', { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as Error).message).toContain(block.id);
    expect(await nvm.getBlock(block.id)).toMatchObject({ content: 'b', version: 2 });
  });
});

describe('NVM semantic query', () => {
  it('ranks the block about the query first on a small corpus (default sentence encoder)', async () => {
    const { defaultEncoder } = await import('@hvs-nvm/encoders');
    await using nvm = await open(freshNamespace(), { encoder: await defaultEncoder() });
    const corpus: Record<string, string> = {
      geometry: 'HyperSync uses hyperbolic geometry to embed hierarchies such as trees and taxonomies.',
      cooking: 'Preheat the oven, knead the dough and bake the bread for forty minutes.',
      football: 'The striker scored twice in the second half and the team won the championship.',
      weather: 'Heavy rain and strong winds are expected tomorrow along the northern coast.',
      finance: 'The central bank raised interest rates to curb inflation this quarter.',
      music: 'She played a violin concerto with the symphony orchestra last night.',
      gardening: 'Water the tomato plants every morning and add compost to the soil.',
      space: 'The rocket launched a satellite into orbit around the Earth.',
    };
    for (const [name, content] of Object.entries(corpus)) {
      await nvm.createBlock({
        name,
        blockClass: name === 'space' ? BlockClass.KNOWLEDGE_GRAPH : BlockClass.DOCUMENTATION,
        content,
      });
    }
    const cases: [string, string][] = [
      ['Which geometry is good for hierarchical data?', 'geometry'],
      ['How do I make bread?', 'cooking'],
      ['Who won the soccer match?', 'football'],
      ['Will it rain tomorrow?', 'weather'],
      ['What did the orchestra perform?', 'music'],
    ];
    for (const [query, expected] of cases) {
      const hits = await nvm.semanticQuery(query, { k: 3 });
      expect(hits).toHaveLength(3);
      expect(hits[0]!.block.name, query).toBe(expected);
      expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
    }
    const onlyKg = await nvm.semanticQuery('How do I make bread?', {
      blockClass: BlockClass.KNOWLEDGE_GRAPH,
    });
    expect(onlyKg.map((h) => h.block.name)).toEqual(['space']);
    // An update is visible to the very next query (read-your-writes for the index too).
    const cooking = (await nvm.getBlockByName('cooking'))!;
    await nvm.updateBlock(cooking.id, 'Rockets and satellites travel through outer space.');
    expect((await nvm.semanticQuery('How do I make bread?', { k: 1 }))[0]!.block.name).not.toBe('cooking');
  });
});

describe('NVM bad input', () => {
  it('every bad input is a typed error and appends nothing', async () => {
    const ns = freshNamespace();
    await using nvm = await open(ns, { maxContentBytes: 1024 });
    const ok = await nvm.createBlock({ name: 'ok', blockClass: BlockClass.PROGRAM_STATE, content: 'fine' });
    const ro = await nvm.createBlock({
      name: 'ro',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'x',
      readonly: true,
    });
    const store = await storeOf(ns);
    const head = await store.headPosition();
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const base = { name: 'bad', blockClass: BlockClass.PROGRAM_STATE, content: 'c' };
    const bad: [string, () => Promise<unknown>, new (...a: never[]) => NVMError][] = [
      [
        'unknown class',
        () => nvm.createBlock({ ...base, blockClass: 'scratch' as BlockClass }),
        InvalidBlockError,
      ],
      ['empty name', () => nvm.createBlock({ ...base, name: '' }), InvalidBlockError],
      ['blank name', () => nvm.createBlock({ ...base, name: '   ' }), InvalidBlockError],
      ['taken name', () => nvm.createBlock({ ...base, name: 'ok' }), BlockExistsError],
      ['bigint content', () => nvm.createBlock({ ...base, content: { n: 10n } }), InvalidBlockError],
      ['function content', () => nvm.createBlock({ ...base, content: { f: () => 1 } }), InvalidBlockError],
      ['circular content', () => nvm.createBlock({ ...base, content: circular }), InvalidBlockError],
      [
        'Map content',
        () => nvm.createBlock({ ...base, content: { m: new Map([[1, 2]]) } }),
        InvalidBlockError,
      ],
      ['NaN content', () => nvm.createBlock({ ...base, content: { x: Number.NaN } }), InvalidBlockError],
      [
        'number content',
        () => nvm.createBlock({ ...base, content: 42 as unknown as string }),
        InvalidBlockError,
      ],
      [
        'array metadata',
        () => nvm.createBlock({ ...base, metadata: [1] as unknown as Record<string, unknown> }),
        InvalidBlockError,
      ],
      [
        'string metadata',
        () => nvm.createBlock({ ...base, metadata: 'm' as unknown as Record<string, unknown> }),
        InvalidBlockError,
      ],
      ['Infinity metadata', () => nvm.createBlock({ ...base, metadata: { x: Infinity } }), InvalidBlockError],
      [
        'content too large',
        () => nvm.createBlock({ ...base, content: 'x'.repeat(1025) }),
        ContentTooLargeError,
      ],
      [
        'permissions not lists',
        () => nvm.createBlock({ ...base, permissions: { read: 'model_a' as unknown as string[] } }),
        InvalidBlockError,
      ],
      [
        'permissions unknown key',
        () => nvm.createBlock({ ...base, permissions: { admin: ['x'] } as never }),
        InvalidBlockError,
      ],
      [
        'permissions empty id',
        () => nvm.createBlock({ ...base, permissions: { write: [''] } }),
        InvalidBlockError,
      ],
      ['ttl on a non-cache block', () => nvm.createBlock({ ...base, ttlSeconds: 5 }), InvalidBlockError],
      [
        'negative ttl',
        () => nvm.createBlock({ ...base, blockClass: BlockClass.CACHE, ttlSeconds: -1 }),
        InvalidBlockError,
      ],
      [
        'bad ttl_seconds metadata',
        () => nvm.createBlock({ ...base, blockClass: BlockClass.CACHE, metadata: { ttl_seconds: 'soon' } }),
        InvalidBlockError,
      ],
      [
        'snake_case field',
        () => nvm.createBlock({ ...base, block_class: 'cache' } as never),
        InvalidBlockError,
      ],
      ['update too large', () => nvm.updateBlock(ok.id, 'y'.repeat(2000)), ContentTooLargeError],
      ['update non-JSON', () => nvm.updateBlock(ok.id, { f: Symbol('s') }), InvalidBlockError],
      [
        'update bad metadata',
        () => nvm.updateBlock(ok.id, 'y', { metadata: new Date() as never }),
        InvalidBlockError,
      ],
      ['update read-only', () => nvm.updateBlock(ro.id, 'y'), ReadOnlyBlockError],
      ['update missing', () => nvm.updateBlock('missing', 'y'), BlockNotFoundError],
      ['update bad id', () => nvm.updateBlock('not a valid id!', 'y'), BlockNotFoundError],
      ['update throws in updater', () => nvm.updateBlock(ok.id, () => ({ bad: 1n })), InvalidBlockError],
      [
        'query bad class',
        () => nvm.semanticQuery('x', { blockClass: 'nope' as BlockClass }),
        InvalidBlockError,
      ],
      ['query bad k', () => nvm.semanticQuery('x', { k: 0 }), NVMError],
      ['as() bad actor', async () => nvm.as('no spaces allowed'), NVMError],
    ];
    for (const [label, call, type] of bad) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, label).toBeInstanceOf(type);
      expect((err as NVMError).status, label).toBeGreaterThanOrEqual(400);
    }
    expect(await store.headPosition()).toBe(head);
    expect((await nvm.getBlock(ok.id)).content).toBe('fine');
  });

  it('a value whose toString is not a function gets a typed error in every argument, not a raw TypeError', async () => {
    const ns = freshNamespace();
    await using nvm = await open(ns);
    const ok = await nvm.createBlock({ name: 'ok', blockClass: BlockClass.PROGRAM_STATE, content: 'fine' });
    const store = await storeOf(ns);
    const head = await store.headPosition();
    // String() and template literals throw a TypeError on these; error messages must describe them another way.
    const hostiles: unknown[] = [
      { toString: '' },
      [{ toString: '' }],
      Object.create(null),
      { toJSON: () => { throw null; }, toString: () => { throw new Error('no'); } },
    ];
    for (const h of hostiles) {
      const calls: [string, () => Promise<unknown>][] = [
        ['listBlocks blockClass', () => nvm.listBlocks({ blockClass: h as never })],
        ['semanticQuery blockClass', () => nvm.semanticQuery('x', { blockClass: h as never })],
        ['semanticQuery k', () => nvm.semanticQuery('x', { k: h as never })],
        ['updateBlock expectedVersion', () => nvm.updateBlock(ok.id, 'c', { expectedVersion: h as never })],
        ['updateBlock id', () => nvm.updateBlock(h as never, 'c')],
        ['getBlock id', () => nvm.getBlock(h as never)],
        ['getBlock version', () => nvm.getBlock(ok.id, { version: h as never })],
        ['getBlock asOf', () => nvm.getBlock(ok.id, { asOf: h as never })],
        ['blockHistory id', () => nvm.blockHistory(h as never)],
        ['deleteBlock id', () => nvm.deleteBlock(h as never)],
        ['createBlock blockClass', () => nvm.createBlock({ name: 'h', blockClass: h as never, content: 'x' })],
        ['createBlock positional class', () => nvm.createBlock('h', h as never, 'x')],
        ['createBlock name', () => nvm.createBlock({ name: h as never, blockClass: BlockClass.CACHE, content: 'x' })],
        ['as', async () => nvm.as(h as never)],
      ];
      for (const [label, call] of calls) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, label).toBeInstanceOf(NVMError);
      }
    }
    expect(await store.headPosition()).toBe(head);
  });

  it('content within the limit but over the server max_payload is ContentTooLargeError, not a NATS error', async () => {
    await using nvm = await open(freshNamespace(), { maxContentBytes: 4 * 1024 * 1024 });
    const err = await nvm
      .createBlock({ name: 'huge', blockClass: BlockClass.DOCUMENTATION, content: 'z'.repeat(1024 * 1024) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContentTooLargeError);
    expect(err).toMatchObject({ code: 'CONTENT_TOO_LARGE', status: 413 });
    expect(await nvm.getBlockByName('huge')).toBeNull();
  });
});

describe('NVM restart and projection', () => {
  it('close + open on the same storagePath keeps everything and replays only the tail', async () => {
    const ns = freshNamespace();
    const storagePath = tmp();
    const first = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace: ns });
    expect(first.restoredFromPosition).toBe(0);
    const doc = await first.createBlock({
      name: 'doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'hyperbolic geometry notes',
    });
    await first.updateBlock(doc.id, 'hyperbolic geometry notes, revised');
    const gone = await first.createBlock({
      name: 'gone',
      blockClass: BlockClass.PROGRAM_STATE,
      content: 'bye',
    });
    await first.deleteBlock(gone.id);
    await first.semanticQuery('geometry');
    const checkpointed = first.position;
    await first.close();

    // Written while the first client was away: the tail it must replay.
    await using other = await open(ns);
    const later = await other.createBlock({
      name: 'later',
      blockClass: BlockClass.KNOWLEDGE_GRAPH,
      content: 'written while closed',
    });

    await using again = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace: ns });
    expect(again.restoredFromPosition).toBeGreaterThan(0);
    expect(again.restoredFromPosition).toBe(checkpointed);
    expect((await again.getBlock(doc.id)).content).toBe('hyperbolic geometry notes, revised');
    expect((await again.blockHistory(doc.id)).map((h) => h.version)).toEqual([1, 2]);
    await expect(again.getBlock(gone.id)).rejects.toBeInstanceOf(BlockNotFoundError);
    expect((await again.getBlockByName('later'))?.id).toBe(later.id);
    expect((await again.semanticQuery('hyperbolic geometry', { k: 1 }))[0]!.block.id).toBe(doc.id);
    await expect(
      again.createBlock({ name: 'doc', blockClass: BlockClass.DOCUMENTATION, content: 'dup' }),
    ).rejects.toBeInstanceOf(BlockExistsError);
  });

  it('other clients see writes after sync(); facts and foreign messages in the store do not break the view', async () => {
    const ns = freshNamespace();
    await using a = await open(ns);
    await using b = await open(ns);
    const store = await storeOf(ns);
    await store.appendToStream(streamIds.fact('f1'), [
      {
        type: 'FactAdded',
        data: {
          factId: 'f1',
          subject: 'HVS',
          predicate: 'provides',
          object: 'vectors',
          source: 'spec',
          timestamp: 1,
        },
      },
    ]);
    probe.nc.publish(`${nvmNames(ns).prefix}.block.garbage`, new TextEncoder().encode('not an event'));
    await probe.nc.flush();
    const block = await a.createBlock({
      name: 'seen',
      blockClass: BlockClass.SHARED_KNOWLEDGE,
      content: 'shared',
    });
    await b.sync();
    expect((await b.getBlock(block.id)).content).toBe('shared');
    expect((await b.listBlocks()).map((x) => x.name)).toEqual(['seen']);
    expect(await b.listBlocks({ filter: { missing: true } })).toEqual([]);
  });
});

describe('NVM embedded default', () => {
  it('opens with only a storagePath (private nats-server, default encoder) and keeps blocks across reopen', async () => {
    const storagePath = tmp();
    {
      await using nvm = await NVM.open({ storagePath });
      await nvm.createBlock({
        name: 'example_doc',
        blockClass: BlockClass.DOCUMENTATION,
        content: '# Example',
        readonly: true,
      });
    }
    await using nvm = await NVM.open({ storagePath });
    expect((await nvm.getBlockByName('example_doc'))?.readonly).toBe(true);
    expect((await nvm.semanticQuery('What is the example?'))[0]!.block.name).toBe('example_doc');
  });
});

describe('NVM checkpoints belong to one log', () => {
  it('does not restore a checkpoint of another server: no ghost blocks, and new blocks survive a reopen', async () => {
    const namespace = freshNamespace();
    const storagePath = tmp();
    const other = await TempNatsServer.start();
    try {
      const a = await NVM.open({ storagePath, natsUrl: other.url, encoder, namespace });
      for (let i = 0; i < 5; i++) await a.createBlock({ name: `b${i}`, blockClass: BlockClass.DOCUMENTATION, content: `old ${i}` });
      await a.close();
    } finally {
      await other.stop();
    }
    {
      await using b = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace });
      expect(await b.listBlocks()).toEqual([]);
      expect(await b.getBlockByName('b0')).toBeNull();
      await b.createBlock({ name: 'b0', blockClass: BlockClass.DOCUMENTATION, content: 'new' });
    }
    await using c = await NVM.open({ storagePath, natsUrl: srv.url, encoder, namespace });
    expect(c.restoredFromPosition).toBeGreaterThan(0);
    expect((await c.getBlockByName('b0'))?.content).toBe('new');
    expect((await c.listBlocks()).map((x) => x.name)).toEqual(['b0']);
  });
});
