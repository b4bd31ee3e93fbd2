// The client cache of one HVS: retrieved vector records in a byte-bounded LRU, evicted as the log changes them.
import { streamIds } from '@hvs-nvm/events';
import type { RecordedEvent } from '@hvs-nvm/eventstore';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { LruByteCache, type CacheStats } from './cache.js';
import type { VectorRecord } from './records.js';

export class ClientCache {
  private readonly cache: LruByteCache<VectorRecord>;
  private evictions?: Subscription;

  constructor(cacheSizeMb: number) {
    this.cache = new LruByteCache(cacheSizeMb * 1024 * 1024, (r) => r.data.byteLength + 256);
  }

  get(id: string): VectorRecord | undefined {
    return this.cache.get(id);
  }

  set(id: string, record: VectorRecord): void {
    this.cache.set(id, record);
  }

  delete(id: string): void {
    this.cache.delete(id);
  }

  /** Drops one id (or everything). */
  invalidate(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  stats(): CacheStats {
    return this.cache.stats();
  }

  /** Called for each event the in-process projection applies. */
  evict(event: RecordedEvent): void {
    if (event.type === 'VectorStored' || event.type === 'VectorDeleted') this.cache.delete(event.data.id);
  }

  /** No local event stream to evict by: any publish on a vector's subject evicts it from the cache. */
  followSubjects(nc: NatsConnection, prefix: string): void {
    this.evictions = nc.subscribe(`${prefix}.${streamIds.vectors}`, {
      callback: (_err, msg) => {
        this.cache.delete(msg.subject.slice(prefix.length + 5));
      },
    });
  }

  close(): void {
    this.evictions?.unsubscribe();
  }
}
