import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './fusion.js';

describe('reciprocalRankFusion', () => {
  it('ranks what both lists agree on first, and sums 1/(k + rank)', () => {
    const fused = reciprocalRankFusion([{ ids: ['a', 'b', 'c'] }, { ids: ['b', 'd', 'c'] }], 60);
    expect(fused.map((f) => f.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0]!.ranks).toEqual([2, 1]);
    expect(fused[1]!.score).toBeCloseTo(2 / 63, 12);
    expect(fused.find((f) => f.id === 'd')!.ranks).toEqual([undefined, 2]);
  });

  it('weights lists, counts an id once per list, and keeps first-seen order on ties', () => {
    const heavy = reciprocalRankFusion([{ ids: ['a'] }, { ids: ['b'], weight: 2 }]);
    expect(heavy.map((f) => f.id)).toEqual(['b', 'a']);
    const dup = reciprocalRankFusion([{ ids: ['a', 'a', 'b'] }]);
    expect(dup.map((f) => f.id)).toEqual(['a', 'b']);
    expect(dup[0]!.score).toBeCloseTo(1 / 61, 12);
    expect(reciprocalRankFusion([{ ids: ['x'] }, { ids: ['y'] }]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(reciprocalRankFusion([])).toEqual([]);
  });
});
