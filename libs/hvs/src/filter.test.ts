// Unit tests of the metadata filter language: every operator, dotted paths, nesting, arrays, bad filters, and never throwing on data.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidFilterError } from './errors.js';
import { compileFilter, FilterSchema, MAX_FILTER_DEPTH } from './filter.js';

const doc = {
  type: 'fact',
  n: 5,
  s: 'beta',
  tags: ['a', 'b'],
  nested: { x: { y: 3 } },
  items: [{ k: 1 }, { k: 7 }],
  obj: { p: 1, q: [2] },
  nul: null,
};
const matches = (filter: unknown, m: Record<string, unknown> = doc): boolean => compileFilter(filter)(m);

describe('compileFilter: equality', () => {
  it('{ key: value } matches equal values and nothing else', () => {
    expect(matches({ type: 'fact' })).toBe(true);
    expect(matches({ type: 'other' })).toBe(false);
    expect(matches({ missing: 'x' })).toBe(false);
  });
  it('objects and arrays compare deeply, ignoring key order', () => {
    expect(matches({ obj: { q: [2], p: 1 } })).toBe(true);
    expect(matches({ obj: { p: 1 } })).toBe(false);
    expect(matches({ tags: ['a', 'b'] })).toBe(true);
    expect(matches({ tags: ['b', 'a'] })).toBe(false);
  });
  it('a scalar matches any element of an array field', () => {
    expect(matches({ tags: 'b' })).toBe(true);
    expect(matches({ tags: 'c' })).toBe(false);
  });
  it('null matches null and missing fields', () => {
    expect(matches({ nul: null })).toBe(true);
    expect(matches({ missing: null })).toBe(true);
    expect(matches({ n: null })).toBe(false);
  });
  it('the empty filter matches everything', () => {
    expect(matches({})).toBe(true);
  });
});

describe('compileFilter: operators', () => {
  it('$eq and $ne; $ne matches missing fields', () => {
    expect(matches({ n: { $eq: 5 } })).toBe(true);
    expect(matches({ n: { $ne: 5 } })).toBe(false);
    expect(matches({ missing: { $ne: 5 } })).toBe(true);
    expect(matches({ tags: { $ne: 'a' } })).toBe(false);
  });
  it('$in and $nin; $nin matches missing fields', () => {
    expect(matches({ type: { $in: ['x', 'fact'] } })).toBe(true);
    expect(matches({ type: { $in: [] } })).toBe(false);
    expect(matches({ tags: { $in: ['z', 'b'] } })).toBe(true);
    expect(matches({ type: { $nin: ['fact'] } })).toBe(false);
    expect(matches({ missing: { $nin: ['fact'] } })).toBe(true);
  });
  it('$gt $gte $lt $lte on numbers and strings of the same type only', () => {
    expect(matches({ n: { $gt: 4, $lt: 6 } })).toBe(true);
    expect(matches({ n: { $gte: 5, $lte: 5 } })).toBe(true);
    expect(matches({ n: { $gt: 5 } })).toBe(false);
    expect(matches({ s: { $gt: 'alpha' } })).toBe(true);
    expect(matches({ s: { $lt: 'alpha' } })).toBe(false);
    expect(matches({ n: { $lt: '9' } })).toBe(false);
    expect(matches({ missing: { $lt: 9 } })).toBe(false);
  });
  it('comparisons look into arrays element by element', () => {
    expect(matches({ 'items.k': { $gt: 6 } })).toBe(true);
    expect(matches({ 'items.k': { $gt: 7 } })).toBe(false);
  });
  it('$exists tells present from missing fields', () => {
    expect(matches({ nul: { $exists: true } })).toBe(true);
    expect(matches({ missing: { $exists: true } })).toBe(false);
    expect(matches({ missing: { $exists: false } })).toBe(true);
  });
  it('$not at field level negates an operator object, and matches missing fields', () => {
    expect(matches({ n: { $not: { $gt: 3 } } })).toBe(false);
    expect(matches({ n: { $not: { $gt: 7 } } })).toBe(true);
    expect(matches({ missing: { $not: { $gt: 3 } } })).toBe(true);
  });
});

