// Unit tests of the hashing encoder: determinism, shape, unit length, similarity ordering, bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashingEncoder, hashingEncoder } from './hashing-encoder.js';
import { InvalidEncoderInputError, InvalidEncoderOptionError } from './errors.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: Float32Array): number => Math.sqrt(dot(a, a));

describe('HashingEncoder', () => {
  it('gives the same vector for the same text, across encoder instances', async () => {
    const text = 'HyperSync is a distributed AI coordination system.';
    const a = await new HashingEncoder().encode(text);
    const b = await hashingEncoder().encode(text);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('defaults to 256 dimensions and honours the dimension option', async () => {
    expect(hashingEncoder().dimension).toBe(256);
    expect((await hashingEncoder().encode('hello')).length).toBe(256);
    const encoder = new HashingEncoder({ dimension: 64 });
    expect(encoder.dimension).toBe(64);
    expect(encoder.name).toBe('hashing-v1-64');
    expect((await encoder.encode('hello')).length).toBe(64);
  });

  it('returns unit-length vectors for any text, including empty and punctuation-only text', async () => {
    const encoder = hashingEncoder(32);
    for (const text of ['', '   ', '?!', 'a', 'Ünïcödé 🙂 text', 'x'.repeat(10_000)]) {
      expect(norm(await encoder.encode(text))).toBeCloseTo(1, 5);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const v = encoder.encodeSync(text);
        return v.every(Number.isFinite) && Math.abs(norm(v) - 1) < 1e-5;
      }),
    );
  });

  it('scores similar texts higher than unrelated ones', async () => {
    const encoder = hashingEncoder();
    const cases: Array<[query: string, similar: string, unrelated: string]> = [
      ['What is the example?', 'This is example documentation.', 'The weather is cold today.'],
      ['distributed AI coordination', 'HyperSync is a distributed AI coordination system.', 'Bake the bread for forty minutes.'],
      ['the quick brown fox jumps', 'a quick brown fox jumped over the dog', 'stock markets fell sharply on Monday'],
      ['vector search in hyperbolic space', 'hyperbolic vector search', 'chocolate cake recipe'],
    ];
    for (const [query, similar, unrelated] of cases) {
      const [q, s, u] = await encoder.encodeBatch([query, similar, unrelated]);
      expect(dot(q!, s!), `${query} ~ ${similar}`).toBeGreaterThan(dot(q!, u!));
    }
  });

  it('treats case and word inflections as near neighbours', async () => {
    const encoder = hashingEncoder();
    const [a, b, c] = await encoder.encodeBatch(['Example Documents', 'example documents', 'examples documented']);
    expect(dot(a!, b!)).toBeCloseTo(1, 5);
    expect(dot(a!, c!)).toBeGreaterThan(0.3);
  });

  it('encodes a batch exactly as it encodes each text alone', async () => {
    const encoder = hashingEncoder(128);
    const texts = ['one', 'two words', '', 'three word sentence'];
    const batch = await encoder.encodeBatch(texts);
    for (const [i, text] of texts.entries()) {
      expect(Array.from(batch[i]!)).toEqual(Array.from(await encoder.encode(text)));
    }
  });

  it('rejects text that is not a string with a 400 InvalidEncoderInputError', async () => {
    const encoder = hashingEncoder();
    for (const bad of [42, null, undefined, { text: 'x' }]) {
      await expect(encoder.encode(bad as never)).rejects.toMatchObject({
        name: 'InvalidEncoderInputError',
        code: 'INVALID_ENCODER_INPUT',
        status: 400,
      });
    }
    await expect(encoder.encodeBatch('not an array' as never)).rejects.toThrow(/texts must be an array/);
    await expect(encoder.encodeBatch(['ok', 7 as never])).rejects.toThrow(/texts\[1\] must be a string, got 7/);
    await expect(new HashingEncoder({ maxTextChars: 4 }).encode('too long')).rejects.toBeInstanceOf(InvalidEncoderInputError);
  });

  it('rejects a dimension that is not an integer of at least 2', () => {
    for (const dimension of [0, 1, -3, 2.5, Number.NaN]) {
      expect(() => new HashingEncoder({ dimension })).toThrow(InvalidEncoderOptionError);
    }
    expect(() => hashingEncoder(1)).toThrow(/invalid encoder option dimension=1:/);
  });
});
