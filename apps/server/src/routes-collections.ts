// The collection routes: create, list, read and delete collections, and every vector route of the table again under
// /v1/collections/{name}/..., with the same handler on that collection (the unscoped ones are the `default` collection).
import { z } from 'zod';
import { scopedRoutes, type Route } from './route.js';
import * as C from './schemas-collections.js';

/**
 * The vector routes that exist in every collection: their handlers call the Api's vector methods, which
 * inCollection() scopes. (Not every `vectors` route does: the dashboard's map reads the default collection.)
 */
const SCOPED_PATHS = new Set(['/v1/vectors', '/v1/vectors/batch', '/v1/vectors/search', '/v1/vectors/{id}']);

/** The collection routes, given the table whose `vectors` routes they scope. */
export function collectionRoutes(table: readonly Route[]): Route[] {
  const scoped = scopedRoutes(
    table.filter((r) => SCOPED_PATHS.has(r.path)),
    {
      segment: 'collections',
      what: 'collection',
      params: C.CollectionParams,
      errors: [404, 409],
      api: (api, name) => api.inCollection(name),
    },
  );
  const own: Route[] = [
    {
      method: 'POST',
      path: '/v1/collections',
      tag: 'collections',
      summary: 'Create a collection (201), or find it with the same settings (200); other settings are a 409. The admin token only',
      body: C.CreateCollectionBody,
      response: C.CreatedCollectionOut,
      statusOf: (result) => ((result as { created?: boolean }).created ? 201 : 200),
      errors: [409],
      handle: ({ api, body, caller }) => api.createCollection(body as z.input<typeof C.CreateCollectionBody>, caller),
    },
    {
      method: 'GET',
      path: '/v1/collections',
      tag: 'collections',
      summary: 'Every collection, with its settings',
      response: z.object({ collections: z.array(C.CollectionOut) }),
      handle: ({ api }) => api.listCollections(),
    },
    {
      method: 'GET',
      path: '/v1/collections/{name}',
      tag: 'collections',
      summary: 'A collection’s settings and how many vectors it holds',
      params: C.CollectionParams,
      response: C.CollectionInfoOut,
      handle: ({ api, params }) => api.getCollection((params as { name: string }).name),
    },
    {
      method: 'DELETE',
      path: '/v1/collections/{name}',
      tag: 'collections',
      summary: 'Delete a collection and all its vectors and mail (409 for `default` and the memory store’s). The admin token only',
      params: C.CollectionParams,
      status: 204,
      errors: [409],
      handle: ({ api, params, caller }) => api.deleteCollection((params as { name: string }).name, caller),
    },
  ];
  return [...own, ...scoped];
}
