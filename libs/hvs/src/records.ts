// The shapes HVS calls take and return: metadata, vector records, search results and options, batch items.
import type { Filter } from './filter.js';
import type { VectorInput } from './geometry.js';

export type Metadata = Record<string, unknown>;

export interface VectorRecord {
  id: string;
  data: Float32Array;
  metadata: Metadata;
  createdAt: Date;
}

export interface SearchResult {
  vector: { id: string; data: Float32Array; metadata: Metadata };
  distance: number;
  score: number;
}

export interface SearchOptions {
  k?: number;
  filter?: Filter;
  /** Candidate list size for this query (recall/speed trade-off). */
  ef?: number;
  /** Brute-force exact search instead of the HNSW graph. */
  exact?: boolean;
}

export interface BatchItem {
  vector: VectorInput;
  metadata?: Metadata;
  id?: string;
}
