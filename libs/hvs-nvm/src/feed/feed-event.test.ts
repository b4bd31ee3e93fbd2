// The change feed's summary line of a block patch: the patch itself, as the event holds no content.
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@hvs-nvm/eventstore';
import { summarise } from './feed-event.js';

describe('feed summaries', () => {
  it('a BlockPatched event is summarised by its block and its operations', () => {
    const event = { type: 'BlockPatched', data: { blockId: 'b1', patch: [{ op: 'add', path: '/items/-', value: 1 }] } } as RecordedEvent;
    expect(summarise(event)).toBe('block b1 patched: [{"op":"add","path":"/items/-","value":1}]');
  });
});
