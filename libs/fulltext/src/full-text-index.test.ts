import { describe, expect, it } from 'vitest';
import { FullTextIndex } from './full-text-index.js';

describe('FullTextIndex', () => {
  it('ranks documents with a rare keyword first, not unrelated short ones', () => {
    const index = FullTextIndex.empty();
    index.upsert({ id: 'secret', text: 's3cret' });
    index.upsert({ id: 'json', text: '{"counter":1}' });
    for (let i = 0; i < 20; i++) index.upsert({ id: `n${i}`, text: `note ${i}: NATS JetStream keeps the log of stream ${i}` });
    index.upsert({ id: 'other', text: 'bananas are yellow' });
    const hits = index.search('NATS', { k: 30 });
    expect(hits).toHaveLength(20);
    expect(hits.every((h) => h.id.startsWith('n'))).toBe(true);
    expect(index.search('counter').map((h) => h.id)).toEqual(['json']);
    expect(index.search('s3cret').map((h) => h.id)).toEqual(['secret']);
  });

  it('replaces and removes documents, filters on stored fields before cutting k', () => {
    const index = FullTextIndex.empty();
    for (let i = 0; i < 10; i++)
      index.upsert({ id: `d${i}`, text: `apple ${'apple '.repeat(10 - i)}`, fields: { owner: i === 9 ? 'bob' : 'alice' } });
    expect(index.search('apple', { k: 1, filter: (f) => f['owner'] === 'bob' }).map((h) => h.id)).toEqual(['d9']);
    index.upsert({ id: 'd9', text: 'pear', fields: { owner: 'bob' } });
    expect(index.search('apple', { filter: (f) => f['owner'] === 'bob' })).toEqual([]);
    expect(index.search('pear')[0]).toMatchObject({ id: 'd9', fields: { owner: 'bob' } });
    expect(index.remove('d9')).toBe(true);
    expect(index.remove('d9')).toBe(false);
    expect(index.search('pear')).toEqual([]);
    expect(index.size).toBe(9);
  });

  it('drops stop words, and survives a JSON round trip', () => {
    const index = FullTextIndex.empty();
    index.upsert({ id: 'a', text: 'the cat sat on the mat', fields: { n: 1 } });
    index.upsert({ id: 'b', text: 'a dog in the fog' });
    expect(index.search('the')).toEqual([]);
    const copy = FullTextIndex.fromJSON(index.toJSON());
    expect(copy.search('dog fog').map((h) => h.id)).toEqual(['b']);
    expect(copy.fieldsOf('a')).toEqual({ n: 1 });
    expect(copy.search('cat')[0]!.score).toBeCloseTo(index.search('cat')[0]!.score, 10);
  });
});
