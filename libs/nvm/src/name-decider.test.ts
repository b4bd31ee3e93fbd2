// Given/when/then tests of the name decider: unique names, release by the holder only, abandoned claims.
import { describe, expect, it } from 'vitest';
import { BlockExistsError } from './errors.js';
import { decideName, emptyName, evolveName, ORPHAN_CLAIM_GRACE_MS, type NameState } from './name-decider.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function claimed(blockId: string): NameState {
  return evolveName(emptyName('doc'), {
    type: 'BlockNameClaimed',
    data: { name: 'doc', blockId },
    revision: 0,
    recordedAt: new Date(T0),
  });
}

describe('name decider', () => {
  it('a free name can be claimed', () => {
    expect(decideName({ type: 'ClaimName', name: 'doc', blockId: 'b1', holderStatus: 'unknown', nowMs: T0 }, emptyName('doc'))).toEqual([
      { type: 'BlockNameClaimed', data: { name: 'doc', blockId: 'b1' } },
    ]);
  });

  it('a name held by a live block is refused with BlockExistsError', () => {
    expect(() => decideName({ type: 'ClaimName', name: 'doc', blockId: 'b2', holderStatus: 'live', nowMs: T0 }, claimed('b1'))).toThrow(
      BlockExistsError,
    );
  });

  it('a name held by a deleted or expired block can be claimed again', () => {
    expect(decideName({ type: 'ClaimName', name: 'doc', blockId: 'b2', holderStatus: 'gone', nowMs: T0 }, claimed('b1'))).toHaveLength(1);
  });

  it('a claim whose block never appeared is honoured for a grace period, then counts as abandoned', () => {
    const state = claimed('b1');
    const claim = (nowMs: number) => () =>
      decideName({ type: 'ClaimName', name: 'doc', blockId: 'b2', holderStatus: 'unknown', nowMs }, state);
    expect(claim(T0 + 1000)).toThrow(BlockExistsError);
    expect(claim(T0 + ORPHAN_CLAIM_GRACE_MS)()).toHaveLength(1);
  });

  it('only the holder releases a name, and a released name is free at the next revision', () => {
    const state = claimed('b1');
    expect(decideName({ type: 'ReleaseName', name: 'doc', blockId: 'b2' }, state)).toEqual([]);
    const events = decideName({ type: 'ReleaseName', name: 'doc', blockId: 'b1' }, state);
    expect(events).toEqual([{ type: 'BlockNameReleased', data: { name: 'doc', blockId: 'b1' } }]);
    const released = evolveName(state, { ...events[0]!, revision: 1, recordedAt: new Date(T0 + 1) });
    expect(released).toEqual({ name: 'doc', revision: 1 });
    expect(decideName({ type: 'ClaimName', name: 'doc', blockId: 'b3', holderStatus: 'unknown', nowMs: T0 }, released)).toHaveLength(1);
  });
});
