// The vector index's options (a zod schema, the source of the type) and the shapes of its searches.
import { z } from 'zod';
import { defaultInsertThreads } from '@hvs-nvm/hnsw';
import { InvalidArgumentError } from './errors.js';
import type { PayloadQuery } from './payload-index.js';

export const VectorIndexOptionsSchema = z
  .object({
    dimension: z.number().int().positive().max(65_536),
    geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
    /** hnswlib graph degree. */
    M: z.number().int().min(2).max(256).optional(),
    efConstruction: z.number().int().positive().optional(),
    /** Default size of the dynamic candidate list at search time (raised to k when k is larger). */
    ef: z.number().int().positive().optional(),
    initialCapacity: z.number().int().positive().optional(),
    seed: z.number().int().nonnegative().optional(),
    /**
     * Threads a batch insert (`insertFresh` of 64 or more) builds the graph with. Default: the cores, less one left to
     * nats-server and the JS thread when there are more than two. 1: the graph depends only on the seed and the order.
     */
    insertThreads: z.number().int().min(1).max(256).optional(),
    /** A filter matching a smaller share of the vectors than this is answered by exact search. */
    exactFilterSelectivity: z.number().min(0).max(1).optional(),
    /** A filter expected to match at most this many vectors is answered by exact search. */
    exactFilterMaxMatches: z.number().int().nonnegative().optional(),
    /**
     * What the graph holds per vector (see @hvs-nvm/hnsw's Quantization): int8 or binary codes, with the float vectors
     * in an unlinked file and every distance rescored exactly. euclidean and spherical only; binary spherical only.
     */
    quantization: z.enum(['none', 'int8', 'binary']).optional(),
    /** Quantized: candidates rescored exactly per wanted hit. */
    rescoreFactor: z.number().int().positive().max(1000).optional(),
  })
  .refine((o) => (o.quantization ?? 'none') === 'none' || o.geometry !== 'hyperboloid', {
    message: 'quantization is for euclidean and spherical geometry',
  })
  .refine((o) => o.quantization !== 'binary' || o.geometry === 'spherical', {
    message: 'binary quantization needs spherical geometry',
  });
export type VectorIndexOptions = z.infer<typeof VectorIndexOptionsSchema>;

const DEFAULTS = { M: 16, efConstruction: 200, ef: 64, initialCapacity: 1024, seed: 100 } as const;

/** Validated options with the graph's defaults filled in; InvalidArgumentError otherwise. */
export function resolveIndexOptions(options: VectorIndexOptions) {
  const parsed = VectorIndexOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InvalidArgumentError(`invalid vector index options: ${z.prettifyError(parsed.error)}`);
  const o = parsed.data;
  return {
    ...o,
    M: o.M ?? DEFAULTS.M,
    efConstruction: o.efConstruction ?? DEFAULTS.efConstruction,
    ef: o.ef ?? DEFAULTS.ef,
    seed: o.seed ?? DEFAULTS.seed,
    initialCapacity: o.initialCapacity ?? DEFAULTS.initialCapacity,
    insertThreads: o.insertThreads ?? defaultInsertThreads(),
    quantization: o.quantization ?? 'none',
  };
}

export interface SearchHit {
  id: string;
  /** The slot the vector sits in (stable until it is removed). */
  label: number;
  distance: number;
  /** A copy of the stored vector, when the search was asked for them (`SearchOptions.vectors`) and could give them. */
  data?: Float32Array;
}

export interface SearchOptions {
  /** Keeps only the ids it returns true for; applied inside the graph search, so k hits come back whenever k match. */
  filter?: (id: string) => boolean;
  /** The same by slot (see `labelOf`): cheaper when the caller keeps its data by label. */
  labelFilter?: (label: number) => boolean;
  ef?: number;
  exact?: boolean;
  /**
   * A restriction the payload index answers (see `VectorIndex.payload`): the search considers only the slots it may
   * match, and `filter`/`labelFilter` (when given) still decide among them.
   */
  payload?: PayloadQuery;
  /** The filter is exactly `payload`: where the index answers exactly, the filter is not called at all. */
  payloadExact?: boolean;
  /**
   * Hits of a graph search (euclidean, spherical) then carry `data`, a copy of their vector, copied natively with the
   * distances into one array of `floats` floats this returns (the hits get views of it, one after the other). Hits of
   * the other paths come without: the caller copies those (`copyLabel`).
   */
  vectors?: (floats: number) => Float32Array;
}
