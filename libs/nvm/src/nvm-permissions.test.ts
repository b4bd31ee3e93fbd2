// NVM permissions: read/write lists, acting as an agent, and what a denied actor may learn.
import { describe, expect, it } from 'vitest';
import { BlockClass, BlockExistsError, InvalidArgumentError, PermissionDeniedError } from './index.js';
import { useNvmTestServer } from '../testing/nvm-server.js';

const { freshNamespace, open } = useNvmTestServer();

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
    await expect(nvm.as('model_b').updateBlock(dropBox.id, (b) => `${b.content}!`)).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
