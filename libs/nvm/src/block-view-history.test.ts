// The block view keeps one version per block: earlier versions are the log's (block-history.ts reads them).
import { describe, expect, it } from 'vitest';
import { BlockView } from './block-view.js';

const metadata = {
  eventId: '00000000-0000-4000-8000-000000000000',
  type: 'BlockCreated',
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
  actor: 'system',
};

describe('BlockView', () => {
  it('a block updated 1,000 times costs the view (and its checkpoint) one version', () => {
    const view = new BlockView('t', { name: 'none', dimension: 4 }, '/nonexistent');
    const content = (v: number) => `version ${v} ${'y'.repeat(500)}`;
    view.apply({
      type: 'BlockCreated',
      data: { blockId: 'b', name: 'b', blockClass: 'documentation', content: content(0), readonly: false, metadata: {}, permissions: {} },
      streamId: 'block.b',
      revision: 0,
      position: 1,
      metadata,
      recordedAt: new Date(),
    } as never);
    for (let v = 1; v < 1000; v++) {
      view.apply({
        type: 'BlockUpdated',
        data: { blockId: 'b', content: content(v) },
        streamId: 'block.b',
        revision: v,
        position: v + 1,
        metadata,
        recordedAt: new Date(),
      } as never);
    }
    const record = view.blocks.get('b')!;
    expect(record.state.version).toBe(1000);
    expect(record.state.content).toBe(content(999));
    // What a checkpoint writes for the block: about one version's content, not a thousand.
    expect(JSON.stringify(record).length).toBeLessThan(2 * content(999).length);
  });
});
