import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '@hvs-nvm/eventstore';
import { FullTextProjection } from '@hvs-nvm/fulltext';
import { memoryBlockName, memoryTextSource, type MemoryTextFields } from './memory-text.js';

const created = (
  blockId: string,
  name: string,
  content: string,
  metadata: Record<string, unknown>,
  blockClass = 'documentation' as const,
) => ({
  type: 'BlockCreated' as const,
  data: { blockId, name, blockClass, content, readonly: false, metadata, permissions: {} },
});

describe('the full-text projection of memories', () => {
  it('indexes memory blocks only, follows updates, patches and deletes, and keeps memory id and metadata', async () => {
    await using store = new InMemoryEventStore();
    await store.appendToStream('block.b1', [created('b1', memoryBlockName('m1'), '{"items":["alpha"]}', { hvs_id: 'm1', agentId: 'a' })]);
    await store.appendToStream('block.b2', [created('b2', 'not_a_memory', 'alpha', { hvs_id: 'm2' })]);
    await store.appendToStream('block.b3', [created('b3', memoryBlockName('m3'), 'alpha', { hvs_id: 'other' })]);
    await store.appendToStream('block.b1', [
      { type: 'BlockPatched', data: { blockId: 'b1', patch: [{ op: 'add', path: '/items/-', value: 'beta' }] } },
    ]);
    const source = memoryTextSource(store);
    const p = await FullTextProjection.build({ ...source, toPosition: await store.headPosition() });
    expect(p.index.search('alpha').map((h) => h.id)).toEqual(['b1']);
    const [hit] = p.index.search('beta');
    expect(hit!.fields as unknown as MemoryTextFields).toEqual({
      memoryId: 'm1',
      metadata: { hvs_id: 'm1', agentId: 'a' },
      text: '{"items":["alpha","beta"]}',
    });

    await store.appendToStream('block.b1', [{ type: 'BlockUpdated', data: { blockId: 'b1', content: 'gamma' } }]);
    const updated = await FullTextProjection.build({
      ...source,
      base: { index: p.index, position: p.position },
      toPosition: await store.headPosition(),
    });
    expect(updated.index.search('alpha')).toEqual([]);
    expect((updated.index.fieldsOf('b1') as unknown as MemoryTextFields).metadata).toEqual({ hvs_id: 'm1', agentId: 'a' });
    await store.appendToStream('block.b1', [{ type: 'BlockDeleted', data: { blockId: 'b1' } }]);
    const deleted = await FullTextProjection.build({
      ...source,
      base: { index: updated.index, position: updated.position },
      toPosition: await store.headPosition(),
    });
    expect(deleted.index.size).toBe(0);
  });
});
