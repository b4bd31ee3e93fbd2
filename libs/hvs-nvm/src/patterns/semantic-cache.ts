// Pattern 5: a semantic cache: values found by the meaning of the query, with a TTL, in HVS under a registry block.
import { z } from 'zod';
import { BlockClass, MAX_TTL_SECONDS, type NVM } from '@hvs-nvm/nvm';
import type { HVS, VectorInput } from '@hvs-nvm/hvs';
import { SENTENCE_ENCODER_NAME, type Encoder } from '@hvs-nvm/encoders';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from '../input.js';
import { entriesOf, sourcesOf, storeEntry } from '../reserved.js';
import { resolveSources, SourcesSchema, type SourceInput } from '../provenance/sources.js';
import { SourceVersions } from '../provenance/source-versions.js';
import { SystemBlock } from './system-block.js';

/**
 * The default hit threshold for the default encoder (Universal Sentence Encoder lite), as a cosine similarity of
 * the two queries' embeddings. Measured with that encoder: 28 paraphrase pairs ("What is HyperSync?" / "Tell me
 * about HyperSync" 0.81, "How do I reset my password?" / "How can I change my password?" 0.93) had cosine 0.68–0.97,
 * median 0.85; 25 pairs of unrelated questions had 0.19–0.73, median 0.36. 0.78 admits 25 of the 28 paraphrases and
 * none of the unrelated pairs: a false hit returns a wrong answer, a miss only costs a recomputation. No threshold
 * tells apart questions that differ in one word ("…capital of France?" / "…of Germany?" 0.84): key such entries by
 * an explicit query vector, or raise the threshold.
 */
export const DEFAULT_SENTENCE_ENCODER_THRESHOLD = 0.78;
/** For any other encoder, the seed's 0.9: similarities mean something only per encoder, so calibrate your own. */
export const DEFAULT_THRESHOLD = 0.9;

const Threshold = z.number().min(-1).max(1);

const SemanticCacheOptionsSchema = z.strictObject({
  ttlSeconds: z.number().positive().max(MAX_TTL_SECONDS, `ttlSeconds is at most ${MAX_TTL_SECONDS} (ten years)`).default(3600),
  encoder: z.custom<Encoder>(
    (e) => typeof e === 'object' && e !== null && typeof (e as Encoder).encode === 'function',
    'an encoder has name, dimension and encode()',
  ),
  /** Distinguishes several caches on one HVS (default 'semantic_cache'). */
  name: z.string().min(1).max(200).default('semantic_cache'),
  /** Least cosine similarity of a query and a cached query that counts as a hit (default: see DEFAULT_THRESHOLD). */
  threshold: Threshold.optional(),
});
export type SemanticCacheOptions = z.input<typeof SemanticCacheOptionsSchema>;

const GetOptions = z.strictObject({ threshold: Threshold.optional() });
const SetOptions = z.strictObject({
  queryVector: z.custom<VectorInput>((v) => Array.isArray(v) || ArrayBuffer.isView(v), 'a vector').optional(),
  /** The blocks, vectors and facts the value was computed from: a change to any of them invalidates the entry. */
  sources: SourcesSchema.optional(),
});

