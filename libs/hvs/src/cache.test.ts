// Unit tests of the client cache's byte-bounded LRU and the counts it reports.
import { describe, expect, it } from 'vitest';
import { LruByteCache } from './cache.js';

const sized = (bytes: number) => ({ bytes });

describe('LruByteCache', () => {
  it('evicts the least recently used entries once over its bytes, and counts hits, misses and evictions', () => {
    const cache = new LruByteCache<{ bytes: number }>(100, (v) => v.bytes);
    cache.set('a', sized(40));
    cache.set('b', sized(40));
    expect(cache.get('a')?.bytes).toBe(40); // 'a' is now the most recent
    cache.set('c', sized(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.has('a')).toBe(true);
    expect(cache.stats()).toEqual({ entries: 2, bytes: 80, maxBytes: 100, hits: 1, misses: 1, evictions: 1 });
  });

  it('never keeps a value larger than the whole cache, and keeps nothing at 0 bytes', () => {
    const cache = new LruByteCache<{ bytes: number }>(100, (v) => v.bytes);
    cache.set('a', sized(10));
    cache.set('huge', sized(101));
    expect(cache.has('huge')).toBe(false);
    expect(cache.has('a')).toBe(true);
    const none = new LruByteCache<{ bytes: number }>(0, (v) => v.bytes);
    none.set('a', sized(1));
    expect(none.get('a')).toBeUndefined();
    expect(none.stats().entries).toBe(0);
  });

  it('delete and clear give the bytes back', () => {
    const cache = new LruByteCache<{ bytes: number }>(100, (v) => v.bytes);
    cache.set('a', sized(30));
    cache.set('b', sized(30));
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.stats().bytes).toBe(30);
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
