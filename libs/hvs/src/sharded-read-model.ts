// The read side of a sharded collection: one RemoteReadModel per projector shard. A search asks every shard for its
// k nearest and merges them by distance (exact: the k nearest of the union are among the shards' own k nearest); a
// read asks the shard of each id. Every request carries the client's position, so each shard answers read-your-writes.
import type { NatsConnection } from '@nats-io/nats-core';
import type { ModelPresence } from './projection.js';
import {
  RemoteReadModel,
  type ReadModel,
  type ReadSearchOptions,
  type ReadStats,
  type SearchHit,
  type StoredVector,
} from './read-model.js';
import { shardOf } from './shards.js';

export class ShardedReadModel implements ReadModel {
  private readonly shards: RemoteReadModel[];

  constructor(
    nc: NatsConnection,
    collection: string,
    private readonly shardCount: number,
    timeoutMs = 10_000,
  ) {
    this.shards = Array.from(
      { length: shardCount },
      (_, index) => new RemoteReadModel(nc, collection, timeoutMs, { index, count: shardCount }),
    );
  }

  async get(ids: string[], minPosition: number): Promise<(StoredVector | undefined)[]> {
    const byShard = new Map<number, number[]>();
    ids.forEach((id, i) => {
      const s = shardOf(id, this.shardCount);
      const list = byShard.get(s);
      if (list) list.push(i);
      else byShard.set(s, [i]);
    });
    const out: (StoredVector | undefined)[] = new Array<StoredVector | undefined>(ids.length).fill(undefined);
    await Promise.all(
      [...byShard].map(async ([s, positions]) => {
        const found = await this.shards[s]!.get(
          positions.map((i) => ids[i]!),
          minPosition,
        );
        positions.forEach((i, j) => (out[i] = found[j]));
      }),
    );
    return out;
  }

  async search(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number): Promise<SearchHit[]> {
    const answers = await Promise.all(this.shards.map((s) => s.search(query, k, options, minPosition)));
    // Ties break by id, so the merged order does not depend on which shard answered first.
    return answers
      .flat()
      .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, k);
  }

  async count(minPosition: number): Promise<number> {
    const counts = await Promise.all(this.shards.map((s) => s.count(minPosition)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Every shard follows the whole log, presence included: any one of them knows every model. */
  models(minPosition: number): Promise<ModelPresence[]> {
    return this.shards[0]!.models(minPosition);
  }

  async sync(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.sync()));
  }

  /** The position every shard has reached, and the collection's size over all of them. */
  async stats(): Promise<ReadStats> {
    const all = await Promise.all(this.shards.map((s) => s.stats()));
    return {
      position: Math.min(...all.map((s) => s.position)),
      vectors: all.reduce((a, s) => a + s.vectors, 0),
      models: Math.max(...all.map((s) => s.models)),
    };
  }
}