/** A cached value as stored in its vector's metadata, and as checked when read back. */
const CacheEntrySchema = z.object({
  key: z.string(),
  value: z.unknown(),
  /** Epoch seconds. */
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

/** Cosine similarity, whatever the HVS geometry ranks by (0 for a zero vector). */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Values cached under the meaning of a query. A lookup hits when the cosine similarity of its embedding and a cached
 * query's embedding reaches the threshold — computed from the vectors themselves, so the threshold means the same in
 * every HVS geometry (an HVS `score` would not: it is `1/(1+d)` in euclidean space, `cos d` on the sphere).
 */
export class SemanticCache {
  readonly ttlSeconds: number;
  /** The threshold get() uses when not given one. */
  readonly threshold: number;
  private readonly encoder: Encoder;
  private readonly name: string;
  private readonly registry: SystemBlock;
  private readonly log = createLogger('semantic-cache');
  /** The invalidation projection: the current version of every source an entry names, from the logs. */
  private readonly versions: SourceVersions;

  constructor(
    readonly nvm: NVM,
    readonly hvs: HVS,
    options: SemanticCacheOptions,
  ) {
    const opts = parseOptions(SemanticCacheOptionsSchema, options, 'SemanticCache');
    this.ttlSeconds = opts.ttlSeconds;
    this.encoder = opts.encoder;
    this.name = opts.name;
    this.threshold =
      opts.threshold ?? (opts.encoder.name === SENTENCE_ENCODER_NAME ? DEFAULT_SENTENCE_ENCODER_THRESHOLD : DEFAULT_THRESHOLD);
    // The registry block: PROGRAM_STATE, not CACHE (the cache outlives each entry's TTL); written by the system only,
    // re-created if it is gone.
    this.registry = new SystemBlock(
      nvm,
      {
        name: this.name,
        blockClass: BlockClass.PROGRAM_STATE,
        metadata: { ttl_seconds: this.ttlSeconds, kind: 'semantic_cache' },
        initialContent: () => ({ entries: {} }),
      },
      this.log,
    );
    this.versions = new SourceVersions({ hvs: hvs.eventStore, nvm: nvm.eventStore });
  }

  async getCacheId(): Promise<string> {
    return (await this.registry.get()).id;
  }

  /** The value cached for the most similar earlier query whose similarity reaches `threshold`, or null. */
  async get(query: string, options: { threshold?: number } = {}): Promise<unknown> {
    const text = parseInput(NonBlankText, query, 'SemanticCache.get query');
    const threshold = parseOptions(GetOptions, options, 'SemanticCache.get').threshold ?? this.threshold;
    const cacheId = await this.getCacheId();
    const vector = await this.encoder.encode(text);
    const now = Date.now() / 1000;
    // Look past expired entries (and delete them) so a stale nearest hit does not hide a live one.
    // Only entries this cache wrote (the reserved key): a vector stored through the public API is never an answer.
    const results = await this.hvs.semanticSearch(vector, {
      k: 5,
      filter: { type: 'cache_entry', cache_id: cacheId, ...entriesOf('cache_entry') },
    });
    const hits = results
      .map((r) => ({ r, similarity: cosine(vector, r.vector.data) }))
      .filter((h) => h.similarity >= threshold)
      .sort((a, b) => b.similarity - a.similarity);
    const entries: { id: string; entry: CacheEntry; sources: NonNullable<ReturnType<typeof sourcesOf>> }[] = [];
    for (const { r } of hits) {
      const parsed = CacheEntrySchema.safeParse(r.vector.metadata['entry']);
      const sources = sourcesOf(r.vector.metadata);
      if (!parsed.success || parsed.data.value === undefined || sources === null) {
        this.log.warn({ vectorId: r.vector.id, issues: parsed.error?.issues }, 'skipped a cache entry of the wrong shape');
        continue;
      }
      entries.push({ id: r.vector.id, entry: parsed.data, sources });
    }
    // Only entries computed from sources need the projection (which first catches up with the logs' head).
    const current = entries.some((e) => e.sources.length > 0)
      ? await this.versions.allCurrent(entries.map((e) => e.sources))
      : entries.map(() => true);
    for (const [i, { id, entry }] of entries.entries()) {
      // A copy: the stored value is shared (frozen) read-model state.
      if (now < entry.expiresAt && current[i]) return structuredClone(entry.value);
      // Expired, or a source changed since: a miss everywhere, so whoever sees it first deletes it.
      await this.hvs.deleteVector(id);
    }
    return null;
  }

  /**
   * Caches `value` under the meaning of `key` (or of an explicit query vector). Returns the entry's id. With
   * `sources` (block, vector or fact ids, or `{ id, version }` to pin the version the value was computed from), the
   * entry records each source's version and stops being served, in every process, once any of them changes or goes.
   */
  async set(key: string, value: unknown, options: { queryVector?: VectorInput; sources?: SourceInput[] } = {}): Promise<string> {
    const text = parseInput(NonBlankText, key, 'SemanticCache.set key');
    const { queryVector, sources } = parseOptions(SetOptions, options, 'SemanticCache.set');
    const links = sources
      ? await resolveSources({ hvs: this.hvs.eventStore, nvm: this.nvm.eventStore }, this.hvs, sources, 'SemanticCache.set')
      : [];
    const cacheId = await this.getCacheId();
    const vector = queryVector ?? (await this.encoder.encode(text));
    const now = Date.now() / 1000;
    const entry: CacheEntry = {
      key: text,
      value,
      createdAt: now,
      expiresAt: now + this.ttlSeconds,
    };
    return storeEntry(this.hvs, 'cache_entry', vector, { type: 'cache_entry', cache_id: cacheId, entry: { ...entry } }, undefined, links);
  }

  /** Stops following the logs (the stores stay open: they are the caller's). */
  async close(): Promise<void> {
    await this.versions.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
