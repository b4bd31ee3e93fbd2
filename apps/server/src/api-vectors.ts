// The Api's vectors (of a collection: `default` unless named) and the collections themselves.
import type { z } from 'zod';
import type { HVS, SearchResult, VectorRecord } from '@hvs-nvm/hvs';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import { CollectionNotFoundError, DEFAULT_COLLECTION, type Collections } from './collections.js';
import { valid, type In } from './api-input.js';
import { HttpError } from './problem.js';
import * as S from './schemas.js';
import * as C from './schemas-collections.js';

function vectorOut(r: VectorRecord): z.input<typeof S.VectorOut> {
  return { id: r.id, vector: Array.from(r.data), metadata: r.metadata, createdAt: r.createdAt.toISOString() };
}

function hitOut(r: SearchResult, withVectors: boolean): z.input<typeof S.VectorHit> {
  return {
    id: r.vector.id,
    distance: r.distance,
    score: r.score,
    metadata: r.vector.metadata,
    ...(withVectors ? { vector: Array.from(r.vector.data) } : {}),
  };
}

/** The HVS of a collection: the server's registry, or without one `hvs` as `default`. */
function vectorsOf(api: Api, collection: string): Promise<HVS> {
  if (api.deps.collections) return api.deps.collections.hvs(collection);
  if (collection === DEFAULT_COLLECTION) return Promise.resolve(api.deps.hvs);
  return Promise.reject(new CollectionNotFoundError(collection));
}

export async function storeVector(api: Api, body: In<typeof S.StoreVectorBody>, collection: string): Promise<{ id: string }> {
  const hvs = await vectorsOf(api, collection);
  const id = await hvs.storeVector(body.vector, body.metadata, body.id ? { id: body.id } : {});
  return { id };
}

export async function batchStoreVectors(
  api: Api,
  body: In<typeof S.BatchStoreVectorsBody>,
  collection: string,
): Promise<{ ids: string[] }> {
  return { ids: await (await vectorsOf(api, collection)).batchStoreVectors(body.items) };
}

export async function getVector(api: Api, id: string, collection: string): Promise<z.input<typeof S.VectorOut>> {
  return vectorOut(await (await vectorsOf(api, collection)).retrieveVector(id));
}

export async function deleteVector(api: Api, id: string, collection: string): Promise<void> {
  const hvs = await vectorsOf(api, collection);
  if (!(await hvs.deleteVector(id))) throw new HttpError(404, 'VECTOR_NOT_FOUND', `vector '${id}' not found`);
}

export async function searchVectors(
  api: Api,
  body: In<typeof S.SearchVectorsBody>,
  collection: string,
): Promise<{ results: z.input<typeof S.VectorHit>[] }> {
  const results = await (
    await vectorsOf(api, collection)
  ).semanticSearch(body.vector, {
    k: body.k,
    ...(body.filter ? { filter: body.filter } : {}),
    ...(body.exact !== undefined ? { exact: body.exact } : {}),
    ...(body.ef !== undefined ? { ef: body.ef } : {}),
  });
  return { results: results.map((r) => hitOut(r, body.withVectors)) };
}

// ---- collections ----

function registry(api: Api): Collections {
  if (!api.deps.collections) throw new HttpError(501, 'COLLECTIONS_UNAVAILABLE', 'this API was opened without a collection registry');
  return api.deps.collections;
}

/** Creating and deleting collections is the operator's: an agent's token does not reach other agents' data. */
function assertOperator(caller: Caller, what: string): void {
  if (caller.kind !== 'operator') {
    throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not ${what} collections (the admin token may)`);
  }
}

export async function createCollection(api: Api, input: z.input<typeof C.CreateCollectionBody>, caller: Caller = OPERATOR) {
  const body = valid(C.CreateCollectionBody, input, 'collection');
  assertOperator(caller, 'create');
  const { created, collection } = await registry(api).create(body);
  return { ...collection, created };
}

export async function listCollections(api: Api) {
  return { collections: await registry(api).list() };
}

export function getCollection(api: Api, name: string) {
  return registry(api).describe(name);
}

export async function deleteCollection(api: Api, name: string, caller: Caller = OPERATOR): Promise<void> {
  assertOperator(caller, 'delete');
  await registry(api).delete(name);
}
