// The HVS options: the zod schema every HVS.open call is validated against.
import { z } from 'zod';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { AsOfSchema, NatsConnectionOptions } from '@hvs-nvm/eventstore';
import { MAX_SHARDS, ShardSchema } from './shards.js';

export const HVSOptionsSchema = NatsConnectionOptions.extend({
  /** Folder for the projection's snapshots (and the embedded nats-server's store). */
  storagePath: z.string().min(1).default('./data/hvs'),
  dimension: z.number().int().min(1).max(65_536).default(512),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']).default('euclidean'),
  cacheSizeMb: z.number().min(0).default(64),
  /** One HVS = one collection; several collections can share one NATS server. */
  collection: z.string().regex(NAMESPACE_PATTERN, 'a collection name is 1-64 characters of A-Z a-z 0-9 _ -').default('default'),
  /** HNSW graph degree, build-time and default search-time candidate list sizes. */
  M: z.number().int().min(2).max(128).default(16),
  efConstruction: z.number().int().min(8).max(4096).default(200),
  ef: z.number().int().min(1).max(4096).default(64),
  /**
   * Threads the projection builds the graph with during a catch-up or a burst of writes (a setting of this process,
   * not of the collection). Default: the cores, less one left to nats-server and the JS thread when there are more
   * than two. 1: the graph depends only on the order of the log.
   */
  insertThreads: z.number().int().min(1).max(256).optional(),
  /**
   * What the graph holds per vector: float32 (none), int8 codes or sign bits (binary, spherical only), with the float
   * vectors in an unlinked file and every result rescored exactly (see @hvs-nvm/hnsw's Quantization).
   */
  quantization: z.enum(['none', 'int8', 'binary']).default('none'),
  /** Quantized: candidates rescored exactly per wanted hit (default 4 for int8, 80 for binary). */
  rescoreFactor: z.number().int().min(1).max(1000).optional(),
  /** Who writes (recorded on every event). */
  actor: z.string().min(1).default('system'),
  maxMetadataBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Stream replicas when connecting to a cluster (NATS_URL); the embedded server always uses 1. */
  replicas: z.number().int().min(1).max(5).optional(),
  /** Mailboxes: redeliver unacknowledged messages after this long; dead-letter after this many deliveries. */
  ackWaitMs: z.number().int().min(100).default(30_000),
  maxDeliveries: z.number().int().min(1).default(5),
  /** Where reads are answered: this process's projection, or apps/projector replicas over NATS. */
  projection: z.enum(['local', 'remote']).default('local'),
  /**
   * With `projection: 'remote'`: the collection is sharded over this many projector shards (`apps/projector --shard
   * i/N`); a search asks every shard for k and merges by distance, a read asks the shard of each id. 1: unsharded.
   */
  shards: z.number().int().min(1).max(MAX_SHARDS).default(1),
  /** This client's projection holds only one shard of the collection (what `apps/projector --shard i/N` runs). */
  shard: ShardSchema.optional(),
  /** Write a projection checkpoint after this many new events. */
  checkpointEveryEvents: z.number().int().positive().default(50_000),
  /** …and at least this often while events arrive, also during a long catch-up (so a crash loses little replay). */
  checkpointEveryMs: z.number().int().positive().default(30_000),
  /** Called as the projection's position moves (once per applied batch while it catches up): for progress bars. */
  /**
   * A read-only view of the collection as it was at a time or a cut (`{ hvs, mail }` positions, as `cut()` gives):
   * every read answers as of then, every write throws ReadOnlyViewError. Built from the nearest archived checkpoint
   * at or before that point plus the log; the live projection is not touched.
   */
  asOf: AsOfSchema.optional(),
  onProgress: z.custom<(position: number) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
});
export type HVSOptions = z.input<typeof HVSOptionsSchema>;
export type ResolvedOptions = z.output<typeof HVSOptionsSchema>;
