import { describe, expect, it } from 'vitest';
import { isJsonValue, JsonObject, MAX_JSON_DEPTH, MessageSent } from './schemas.js';

describe('JSON values', () => {
  it('accepts what JSON can carry', () => {
    for (const v of ['', 'x', 0, -1.5, true, false, null, [], {}, [1, 'a', null], { a: { b: [1, { c: 'd' }] } }]) {
      expect(isJsonValue(v)).toBe(true);
    }
    expect(isJsonValue(JSON.parse('{"__proto__": {"x": 1}}'))).toBe(true);
    expect(isJsonValue(Object.create(null))).toBe(true);
  });

  it('refuses what JSON cannot carry, however deep', () => {
    const sparse: unknown[] = [];
    sparse[2] = 1;
    for (const v of [
      undefined,
      NaN,
      Infinity,
      -Infinity,
      1n,
      Symbol('s'),
      () => 1,
      new Date(0),
      new Map(),
      new Float32Array(2),
      { a: undefined },
      [undefined],
      sparse,
      { a: { b: [1, NaN] } },
      { a: { b: new Date(0) } },
    ]) {
      expect(isJsonValue(v)).toBe(false);
    }
  });

  it('bounds the nesting depth', () => {
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = [ok];
    expect(isJsonValue(ok)).toBe(true);
    expect(isJsonValue([ok])).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(isJsonValue(deep)).toBe(false);
  });

  it('backs the event schemas with a clear message', () => {
    expect(JsonObject.safeParse({ a: 1 }).success).toBe(true);
    expect(JsonObject.safeParse([1]).success).toBe(false);
    expect(JsonObject.safeParse(null).success).toBe(false);
    const bad = MessageSent.safeParse({ messageId: 'm1', from: 'a', to: 'b', body: { n: NaN } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/expected JSON/);
    expect(bad.error?.issues[0]?.path).toEqual(['body']);
  });
});
