import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventStore, type RecordedEvent } from '@hvs-nvm/eventstore';
import { FullTextProjection, type TextMapper } from './full-text-projection.js';

/** Blocks whose metadata says `text: true` are indexed, with their content. */
const map: TextMapper = (e: RecordedEvent, index) => {
  if (e.type === 'BlockCreated') return e.data.metadata['text'] ? [{ upsert: { id: e.data.blockId, text: e.data.content } }] : undefined;
  if (e.type === 'BlockUpdated' && index.has(e.data.blockId)) return [{ upsert: { id: e.data.blockId, text: e.data.content } }];
  if (e.type === 'BlockDeleted') return [{ remove: e.data.blockId }];
  return undefined;
};
const types = ['BlockCreated', 'BlockUpdated', 'BlockDeleted'] as const;

const created = (blockId: string, content: string, text = true) => ({
  type: 'BlockCreated' as const,
  data: { blockId, name: blockId, blockClass: 'documentation' as const, content, readonly: false, metadata: { text }, permissions: {} },
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'fulltext-'));
  dirs.push(d);
  return d;
};

describe('FullTextProjection', () => {
  it('follows the log live, checkpoints, and restarts from the checkpoint', async () => {
    await using store = new InMemoryEventStore();
    const dir = tempDir();
    await store.appendToStream('block.a', [created('a', 'alpha one')]);
    await store.appendToStream('block.b', [created('b', 'beta two', false)]);
    const p = await FullTextProjection.open({ name: 'blocks', store, map, types, checkpointDir: dir });
    expect(p.restoredFrom).toBe(0);
    expect(p.index.search('alpha').map((h) => h.id)).toEqual(['a']);
    expect(p.index.search('beta')).toEqual([]);
    const { position } = await store.appendToStream('block.a', [{ type: 'BlockUpdated', data: { blockId: 'a', content: 'gamma' } }]);
    await p.waitFor(position);
    expect(p.index.search('gamma').map((h) => h.id)).toEqual(['a']);
    await p.close();

    await store.appendToStream('block.c', [created('c', 'gamma three')]);
    const again = await FullTextProjection.open({ name: 'blocks', store, map, types, checkpointDir: dir });
    expect(again.restoredFrom).toBe(position);
    expect(
      again.index
        .search('gamma')
        .map((h) => h.id)
        .sort(),
    ).toEqual(['a', 'c']);
    await again.close();
  });

  it('rebuilds from the log when the checkpoint is damaged', async () => {
    await using store = new InMemoryEventStore();
    const dir = tempDir();
    await store.appendToStream('block.a', [created('a', 'alpha')]);
    const p = await FullTextProjection.open({ name: 'blocks', store, map, types, checkpointDir: dir });
    await p.close();
    const file = join(dir, 'blocks.fulltext');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(file, bytes);
    const again = await FullTextProjection.open({ name: 'blocks', store, map, types, checkpointDir: dir });
    expect(again.restoredFrom).toBe(0);
    expect(again.index.search('alpha').map((h) => h.id)).toEqual(['a']);
    await again.close();
  });

  it('builds the index of a position range, from nothing or from a base', async () => {
    await using store = new InMemoryEventStore();
    const first = await store.appendToStream('block.a', [created('a', 'alpha')]);
    const second = await store.appendToStream('block.b', [created('b', 'alpha beta')]);
    await store.appendToStream('block.a', [{ type: 'BlockDeleted', data: { blockId: 'a' } }]);
    const asOfFirst = await FullTextProjection.build({ name: 'blocks', store, map, types, toPosition: first.position });
    expect(asOfFirst.index.search('alpha').map((h) => h.id)).toEqual(['a']);
    expect(asOfFirst.position).toBe(first.position);
    const asOfSecond = await FullTextProjection.build({
      name: 'blocks',
      store,
      map,
      types,
      base: { index: asOfFirst.index, position: first.position },
      toPosition: second.position,
    });
    expect(
      asOfSecond.index
        .search('alpha')
        .map((h) => h.id)
        .sort(),
    ).toEqual(['a', 'b']);
    const head = await FullTextProjection.build({ name: 'blocks', store, map, types, toPosition: await store.headPosition() });
    expect(head.index.search('alpha').map((h) => h.id)).toEqual(['b']);
  });
});