describe('compileFilter: logic and paths', () => {
  it('$and, $or, $nor and top-level $not combine filters', () => {
    expect(matches({ $and: [{ type: 'fact' }, { n: { $gt: 1 } }] })).toBe(true);
    expect(matches({ $and: [{ type: 'fact' }, { n: { $gt: 9 } }] })).toBe(false);
    expect(matches({ $or: [{ type: 'x' }, { n: 5 }] })).toBe(true);
    expect(matches({ $nor: [{ type: 'x' }, { n: 5 }] })).toBe(false);
    expect(matches({ $not: { type: 'fact' } })).toBe(false);
    expect(matches({ $not: { $or: [{ type: 'x' }, { n: 6 }] } })).toBe(true);
  });
  it('nests logic inside logic', () => {
    expect(matches({ $or: [{ $and: [{ type: 'fact' }, { $not: { n: 5 } }] }, { 'nested.x.y': { $in: [3] } }] })).toBe(true);
  });
  it('dotted paths reach into nested objects and array indexes', () => {
    expect(matches({ 'nested.x.y': 3 })).toBe(true);
    expect(matches({ 'nested.x.z': { $exists: true } })).toBe(false);
    expect(matches({ 'tags.1': 'b' })).toBe(true);
    expect(matches({ 'items.1.k': 7 })).toBe(true);
    expect(matches({ 'type.length': 4 })).toBe(false);
  });
});

describe('compileFilter: bad filters', () => {
  const bad: [unknown, RegExp][] = [
    [null, /must be an object/],
    [[{ a: 1 }], /must be an object/],
    [{ a: { $regex: 'x' } }, /unknown operator '\$regex'/],
    [{ $where: 'x' }, /unknown operator '\$where'/],
    [{ a: { $in: 'x' } }, /\$in .* needs an array/],
    [{ a: { $nin: 3 } }, /\$nin .* needs an array/],
    [{ a: { $gt: null } }, /needs a finite number or a string/],
    [{ a: { $lt: [1] } }, /needs a finite number or a string/],
    [{ a: { $exists: 1 } }, /needs true or false/],
    [{ a: { $not: 3 } }, /needs an operator object/],
    [{ $and: [] }, /non-empty array/],
    [{ $or: {} }, /non-empty array/],
    [{ $and: [3] }, /must be an object/],
    [{ a: { $gt: 1, b: 2 } }, /mixes operators and plain keys/],
    [{ 'a..b': 1 }, /empty segment/],
    [{ a: NaN }, /not a JSON value/],
    [{ a: { $eq: undefined } }, /not a JSON value/],
    [{ a: new Date(0) }, /not a JSON value/],
  ];
  it.each(bad)('rejects %j with InvalidFilterError', (filter, message) => {
    expect(() => compileFilter(filter)).toThrow(InvalidFilterError);
    expect(() => compileFilter(filter)).toThrow(message);
  });
  it('FilterSchema reports the same problems as zod issues', () => {
    expect(FilterSchema.safeParse({ a: { $in: 'x' } }).success).toBe(false);
    expect(FilterSchema.safeParse({ a: { $in: ['x'] } }).success).toBe(true);
  });
});

describe('compileFilter: robustness', () => {
  const filters = fc.constantFrom<Record<string, unknown>>(
    { a: 1 },
    { 'a.b': { $gt: 0 } },
    { a: { $in: [1, 'x', null, { b: 1 }] } },
    { $or: [{ a: { $exists: true } }, { 'b.c.d': { $ne: [1] } }] },
    { $not: { 'a.0.b': { $lte: 'm' } } },
    { a: { $not: { $nin: [true] } } },
  );
  it('a compiled filter never throws on arbitrary JSON metadata', () => {
    fc.assert(
      fc.property(filters, fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue()), (filter, metadata) => {
        expect(typeof compileFilter(filter)(metadata)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('compileFilter: hostile shapes', () => {
  const nestedNot = (n: number): Record<string, unknown> => {
    let f: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < n; i++) f = { $not: f };
    return f;
  };
  it('5,000 nested $not is an InvalidFilterError, not a stack overflow', () => {
    expect(() => compileFilter(nestedNot(5_000))).toThrow(InvalidFilterError);
    expect(() => compileFilter(nestedNot(5_000))).toThrow(`nested more than ${MAX_FILTER_DEPTH} levels deep`);
  });
  it('a filter at the depth limit still compiles', () => {
    // Each $not adds one level; the innermost { a: 1 } is one more.
    expect(matches(nestedNot(MAX_FILTER_DEPTH - 1), { a: 1 })).toBe(MAX_FILTER_DEPTH % 2 === 1);
  });
  it('a __proto__ key (as JSON.parse makes it) is refused, with its path', () => {
    expect(() => compileFilter(JSON.parse('{"__proto__": {"a": 1}}'))).toThrow("filter.__proto__: the key '__proto__' is not allowed");
    expect(() => compileFilter(JSON.parse('{"$or": [{"b": {"__proto__": 1}}]}'))).toThrow('filter.$or[0].b.__proto__');
    expect(() => compileFilter({ 'a.__proto__.b': 1 })).toThrow(InvalidFilterError);
  });
  it('constructor and prototype are ordinary field names', () => {
    expect(matches({ constructor: 'Ford' }, { constructor: 'Ford' })).toBe(true);
    expect(matches({ 'prototype.x': 1 }, {})).toBe(false);
  });
});
