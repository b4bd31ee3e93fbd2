// Unit tests of the default encoder (Universal Sentence Encoder lite), including a run with no network.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Encoder } from './encoder.js';
import { defaultEncoder, splitIntoChunks } from './sentence-encoder.js';
import { InvalidEncoderInputError, InvalidEncoderOptionError } from './errors.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: Float32Array): number => Math.sqrt(dot(a, a));
const expectClose = (a: Float32Array, b: Float32Array): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
};

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const unshareWorks = spawnSync('unshare', ['-n', 'true']).status === 0;

describe('defaultEncoder', () => {
  let encoder: Encoder;
  beforeAll(async () => {
    encoder = await defaultEncoder();
  });

  it('is one shared 512-d encoder per process', async () => {
    expect(await defaultEncoder()).toBe(encoder);
    expect(encoder.dimension).toBe(512);
    expect(encoder.name).toBe('universal-sentence-encoder-lite');
  });

  it('returns unit-length 512-d Float32Arrays', async () => {
    const v = await encoder.encode('HyperSync is a distributed AI coordination system.');
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(512);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('puts a question nearer its answer than an unrelated sentence', async () => {
    const [query, doc, weather] = await encoder.encodeBatch([
      'What is the example?',
      'This is example documentation.',
      'The weather is cold today.',
    ]);
    expect(dot(query!, doc!)).toBeGreaterThan(dot(query!, weather!));
  });

  it('encodes a batch as it encodes each text alone', async () => {
    const uncached = await defaultEncoder({ cacheMaxEntries: 0, maxBatchSize: 4 });
    const texts = Array.from({ length: 9 }, (_, i) => `sentence number ${i} about agents sharing memory`);
    const batch = await uncached.encodeBatch(texts);
    expect(batch).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) expectClose(batch[i]!, await uncached.encode(text));
  });

  it('encodes empty and whitespace-only text to unit vectors, wherever it sits in a batch', async () => {
    const uncached = await defaultEncoder({ cacheMaxEntries: 0 });
    const batch = await uncached.encodeBatch(['first', '', '   ', '']);
    expect(batch).toHaveLength(4);
    for (const v of batch) expect(norm(v)).toBeCloseTo(1, 5);
    expectClose(batch[1]!, await uncached.encode(''));
  });

  it('shares one result between concurrent encodes and the cache', async () => {
    const text = 'concurrent callers of one text';
    const [a, b] = await Promise.all([encoder.encode(text), encoder.encode(text)]);
    expectClose(a!, b!);
    expectClose(a!, await encoder.encode(text));
  });

  it('hands out copies, so a caller writing to its vector changes no later result', async () => {
    const text = 'a vector the caller scribbles on';
    const first = await encoder.encode(text);
    const snapshot = first.slice();
    first.fill(0);
    expectClose(await encoder.encode(text), snapshot);
  });

  it('encodes a long document in chunks into one unit vector that keeps its topic', async () => {
    const paragraph = 'The hyperbolic vector store keeps embeddings with metadata and answers nearest neighbour queries. ';
    const documentText = paragraph.repeat(120); // ~12,000 characters, six chunks
    expect(splitIntoChunks(documentText, 2000).length).toBeGreaterThan(1);
    const [doc, query, unrelated] = await encoder.encodeBatch([
      documentText,
      'nearest neighbour search over stored vectors',
      'a recipe for chocolate cake',
    ]);
    expect(norm(doc!)).toBeCloseTo(1, 5);
    expect(dot(doc!, query!)).toBeGreaterThan(dot(doc!, unrelated!));
  });

  it('rejects text that is not a string with a 400 InvalidEncoderInputError', async () => {
    await expect(encoder.encode(undefined as never)).rejects.toBeInstanceOf(InvalidEncoderInputError);
    await expect(encoder.encodeBatch([1 as never])).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ENCODER_INPUT',
    });
  });

  it('rejects out-of-range options before loading anything', async () => {
    await expect(defaultEncoder({ maxBatchSize: 0 })).rejects.toBeInstanceOf(InvalidEncoderOptionError);
    await expect(defaultEncoder({ cacheMaxEntries: -1 })).rejects.toThrow(/cacheMaxEntries=-1:/);
  });

  it.skipIf(!unshareWorks)('loads and encodes with no network at all (child process in an empty network namespace)', () => {
    const script = `
        import { defaultEncoder } from '@hvs-nvm/encoders';
        const reachable = await fetch('http://1.1.1.1/', { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
        const encoder = await defaultEncoder();
        const v = await encoder.encode('What is the example?');
        console.log(JSON.stringify({ reachable, length: v.length, norm: Math.hypot(...v) }));
      `;
    const child = spawnSync(
      'unshare',
      ['-n', process.execPath, '--import', 'tsx', '--conditions=@hvs-nvm/source', '--input-type=module', '-e', script],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ reachable: false, length: 512 });
    expect(result['norm']).toBeCloseTo(1, 5);
  });
});

describe('splitIntoChunks', () => {
  it('keeps short text whole and cuts long text at whitespace into pieces of at most the limit', () => {
    expect(splitIntoChunks('short text', 100)).toEqual(['short text']);
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const chunks = splitIntoChunks(text, 100);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(100);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith(' ')).toBe(true);
  });

  it('never splits a surrogate pair when there is no whitespace to cut at', () => {
    const text = '🙂'.repeat(100);
    const chunks = splitIntoChunks(text, 33);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/u);
  });
});
