import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@hvs-nvm/hvs';
import { CollectionReads, parseShardSpec } from './collection-reads.js';

describe('--projection / --shards', () => {
  it('reads every collection in-process by default, and from projectors (unsharded) with remote alone', () => {
    expect(CollectionReads.parse().of('x')).toEqual({ projection: 'local', shards: 1 });
    expect(CollectionReads.parse({ projection: 'remote' }).of('x')).toEqual({ projection: 'remote', shards: 1 });
  });

  it('takes a count for every collection, counts for named ones, or both', () => {
    const reads = CollectionReads.parse({ projection: 'remote', shards: '2, big=8,docs=3' });
    expect([reads.of('other'), reads.of('big'), reads.of('docs')].map((r) => r.shards)).toEqual([2, 8, 3]);
    expect(reads.named()).toEqual(['big', 'docs']);
    expect(reads.describe()).toEqual({ projection: 'remote', shards: 2, collections: { big: 8, docs: 3 } });
    expect(parseShardSpec('5')).toEqual({ fallback: 5, byName: new Map() });
  });

  it('refuses what cannot hold, with a message naming it', () => {
    const bad: [Parameters<typeof CollectionReads.parse>[0], RegExp][] = [
      [{ shards: '3' }, /projection 'remote'/],
      [{ projection: 'remote', shards: '' }, /empty item/],
      [{ projection: 'remote', shards: '0' }, /shard count 1\.\.256/],
      [{ projection: 'remote', shards: '257' }, /shard count/],
      [{ projection: 'remote', shards: 'a=1.5' }, /shard count/],
      [{ projection: 'remote', shards: '2,3' }, /more than one/],
      [{ projection: 'remote', shards: 'a=2,a=3' }, /named twice/],
      [{ projection: 'remote', shards: 'a.b=2' }, /not a collection name/],
      [{ projection: 'elsewhere' as 'local' }, /'local' or 'remote'/],
    ];
    for (const [input, message] of bad) {
      expect(() => CollectionReads.parse(input)).toThrow(InvalidArgumentError);
      expect(() => CollectionReads.parse(input)).toThrow(message);
    }
    // Counts of 1 are no sharding: allowed with the local projection.
    expect(CollectionReads.parse({ shards: 'a=1' }).of('a')).toEqual({ projection: 'local', shards: 1 });
  });
});
