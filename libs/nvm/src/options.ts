// NVM.open's options: one zod schema, the source of the NVMOptions type (apps reuse parts of it to check arguments).
import { z } from 'zod';
import { ActorId, NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { AsOfSchema, NatsConnectionOptions } from '@hvs-nvm/eventstore';
import type { Encoder } from '@hvs-nvm/encoders';
import { SYSTEM_ACTOR } from './block.js';

const isEncoder = (e: unknown): e is Encoder =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as Encoder).encodeBatch === 'function' &&
  typeof (e as Encoder).encode === 'function' &&
  Number.isInteger((e as Encoder).dimension);

export const NVMOptionsSchema = z.strictObject({
  ...NatsConnectionOptions.shape,
  /** Folder for the projection checkpoint (and the embedded nats-server's store when no natsUrl). */
  storagePath: z.string().min(1),
  /** Text → unit vector for semanticQuery; default: the offline sentence encoder. */
  encoder: z.custom<Encoder>(isEncoder, 'an encoder has name, dimension, encode() and encodeBatch()').optional(),
  /** Who acts: recorded on every event and checked against block permissions ('system' is not restricted). */
  actor: ActorId.default(SYSTEM_ACTOR),
  /** One NVM namespace = one JetStream stream (NVM_<namespace>). */
  namespace: z.string().regex(NAMESPACE_PATTERN, 'a namespace is 1-64 characters of A-Z a-z 0-9 _ -').default('default'),
  maxContentBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  maxMetadataBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** Stream replicas on a cluster; the embedded server always uses 1. */
  replicas: z.number().int().min(1).max(5).optional(),
  /** Checkpoint the block view after this many new events (and always on close). */
  checkpointEveryEvents: z.number().int().positive().default(1000),
  /** …and at least this often while events arrive, also during a long catch-up. */
  checkpointEveryMs: z.number().int().positive().default(30_000),
  /** Called as the projection's position moves (once per applied batch while it catches up): for progress bars. */
  onProgress: z.custom<(position: number) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
  /**
   * Where reads are answered: this process's block view, or apps/projector replicas over NATS (then this client
   * projects nothing: its writes decide on the block's and the name's own streams).
   */
  projection: z.enum(['local', 'remote']).default('local'),
  /** With `projection: 'remote'`: how long one query may take before another replica is tried. */
  queryTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * A read-only view of the namespace as it was at a time or a cut (`{ nvm }` position, as `cut()` gives): blocks,
   * names, lists, history, facts and semantic queries answer as of then (TTLs judged at that moment), every write
   * throws ReadOnlyViewError. Built from the nearest archived checkpoint at or before that point plus the log.
   */
  asOf: AsOfSchema.optional(),
  /** Epoch milliseconds now, for TTL decisions (expiry, readability of cache blocks); default Date.now. */
  clock: z.custom<() => number>((v) => typeof v === 'function', 'clock must be a function returning epoch ms').optional(),
  /** How often this client looks for expired cache blocks to record their expiry. */
  expirySweepMs: z.number().int().positive().default(1000),
});
export type NVMOptions = z.input<typeof NVMOptionsSchema>;
export type ResolvedOptions = z.output<typeof NVMOptionsSchema>;
