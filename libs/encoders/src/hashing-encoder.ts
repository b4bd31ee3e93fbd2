// A dependency-free, deterministic encoder: signed feature hashing of words and character trigrams.
import { assertIntegerOption, assertText, assertTexts, DEFAULT_MAX_TEXT_CHARS, normaliseInPlace, type Encoder } from './encoder.js';

export interface HashingEncoderOptions {
  /** Number of hash buckets, i.e. the vector dimension (default 256). */
  readonly dimension?: number;
  /** Longest text accepted, in UTF-16 code units (default 1,000,000). */
  readonly maxTextChars?: number;
}

export const DEFAULT_HASHING_DIMENSION = 256;

// Whole words carry the meaning; trigrams let "example" and "examples" share most of their weight.
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;
const WORD_PATTERN = /[\p{L}\p{N}]+/gu;
// Text with no word characters still needs a direction: it is hashed whole (or as this marker if empty).
const EMPTY_TEXT_FEATURE = '\u0000empty';

/**
 * Bag-of-features encoder for tests and offline fallbacks: lowercase word unigrams and
 * boundary-marked character trigrams (`<ex`, `exa`, …, `le>`) hashed into `dimension` buckets,
 * each with a hash-chosen sign so collisions cancel rather than pile up, then L2-normalised.
 * Same text, same vector, in every process.
 */
export class HashingEncoder implements Encoder {
  readonly name: string;
  readonly dimension: number;
  readonly #maxTextChars: number;

  constructor(options: HashingEncoderOptions = {}) {
    this.dimension = assertIntegerOption('dimension', options.dimension ?? DEFAULT_HASHING_DIMENSION, 2, 1 << 20);
    this.#maxTextChars = assertIntegerOption('maxTextChars', options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS, 1);
    this.name = `hashing-v1-${this.dimension}`;
  }

  async encode(text: string): Promise<Float32Array> {
    assertText(text, this.#maxTextChars);
    return this.encodeSync(text);
  }

  async encodeBatch(texts: string[]): Promise<Float32Array[]> {
    assertTexts(texts, this.#maxTextChars);
    return texts.map((text) => this.encodeSync(text));
  }

  /** The same encoding without a promise, for synchronous callers (tests, benches, reducers). */
  encodeSync(text: string): Float32Array {
    assertText(text, this.#maxTextChars);
    const vector = new Float32Array(this.dimension);
    const normalised = text.normalize('NFKC').toLowerCase();
    let features = 0;
    for (const match of normalised.matchAll(WORD_PATTERN)) {
      const word = match[0];
      this.#add(vector, `w:${word}`, WORD_WEIGHT);
      // Code points, not UTF-16 units, so a trigram never splits a surrogate pair.
      const chars = Array.from(`<${word}>`);
      for (let i = 0; i + 3 <= chars.length; i++) {
        this.#add(vector, `t:${chars[i]}${chars[i + 1]}${chars[i + 2]}`, TRIGRAM_WEIGHT);
      }
      features++;
    }
    if (features === 0) {
      const trimmed = normalised.trim();
      this.#add(vector, trimmed === '' ? EMPTY_TEXT_FEATURE : `s:${trimmed}`, WORD_WEIGHT);
    }
    // Opposite signs can cancel exactly; fall back to the raw text so the vector keeps a direction.
    if (!normaliseInPlace(vector)) {
      this.#add(vector, `x:${normalised}`, WORD_WEIGHT);
      normaliseInPlace(vector);
    }
    return vector;
  }

  #add(vector: Float32Array, feature: string, weight: number): void {
    const hash = fmix32(fnv1a32(feature));
    const bucket = hash % this.dimension;
    // The sign comes from bits independent of the bucket choice.
    const sign = (fmix32(hash ^ 0x9e3779b9) & 1) === 0 ? 1 : -1;
    vector[bucket] = vector[bucket]! + sign * weight;
  }
}

export function hashingEncoder(dimension: number = DEFAULT_HASHING_DIMENSION): HashingEncoder {
  return new HashingEncoder({ dimension });
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// MurmurHash3's finaliser: FNV's low bits are weak, and buckets are taken modulo the dimension.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
