// zod schemas of the collection routes: a collection's settings in and out, and the `{name}` path parameter.
import { z } from 'zod';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { components } from './schemas.js';

export const CollectionName = z
  .string()
  .regex(NAMESPACE_PATTERN, 'a collection name is 1-64 characters of A-Z a-z 0-9 _ -')
  .describe('a collection name: 1-64 characters of A-Z a-z 0-9 _ -');

export const CollectionParams = z.object({ name: CollectionName });

export const Geometry = z
  .enum(['euclidean', 'spherical', 'hyperboloid'])
  .describe('euclidean (L2), spherical (cosine: vectors normalised) or hyperboloid (the Lorentz model; input is the spatial part)');

export const CreateCollectionBody = z.strictObject({
  name: CollectionName,
  dimension: z.number().int().min(1).max(65_536).describe('the length of every vector'),
  geometry: Geometry.default('euclidean'),
  M: z.number().int().min(2).max(128).optional().describe('HNSW graph degree (default 16)'),
  efConstruction: z.number().int().min(8).max(4096).optional().describe('HNSW build-time candidate list (default 200)'),
  ef: z.number().int().min(1).max(4096).optional().describe('HNSW default search-time candidate list (default 64)'),
});

export const CollectionOut = z.object({
  name: z.string(),
  dimension: z.number().int(),
  geometry: Geometry,
  M: z.number().int(),
  efConstruction: z.number().int(),
  ef: z.number().int(),
});

export const CreatedCollectionOut = CollectionOut.extend({
  created: z.boolean().describe('true (201): created now; false (200): it existed with these settings'),
});

export const CollectionInfoOut = CollectionOut.extend({
  vectors: z.number().int().describe('live vectors in the collection'),
  projection: z
    .enum(['local', 'remote'])
    .describe('where this server reads it: its own projection, or apps/projector processes (`start --projection remote`)'),
  shards: z.number().int().min(1).describe('projector shards its reads fan out over (`start --shards`); 1: unsharded'),
});

components.add(CollectionOut, { id: 'Collection' });
