import { describe, expect, it } from 'vitest';
import {
  decodeEventData,
  decodeEventRecord,
  encodeEventData,
  EventCodecError,
  frameEventRecord,
  isEventRecord,
  jsonParts,
} from './codec.js';

describe('event codec', () => {
  it('round-trips JSON data with float32 vectors as binary', () => {
    const v = new Float32Array([1.5, -2, 3.25]);
    const w = new Float32Array([7, 8]);
    const data = { id: 'a', vector: v, nested: { other: w }, metadata: { k: [1, 2], s: 'x' } };
    const bytes = encodeEventData(data);
    const back = decodeEventData(bytes) as typeof data;
    expect(back.id).toBe('a');
    expect(back.vector).toBeInstanceOf(Float32Array);
    expect([...back.vector]).toEqual([1.5, -2, 3.25]);
    expect([...back.nested.other]).toEqual([7, 8]);
    expect(back.metadata).toEqual({ k: [1, 2], s: 'x' });
  });

  it('keeps a 128-d vector at 4 bytes a dimension plus a small head', () => {
    const v = Float32Array.from({ length: 128 }, () => Math.random() - 0.5);
    const bytes = encodeEventData({ id: 'v1', vector: v, metadata: {} });
    expect(bytes.length).toBeLessThanOrEqual(128 * 4 + 64);
    expect(decodeEventData(bytes)).toEqual({ id: 'v1', vector: v, metadata: {} });
  });

  it('rejects foreign bytes with a codec error', () => {
    expect(() => decodeEventData(new TextEncoder().encode('{"hello":1}'))).toThrow(EventCodecError);
    const bytes = encodeEventData({ v: new Float32Array(4) });
    expect(() => decodeEventData(bytes.subarray(0, bytes.length - 8))).toThrow(EventCodecError);
  });

  it('carries user keys shaped like a vector reference as plain data, both ways', () => {
    const data = {
      metadata: { $f32: [0, 2], nested: { $$f32: 'x', $f32x: 1 }, list: [{ $f32: 'boom' }] },
      vector: new Float32Array([1, 2]),
    };
    const back = decodeEventData(encodeEventData(data)) as typeof data;
    expect(back.metadata).toEqual(data.metadata);
    expect(back.vector).toEqual(data.vector);
    // Without any vector in the event as well.
    expect(decodeEventData(encodeEventData({ $f32: [0, 0] }))).toEqual({ $f32: [0, 0] });
  });

  it('frames a stored event record under its own magic, spliced JSON and vectors intact; neither decoder takes the other', () => {
    const v = new Float32Array([0.25, -4]);
    const { json, arrays, floats } = jsonParts({ t: 'X', d: { vector: v, $f32: 'user' } });
    const bytes = frameEventRecord(`{"r":3,${json.slice(1)}`, arrays, floats);
    expect(isEventRecord(bytes)).toBe(true);
    expect(isEventRecord(encodeEventData({ a: 1 }))).toBe(false);
    const back = decodeEventRecord(bytes) as { r: number; t: string; d: { vector: Float32Array; $f32: string } };
    expect(back.r).toBe(3);
    expect(back.t).toBe('X');
    expect([...back.d.vector]).toEqual([0.25, -4]);
    expect(back.d.$f32).toBe('user');
    expect(() => decodeEventData(bytes)).toThrow(EventCodecError);
    expect(() => decodeEventRecord(encodeEventData({ a: 1 }))).toThrow(/bad magic/);
  });
});
