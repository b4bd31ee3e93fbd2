// The compiled-filter cache: same JSON, same compiled filter; the caller's object may change afterwards; bad filters still refused.
import { describe, expect, it } from 'vitest';
import { InvalidFilterError } from './errors.js';
import { FilterCache } from './filter-cache.js';

describe('FilterCache', () => {
  it('compiles a filter once per JSON text, from a copy the caller cannot change', () => {
    const cache = new FilterCache();
    const filter: Record<string, unknown> = { bucket: { $lt: 10 }, tag: 'a' };
    const first = cache.get(filter);
    expect(cache.get({ bucket: { $lt: 10 }, tag: 'a' })).toBe(first);
    expect(first.match({ bucket: 3, tag: 'a' })).toBe(true);
    // Changing the caller's object makes it another filter; the cached one is unchanged.
    (filter.bucket as Record<string, number>).$lt = 2;
    expect(first.match({ bucket: 3, tag: 'a' })).toBe(true);
    const second = cache.get(filter);
    expect(second).not.toBe(first);
    expect(second.match({ bucket: 3, tag: 'a' })).toBe(false);
    expect(Object.isFrozen(first.plan.query)).toBe(true);
  });

  it('refuses bad filters every time, and does not key what JSON would change', () => {
    const cache = new FilterCache();
    expect(() => cache.get({ a: { $bogus: 1 } })).toThrow(InvalidFilterError);
    expect(() => cache.get({ a: { $bogus: 1 } })).toThrow(InvalidFilterError);
    // undefined would vanish from the JSON text ({}): compiled as given, and refused.
    expect(() => cache.get({ a: undefined })).toThrow(InvalidFilterError);
    expect(() => cache.get({ a: NaN })).toThrow(InvalidFilterError);
    expect(cache.get({}).match({ x: 1 })).toBe(true);
  });
});
