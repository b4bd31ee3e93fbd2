// Pattern 5: a semantic cache: values found by the meaning of the query, with a TTL, in HVS under a CACHE block.
import { BlockClass, BlockExistsError, type Block, type NVM } from '@hvs-nvm/nvm';
import type { HVS, VectorInput } from '@hvs-nvm/hvs';
import type { Encoder } from '@hvs-nvm/encoders';

export interface SemanticCacheOptions {
  ttlSeconds?: number;
  encoder: Encoder;
  /** Distinguishes several caches on one HVS (default 'semantic_cache'). */
  name?: string;
}

export interface CacheEntry {
  key: string;
  value: unknown;
  /** Epoch seconds. */
  createdAt: number;
  expiresAt: number;
  /** Ids of the source events or records the value was computed from, when the caller gives them. */
  dependsOn?: string[];
}

export class SemanticCache {
  readonly ttlSeconds: number;
  private readonly encoder: Encoder;
  private readonly name: string;
  private cacheBlock?: Promise<Block>;

  constructor(
    readonly nvm: NVM,
    readonly hvs: HVS,
    options: SemanticCacheOptions,
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 3600;
    if (!(this.ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be positive, got ${options.ttlSeconds}`);
    this.encoder = options.encoder;
    this.name = options.name ?? 'semantic_cache';
  }

  /** The cache's registry block. It is a PROGRAM_STATE block, not CACHE: the cache outlives each entry's TTL. */
  private init(): Promise<Block> {
    this.cacheBlock ??= (async () => {
      const existing = await this.nvm.getBlockByName(this.name);
      if (existing) return existing;
      try {
        return await this.nvm.createBlock({
          name: this.name,
          blockClass: BlockClass.PROGRAM_STATE,
          content: { entries: {} },
          metadata: { ttl_seconds: this.ttlSeconds, kind: 'semantic_cache' },
        });
      } catch (err) {
        if (!(err instanceof BlockExistsError)) throw err;
        const raced = await this.nvm.getBlockByName(this.name);
        if (!raced) throw err;
        return raced;
      }
    })();
    this.cacheBlock.catch(() => (this.cacheBlock = undefined));
    return this.cacheBlock;
  }

  async getCacheId(): Promise<string> {
    return (await this.init()).id;
  }

  /** The value cached for the nearest earlier query whose score reaches `threshold`, or null. */
  async get(query: string, options: { threshold?: number } = {}): Promise<unknown> {
    const threshold = options.threshold ?? 0.9;
    const cacheId = await this.getCacheId();
    const vector = await this.encoder.encode(query);
    const now = Date.now() / 1000;
    // Look past expired entries (and delete them) so a stale nearest hit does not hide a live one.
    const results = await this.hvs.semanticSearch(vector, { k: 5, filter: { type: 'cache_entry', cache_id: cacheId } });
    for (const r of results) {
      if (r.score < threshold) break;
      const entry = r.vector.metadata['entry'] as CacheEntry;
      // A copy: the stored value is shared (frozen) read-model state.
      if (now < entry.expiresAt) return structuredClone(entry.value);
      await this.hvs.deleteVector(r.vector.id);
    }
    return null;
  }

  /** Caches `value` under the meaning of `key` (or of an explicit query vector). Returns the entry's id. */
  async set(key: string, value: unknown, options: { queryVector?: VectorInput; dependsOn?: string[] } = {}): Promise<string> {
    const cacheId = await this.getCacheId();
    const vector = options.queryVector ?? (await this.encoder.encode(key));
    const now = Date.now() / 1000;
    const entry: CacheEntry = {
      key,
      value,
      createdAt: now,
      expiresAt: now + this.ttlSeconds,
      ...(options.dependsOn ? { dependsOn: options.dependsOn } : {}),
    };
    return this.hvs.storeVector(vector, { type: 'cache_entry', cache_id: cacheId, entry: { ...entry } });
  }
}
