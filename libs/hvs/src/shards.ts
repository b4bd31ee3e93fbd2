// Sharding a collection over projector processes: which shard holds a vector (a deterministic partition of its id),
// and the query subjects and queue group of one shard.
import { z } from 'zod';
import { querySubject } from '@hvs-nvm/events';
import { parseNatsServerVersion } from '@hvs-nvm/runtime';
import { InvalidArgumentError } from './errors.js';

/** Most shards a collection can be split into. */
export const MAX_SHARDS = 256;

/** One shard of a collection: `index` in 0..count-1. */
export interface Shard {
  index: number;
  count: number;
}

export const ShardSchema = z
  .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(MAX_SHARDS) })
  .refine((s) => s.index < s.count, 'a shard index is below the shard count');

const UTF8 = new TextEncoder();

/**
 * The shard of a vector id: FNV-1a (32 bits) of its UTF-8 bytes, modulo `count`. The same function nats-server's
 * subject mapping `{{partition(count, …)}}` applies to a subject token, so a move to server-side partitioned subjects
 * keeps every vector on its shard. Fixed forever: changing it moves vectors between shards.
 */
export function shardOf(id: string, count: number): number {
  let h = 0x811c9dc5;
  for (const b of UTF8.encode(id)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** `i/N` (as `apps/projector --shard` takes it) → a shard; InvalidArgumentError otherwise. */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(text);
  const parsed = m ? ShardSchema.safeParse({ index: Number(m[1]), count: Number(m[2]) }) : undefined;
  if (!parsed?.success) throw new InvalidArgumentError(`'${text}' is not a shard i/N with 0 <= i < N <= ${MAX_SHARDS}`);
  return parsed.data;
}

/** The subject token naming a shard (`s0of3`): the shard count is part of it, so shards of another split never answer. */
function shardToken(shard: Shard): string {
  return `s${shard.index}of${shard.count}`;
}

/** The request subject of one op of a collection's projection, or of one shard of it. */
export function projectionSubject(collection: string, op: string, shard?: Shard): string {
  return shard ? querySubject('hvs', `${collection}.${shardToken(shard)}`, op) : querySubject('hvs', collection, op);
}

/** The queue group the replicas of a collection's projection (or of one shard of it) share. */
export function projectionQueue(collection: string, shard?: Shard): string {
  return shard ? `hvs-projector-${collection}-${shardToken(shard)}` : `hvs-projector-${collection}`;
}

/** Where the projection of a shard checkpoints (a folder name suffix): never the unsharded projection's folder. */
export function shardSuffix(shard?: Shard): string {
  return shard ? `-${shardToken(shard)}` : '';
}

/**
 * How a shard receives the log on the connected nats-server (infra/README.md, "Server-side partitioning"). Today's
 * path on every version is `whole-stream`: each shard consumes every event and skips other shards' vectors. What the
 * server could do instead: a consumer with several filter subjects and stream subject transforms with
 * `{{partition(n,…)}}` exist from nats-server 2.10 on, so only there could a shard be sent only its own vectors
 * (`partitionable`); that path needs partition tokens in the stored subjects, which the event store does not write.
 */
export interface ShardDelivery {
  path: 'whole-stream';
  /** The connected server's version as it announced it (`2.9.10`), or null when it did not. */
  serverVersion: string | null;
  /** nats-server ≥ 2.10: several filter subjects per consumer and stream subject transforms. */
  partitionable: boolean;
}

export function shardDelivery(serverVersion: string | null): ShardDelivery {
  const v = serverVersion === null ? undefined : parseNatsServerVersion(serverVersion);
  const partitionable = v !== undefined && (v.major > 2 || (v.major === 2 && v.minor >= 10));
  return { path: 'whole-stream', serverVersion: v?.text ?? null, partitionable };
}
