import { describe, expect, it } from 'vitest';
import { decodeEventData, encodeEventData, EventCodecError } from './codec.js';

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
});
