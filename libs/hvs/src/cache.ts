// The client cache's store: lru-cache (isaacs) bounded by bytes, with the hit, miss and eviction counts HVS reports.
import { LRUCache } from 'lru-cache';

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

export class LruByteCache<V extends object> {
  private readonly lru: LRUCache<string, V> | undefined;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    readonly maxBytes: number,
    sizeOf: (value: V) => number,
  ) {
    // lru-cache needs a positive bound; a zero-byte cache keeps nothing.
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, V>({
            maxSize: maxBytes,
            sizeCalculation: (value) => Math.max(1, sizeOf(value)),
            dispose: (_value, _key, reason) => {
              if (reason === 'evict') this.evictions++;
            },
          })
        : undefined;
  }

  get(key: string): V | undefined {
    const value = this.lru?.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  has(key: string): boolean {
    return this.lru?.has(key) ?? false;
  }

  /** A value larger than the whole cache is not kept (lru-cache refuses it rather than evicting everything). */
  set(key: string, value: V): void {
    this.lru?.set(key, value);
  }

  delete(key: string): boolean {
    return this.lru?.delete(key) ?? false;
  }

  clear(): void {
    this.lru?.clear();
  }

  stats(): CacheStats {
    return {
      entries: this.lru?.size ?? 0,
      bytes: this.lru?.calculatedSize ?? 0,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
