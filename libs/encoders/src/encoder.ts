// The Encoder port (text in, unit-length Float32Array out) and the input checks every encoder shares.
import { describeValue, InvalidEncoderInputError, InvalidEncoderOptionError } from './errors.js';

/**
 * Turns text into a fixed-dimension vector. Every vector an encoder returns has L2 norm 1, so the
 * dot product of two of them is their cosine similarity. `name` identifies the vector space:
 * vectors from encoders with different names must not be compared.
 */
export interface Encoder {
  readonly name: string;
  readonly dimension: number;
  encode(text: string): Promise<Float32Array>;
  encodeBatch(texts: string[]): Promise<Float32Array[]>;
}

/** One million characters: far beyond any sentence or block, small enough to never stall a process. */
export const DEFAULT_MAX_TEXT_CHARS = 1_000_000;

export function assertText(text: unknown, maxTextChars: number, label = 'text'): asserts text is string {
  if (typeof text !== 'string') {
    throw new InvalidEncoderInputError(`${label} must be a string, got ${describeValue(text)}`);
  }
  if (text.length > maxTextChars) {
    throw new InvalidEncoderInputError(`${label} has ${text.length} characters; the encoder accepts at most ${maxTextChars}`);
  }
}

export function assertTexts(texts: unknown, maxTextChars: number): asserts texts is string[] {
  if (!Array.isArray(texts)) {
    throw new InvalidEncoderInputError(`texts must be an array of strings, got ${describeValue(texts)}`);
  }
  for (let i = 0; i < texts.length; i++) assertText(texts[i], maxTextChars, `texts[${i}]`);
}

export function assertIntegerOption(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidEncoderOptionError(option, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Scales `v` in place to unit length; returns false (leaving `v` alone) when it has no direction. */
export function normaliseInPlace(v: Float32Array): boolean {
  let sumSquares = 0;
  for (let i = 0; i < v.length; i++) sumSquares += v[i]! * v[i]!;
  const norm = Math.sqrt(sumSquares);
  if (!(norm > 0) || !Number.isFinite(norm)) return false;
  const scale = 1 / norm;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
  return true;
}
