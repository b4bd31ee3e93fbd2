// The seed's NVM examples and call forms against a real nats-server.
import { describe, expect, it } from 'vitest';
import { BlockClass, BlockNotFoundError, InvalidBlockError, NVMError, ReadOnlyBlockError } from './index.js';
import { useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open } = useNvmTestServer();

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

describe('NVM seed call forms', () => {
  it('createBlock takes the seed positional form (name, class, content, options) as well as an object', async () => {
    await using nvm = await open(freshNamespace());
    const block = await nvm.createBlock('test', BlockClass.DOCUMENTATION, 'content', { readonly: true });
    expect(block).toMatchObject({ name: 'test', blockClass: 'documentation', content: 'content', readonly: true });
    await expect(nvm.updateBlock(block.id, 'new content')).rejects.toBeInstanceOf(ReadOnlyBlockError);
    const state = await nvm.createBlock('app_state', BlockClass.PROGRAM_STATE, { counter: 0 });
    expect(JSON.parse(state.content)).toEqual({ counter: 0 });
    await expect(nvm.createBlock('twice', BlockClass.DOCUMENTATION, 'x', { name: 'other' } as never)).rejects.toBeInstanceOf(
      InvalidBlockError,
    );
    await expect(nvm.createBlock('no_class', 'nope' as never, 'x')).rejects.toBeInstanceOf(InvalidBlockError);
  });
});
