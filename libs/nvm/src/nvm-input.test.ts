// NVM bad input: every bad argument is a typed error and appends nothing.
import { describe, expect, it } from 'vitest';
import {
  BlockClass,
  BlockExistsError,
  BlockNotFoundError,
  ContentTooLargeError,
  InvalidBlockError,
  NVMError,
  ReadOnlyBlockError,
} from './index.js';
import { useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open, storeOf } = useNvmTestServer();

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
      ['unknown class', () => nvm.createBlock({ ...base, blockClass: 'scratch' as BlockClass }), InvalidBlockError],
      ['empty name', () => nvm.createBlock({ ...base, name: '' }), InvalidBlockError],
      ['blank name', () => nvm.createBlock({ ...base, name: '   ' }), InvalidBlockError],
      ['taken name', () => nvm.createBlock({ ...base, name: 'ok' }), BlockExistsError],
      ['bigint content', () => nvm.createBlock({ ...base, content: { n: 10n } }), InvalidBlockError],
      ['function content', () => nvm.createBlock({ ...base, content: { f: () => 1 } }), InvalidBlockError],
      ['circular content', () => nvm.createBlock({ ...base, content: circular }), InvalidBlockError],
      ['Map content', () => nvm.createBlock({ ...base, content: { m: new Map([[1, 2]]) } }), InvalidBlockError],
      ['NaN content', () => nvm.createBlock({ ...base, content: { x: Number.NaN } }), InvalidBlockError],
      ['number content', () => nvm.createBlock({ ...base, content: 42 as unknown as string }), InvalidBlockError],
      ['array metadata', () => nvm.createBlock({ ...base, metadata: [1] as unknown as Record<string, unknown> }), InvalidBlockError],
      ['string metadata', () => nvm.createBlock({ ...base, metadata: 'm' as unknown as Record<string, unknown> }), InvalidBlockError],
      ['Infinity metadata', () => nvm.createBlock({ ...base, metadata: { x: Infinity } }), InvalidBlockError],
      ['content too large', () => nvm.createBlock({ ...base, content: 'x'.repeat(1025) }), ContentTooLargeError],
      [
        'permissions not lists',
        () => nvm.createBlock({ ...base, permissions: { read: 'model_a' as unknown as string[] } }),
        InvalidBlockError,
      ],
      ['permissions unknown key', () => nvm.createBlock({ ...base, permissions: { admin: ['x'] } as never }), InvalidBlockError],
      ['permissions empty id', () => nvm.createBlock({ ...base, permissions: { write: [''] } }), InvalidBlockError],
      ['ttl on a non-cache block', () => nvm.createBlock({ ...base, ttlSeconds: 5 }), InvalidBlockError],
      ['negative ttl', () => nvm.createBlock({ ...base, blockClass: BlockClass.CACHE, ttlSeconds: -1 }), InvalidBlockError],
      [
        'bad ttl_seconds metadata',
        () => nvm.createBlock({ ...base, blockClass: BlockClass.CACHE, metadata: { ttl_seconds: 'soon' } }),
        InvalidBlockError,
      ],
      ['snake_case field', () => nvm.createBlock({ ...base, block_class: 'cache' } as never), InvalidBlockError],
      ['update too large', () => nvm.updateBlock(ok.id, 'y'.repeat(2000)), ContentTooLargeError],
      ['update non-JSON', () => nvm.updateBlock(ok.id, { f: Symbol('s') }), InvalidBlockError],
      ['update bad metadata', () => nvm.updateBlock(ok.id, 'y', { metadata: new Date() as never }), InvalidBlockError],
      ['update read-only', () => nvm.updateBlock(ro.id, 'y'), ReadOnlyBlockError],
      ['update missing', () => nvm.updateBlock('missing', 'y'), BlockNotFoundError],
      ['update bad id', () => nvm.updateBlock('not a valid id!', 'y'), BlockNotFoundError],
      ['update throws in updater', () => nvm.updateBlock(ok.id, () => ({ bad: 1n })), InvalidBlockError],
      ['query bad class', () => nvm.semanticQuery('x', { blockClass: 'nope' as BlockClass }), InvalidBlockError],
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
      {
        toJSON: () => {
          throw null;
        },
        toString: () => {
          throw new Error('no');
        },
      },
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
