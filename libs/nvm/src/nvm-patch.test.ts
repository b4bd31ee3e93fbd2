// NVM JSON patches on a real nats-server: concurrent appends all land, refused patches append nothing, and every
// patched version is rebuilt from the log after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamIds } from '@hvs-nvm/events';
import {
  BlockClass,
  BlockNotJsonError,
  ConcurrencyError,
  InvalidPatchError,
  NVM,
  PatchNotApplicableError,
  PatchTestFailedError,
  PermissionDeniedError,
  ReadOnlyBlockError,
} from './index.js';
import { NvmTestServer, encoder } from '../testing/nvm-server.js';

let t: NvmTestServer;

beforeAll(async () => {
  t = await NvmTestServer.start();
});
afterAll(() => t?.stop());

const typesOf = async (namespace: string, id: string) =>
  (await (await t.storeOf(namespace)).readStream(streamIds.block(id))).map((e) => e.type);

describe('NVM patchBlock', () => {
  it('25 concurrent appends from two clients all land, one version each', async () => {
    const ns = t.freshNamespace();
    await using a = await t.open(ns);
    await using b = await t.open(ns);
    const block = await a.createBlock({ name: 'list', blockClass: BlockClass.PROGRAM_STATE, content: { items: [] } });
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? a : b).patchBlock(block.id, [{ op: 'add', path: '/items/-', value: i }])),
    );
    for (const r of results) expect(r.id).toBe(block.id);
    await a.sync();
    const now = await a.getBlock(block.id);
    expect(now.version).toBe(26);
    const items = (JSON.parse(now.content) as { items: number[] }).items;
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await typesOf(ns, block.id)).toEqual(['BlockCreated', ...Array<string>(25).fill('BlockPatched')]);
    // The other client folds the same events to the same content.
    await b.sync();
    expect((await b.getBlock(block.id)).content).toBe(now.content);
  });

  it("a client with projection: 'remote' decides patches on the block's own stream, racing a local client", async () => {
    const ns = t.freshNamespace();
    await using local = await t.open(ns);
    await local.serveQueries();
    await using remote = await NVM.open({ storagePath: t.tmp(), natsUrl: t.srv.url, encoder, namespace: ns, projection: 'remote' });
    const block = await remote.createBlock({ name: 'shared', blockClass: BlockClass.PROGRAM_STATE, content: { items: [] } });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? local : remote).patchBlock(block.id, [{ op: 'add', path: '/items/-', value: i }]),
      ),
    );
    const now = await remote.getBlock(block.id);
    expect(now.version).toBe(11);
    expect((JSON.parse(now.content) as { items: number[] }).items.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await remote.getBlock(block.id, { version: 2 })).content).toMatch(/^\{"items":\[\d\]\}$/);
  });

  it('a patch that does not apply, or is not a patch, is refused with a typed error and appends nothing', async () => {
    const ns = t.freshNamespace();
    await using nvm = await t.open(ns);
    const block = await nvm.createBlock({ name: 'state', blockClass: BlockClass.PROGRAM_STATE, content: { counter: 1, items: [] } });
    await expect(
      nvm.patchBlock(block.id, [
        { op: 'add', path: '/items/-', value: 'first' },
        { op: 'test', path: '/counter', value: 2 },
      ]),
    ).rejects.toMatchObject({ constructor: PatchTestFailedError, code: 'PATCH_TEST_FAILED', status: 409 });
    await expect(nvm.patchBlock(block.id, [{ op: 'replace', path: '/nested/x', value: 1 }])).rejects.toBeInstanceOf(
      PatchNotApplicableError,
    );
    await expect(nvm.patchBlock(block.id, [{ op: 'add', path: 'items', value: 1 }])).rejects.toMatchObject({
      code: 'INVALID_PATCH',
      status: 400,
    });
    await expect(nvm.patchBlock(block.id, { op: 'add' })).rejects.toBeInstanceOf(InvalidPatchError);
    await expect(nvm.patchBlock(block.id, [{ op: 'add', path: '/counter', value: 2 }], { expectedVersion: 7 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    const text = await nvm.createBlock({ name: 'notes', blockClass: BlockClass.DOCUMENTATION, content: 'plain text' });
    await expect(nvm.patchBlock(text.id, [{ op: 'add', path: '/x', value: 1 }])).rejects.toBeInstanceOf(BlockNotJsonError);
    const frozen = await nvm.createBlock({ name: 'frozen', blockClass: BlockClass.DOCUMENTATION, content: {}, readonly: true });
    await expect(nvm.patchBlock(frozen.id, [{ op: 'add', path: '/x', value: 1 }])).rejects.toBeInstanceOf(ReadOnlyBlockError);
    const owned = await nvm.createBlock({
      name: 'owned',
      blockClass: BlockClass.PROGRAM_STATE,
      content: {},
      permissions: { read: ['model_a'], write: ['model_a'] },
    });
    await expect(nvm.as('model_b').patchBlock(owned.id, [{ op: 'add', path: '/x', value: 1 }])).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );

    for (const b of [block, text, frozen, owned]) expect(await typesOf(ns, b.id)).toEqual(['BlockCreated']);
    const after = await nvm.getBlock(block.id);
    expect(after.version).toBe(1);
    expect(JSON.parse(after.content)).toEqual({ counter: 1, items: [] });
    // With the test passing, the same patch applies whole.
    const ok = await nvm.patchBlock(
      block.id,
      [
        { op: 'test', path: '/counter', value: 1 },
        { op: 'replace', path: '/counter', value: 2 },
      ],
      {
        expectedVersion: 1,
      },
    );
    expect(ok).toMatchObject({ version: 2, content: '{"counter":2,"items":[]}' });
  });

  it('history and getBlock({ version }) show every patched version after a restart, from a checkpoint or the whole log', async () => {
    const ns = t.freshNamespace();
    const storagePath = t.tmp();
    const first = await NVM.open({ storagePath, natsUrl: t.srv.url, encoder, namespace: ns });
    const block = await first.createBlock({ name: 'kb', blockClass: BlockClass.SHARED_KNOWLEDGE, content: { facts: [] } });
    await first.patchBlock(block.id, [{ op: 'add', path: '/facts/-', value: { s: 'a', p: 'is', o: 'b' } }]);
    await first.patchBlock(block.id, [{ op: 'add', path: '/facts/-', value: { s: 'b', p: 'is', o: 'c' } }]);
    await first.updateBlock(block.id, { facts: [], relations: ['reset'] });
    await first.patchBlock(block.id, [{ op: 'move', from: '/relations/0', path: '/note' }]);
    const expected = [
      { version: 1, type: 'BlockCreated', content: '{"facts":[]}' },
      { version: 2, type: 'BlockPatched', content: '{"facts":[{"s":"a","p":"is","o":"b"}]}' },
      { version: 3, type: 'BlockPatched', content: '{"facts":[{"s":"a","p":"is","o":"b"},{"s":"b","p":"is","o":"c"}]}' },
      { version: 4, type: 'BlockUpdated', content: '{"facts":[],"relations":["reset"]}' },
      { version: 5, type: 'BlockPatched', content: '{"facts":[],"relations":[],"note":"reset"}' },
    ];
    const check = async (nvm: NVM) => {
      expect((await nvm.blockHistory(block.id)).map(({ version, type, content }) => ({ version, type, content }))).toEqual(expected);
      for (const e of expected) expect((await nvm.getBlock(block.id, { version: e.version })).content).toBe(e.content);
      expect((await nvm.getBlock(block.id)).content).toBe(expected.at(-1)!.content);
    };
    await check(first);
    await first.close();

    await using restarted = await NVM.open({ storagePath, natsUrl: t.srv.url, encoder, namespace: ns });
    expect(restarted.restoredFromPosition).toBeGreaterThan(0);
    await check(restarted);
    await using replayed = await t.open(ns);
    expect(replayed.restoredFromPosition).toBe(0);
    await check(replayed);
    // A patch after the restart applies to the version the log rebuilt.
    const next = await restarted.patchBlock(block.id, [{ op: 'remove', path: '/note' }]);
    expect(next).toMatchObject({ version: 6, content: '{"facts":[],"relations":[]}' });
  });
});
