// The namespace routes: create, list, read and delete NVM namespaces, and every block route of the table again under
// /v1/namespaces/{name}/..., with the same handler on that namespace (the unscoped ones are the `default` namespace).
import { z } from 'zod';
import { scopedRoutes, type Route } from './route.js';
import * as N from './schemas-namespaces.js';

/** The block routes that exist in every namespace: their handlers call the Api's block methods, which inNamespace() scopes. */
const isBlockRoute = (r: Route) => r.tag === 'blocks' && (r.path === '/v1/blocks' || r.path.startsWith('/v1/blocks/'));

/** The namespace routes, given the table whose block routes they scope. */
export function namespaceRoutes(table: readonly Route[]): Route[] {
  const scoped = scopedRoutes(table.filter(isBlockRoute), {
    segment: 'namespaces',
    what: 'namespace',
    params: N.NamespaceParams,
    errors: [404],
    api: (api, name) => api.inNamespace(name),
  });
  const own: Route[] = [
    {
      method: 'POST',
      path: '/v1/namespaces',
      tag: 'namespaces',
      summary: 'Create an NVM namespace (201), or find it (200). The admin token only',
      body: N.CreateNamespaceBody,
      response: N.CreatedNamespaceOut,
      statusOf: (result) => ((result as { created?: boolean }).created ? 201 : 200),
      handle: ({ api, body, caller }) => api.createNamespace(body as z.input<typeof N.CreateNamespaceBody>, caller),
    },
    {
      method: 'GET',
      path: '/v1/namespaces',
      tag: 'namespaces',
      summary: 'Every NVM namespace, with how many of its blocks the caller may read',
      response: z.object({ namespaces: z.array(N.NamespaceOut) }),
      handle: ({ api, caller }) => api.listNamespaces(caller),
    },
    {
      method: 'GET',
      path: '/v1/namespaces/{name}',
      tag: 'namespaces',
      summary: 'A namespace: how many of its blocks the caller may read, and where its log stands',
      params: N.NamespaceParams,
      response: N.NamespaceInfoOut,
      handle: ({ api, params, caller }) => api.getNamespace((params as { name: string }).name, caller),
    },
    {
      method: 'DELETE',
      path: '/v1/namespaces/{name}',
      tag: 'namespaces',
      summary:
        'Delete a namespace: its stream (every block, name and fact in it) and checkpoints (409 for `default` and forks). The admin token only',
      params: N.NamespaceParams,
      status: 204,
      errors: [409],
      handle: ({ api, params, caller }) => api.deleteNamespace((params as { name: string }).name, caller),
    },
  ];
  return [...own, ...scoped];
}
