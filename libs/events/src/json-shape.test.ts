// Unit tests of the JSON shape rules: the depth bound, forbidden keys with their paths, and no recursion.
import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, MAX_INPUT_JSON_DEPTH } from './json-shape.js';

const nested = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 === 0 ? { a: v } : [v];
  return v;
};

describe('jsonShapeProblem', () => {
  it('accepts ordinary JSON, up to the depth limit', () => {
    expect(jsonShapeProblem({ a: [1, { b: null }], constructor: 'x', prototype: {} }, 'body')).toBeUndefined();
    expect(jsonShapeProblem(nested(MAX_INPUT_JSON_DEPTH), 'body')).toBeUndefined();
  });
  it('refuses one level more, and answers for 100,000 levels without overflowing the stack', () => {
    expect(jsonShapeProblem(nested(MAX_INPUT_JSON_DEPTH + 1), 'body')?.message).toMatch(
      `nested more than ${MAX_INPUT_JSON_DEPTH} levels deep`,
    );
    expect(jsonShapeProblem(nested(100_000), 'body')).toMatchObject({ kind: 'depth' });
  });
  it('names the path of a __proto__ key', () => {
    expect(jsonShapeProblem(JSON.parse('{"a": [0, {"__proto__": {"x": 1}}]}'), 'body')).toEqual({
      kind: 'key',
      message: "body.a[1].__proto__: the key '__proto__' is not allowed",
    });
  });
  it('a cycle is cut by the depth limit', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    a['again'] = a;
    expect(jsonShapeProblem(a, 'm')?.kind).toBe('depth');
  });
});
