// Unit tests of the shared value helpers: the describer never throws, strict JSON refuses what JSON would change.
import { describe, expect, it } from 'vitest';
import { NotJsonError, strictJsonText } from './strict-json.js';
import { describeValue, isPlainObject, optionsOf } from './values.js';

describe('describeValue', () => {
  it('shows strings, arrays, typed arrays and class instances, bounded', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue([1, 2])).toBe('[1,2]');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue(new Map())).toBe('a Map object');
    expect(describeValue(10n)).toBe('"10n"');
    expect(describeValue('y'.repeat(500), 20)).toHaveLength(21);
  });

  it('never throws, whatever the value', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = {
      toString: '',
      toJSON: () => {
        throw new Error('no');
      },
    };
    for (const v of [cyclic, proxy, hostile, Symbol('s'), undefined, () => 1]) expect(typeof describeValue(v)).toBe('string');
  });
});

describe('isPlainObject and optionsOf', () => {
  it('accepts object literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    for (const v of [[], new Date(), new Map(), null, 'x']) expect(isPlainObject(v)).toBe(false);
  });

  it('treats omitted options as none and refuses non-objects with the error of the caller', () => {
    const refuse = (m: string) => new RangeError(m);
    expect(optionsOf(undefined, 'call', refuse)).toEqual({});
    expect(optionsOf(null, 'call', refuse)).toEqual({});
    expect(() => optionsOf([] as never, 'call', refuse)).toThrow(/call options must be an object, got \[\]/);
    expect(() => optionsOf(new Map() as never, 'call', refuse)).toThrow(RangeError);
  });
});

describe('strictJsonText', () => {
  it('is JSON.stringify for JSON values, Dates through toJSON', () => {
    const value = { a: [1, 'x', null, { b: true }], at: new Date(0) };
    expect(strictJsonText(value, 'v')).toBe(JSON.stringify(value));
  });

  it('refuses what JSON would silently change, naming where', () => {
    const cases: [unknown, RegExp][] = [
      [{ a: NaN }, /v\.a is NaN/],
      [{ a: [1, Infinity] }, /v\.1 is Infinity/],
      [{ a: 1n }, /v\.a is a bigint/],
      [{ f: () => 1 }, /v\.f is a function/],
      [[undefined], /v\.0 is undefined/],
      [undefined, /v is undefined/],
      [{ m: new Map() }, /v\.m is a Map object, which JSON cannot hold/],
    ];
    for (const [value, message] of cases) expect(() => strictJsonText(value, 'v')).toThrow(message);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => strictJsonText(cyclic, 'v')).toThrow(NotJsonError);
  });

  it('drops undefined properties and allows empty keys unless told otherwise', () => {
    expect(strictJsonText({ a: undefined, '': 1 }, 'v')).toBe('{"":1}');
    expect(() => strictJsonText({ a: undefined }, 'v', { refuseUndefinedProperties: true })).toThrow(/v\.a is undefined/);
    expect(() => strictJsonText({ '': 1 }, 'v', { refuseEmptyKeys: true })).toThrow(/empty keys are not allowed/);
  });
});
