// The Api's NVM namespaces: create, list (with the blocks the caller may read in each), show and delete. Creating
// and deleting are the operator's, as for collections: a delete drops every agent's blocks in the namespace.
import type { z } from 'zod';
import type { Api } from './api.js';
import { OPERATOR, type Caller } from './auth.js';
import { valid } from './api-input.js';
import type { Namespaces } from './namespaces.js';
import { HttpError } from './problem.js';
import * as N from './schemas-namespaces.js';

function registry(api: Api): Namespaces {
  if (!api.deps.namespaces) throw new HttpError(501, 'NAMESPACES_UNAVAILABLE', 'this API was opened without a namespace registry');
  return api.deps.namespaces;
}

function assertOperator(caller: Caller, what: string): void {
  if (caller.kind !== 'operator') {
    throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not ${what} namespaces (the admin token may)`);
  }
}

/** How many blocks of the namespace the caller may read (an agent's count says nothing of others' blocks). */
async function blocksIn(api: Api, name: string, caller: Caller): Promise<number> {
  return (await api.inNamespace(name).listBlocks({}, caller)).length;
}

export async function createNamespace(api: Api, input: z.input<typeof N.CreateNamespaceBody>, caller: Caller = OPERATOR) {
  const body = valid(N.CreateNamespaceBody, input, 'namespace');
  assertOperator(caller, 'create');
  return registry(api).create(body.name);
}

export async function listNamespaces(api: Api, caller: Caller = OPERATOR) {
  const names = await registry(api).list();
  return { namespaces: await Promise.all(names.map(async (name) => ({ name, blocks: await blocksIn(api, name, caller) }))) };
}

/** A namespace's block count (as the caller may read them) and its log's position (`?asOf=nvm:<position>` later). */
export async function getNamespace(api: Api, name: string, caller: Caller = OPERATOR) {
  const nvm = await registry(api).nvm(name);
  const blocks = await blocksIn(api, name, caller);
  return { name, blocks, position: (await nvm.cut()).nvm };
}

export async function deleteNamespace(api: Api, name: string, caller: Caller = OPERATOR): Promise<void> {
  assertOperator(caller, 'delete');
  await registry(api).delete(name);
}
