// Unit tests of block input validation without NATS: TTL bounds and JSON shapes that would otherwise change silently.
import { describe, expect, it } from 'vitest';
import { MAX_TTL_SECONDS } from './block.js';
import { InvalidBlockError } from './errors.js';
import { createdEventData } from './input.js';

const limits = { maxContentBytes: 1 << 20, maxMetadataBytes: 1 << 16 };
const cache = (over: Record<string, unknown>) => ({ name: 'c', blockClass: 'cache', content: 'v', ...over });

describe('createdEventData', () => {
  it('a TTL of 1e300 is refused rather than stored as never expiring', () => {
    expect(() => createdEventData(cache({ ttlSeconds: 1e300 }), 'b1', limits)).toThrow(InvalidBlockError);
    expect(() => createdEventData(cache({ ttlSeconds: 1e300 }), 'b1', limits)).toThrow('at most');
    expect(() => createdEventData(cache({ metadata: { ttl_seconds: 1e300 } }), 'b1', limits)).toThrow(InvalidBlockError);
  });
  it('ten years is the longest TTL', () => {
    expect(createdEventData(cache({ ttlSeconds: MAX_TTL_SECONDS }), 'b1', limits).ttlSeconds).toBe(MAX_TTL_SECONDS);
    expect(() => createdEventData(cache({ ttlSeconds: MAX_TTL_SECONDS + 1 }), 'b1', limits)).toThrow(InvalidBlockError);
  });
  it('a __proto__ key in metadata, content or permissions is refused with its path', () => {
    const meta = JSON.parse('{"a": {"__proto__": {"x": 1}}}') as Record<string, unknown>;
    expect(() => createdEventData(cache({ metadata: meta }), 'b1', limits)).toThrow("metadata of block 'c'.a.__proto__");
    const content = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
    expect(() => createdEventData(cache({ content }), 'b1', limits)).toThrow(InvalidBlockError);
    const permissions = JSON.parse('{"__proto__": {"read": ["nobody"]}}') as Record<string, unknown>;
    expect(() => createdEventData(cache({ permissions }), 'b1', limits)).toThrow(InvalidBlockError);
  });
  it('metadata nested 100,000 deep is an InvalidBlockError, not a stack overflow', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(() => createdEventData(cache({ metadata: deep }), 'b1', limits)).toThrow('nested more than');
  });
});
