// The Api's blocks: NVM memory blocks of the Api's namespace (`default` unless inNamespace() scoped it), read and
// written as the caller, whose block permissions the NVM enforces.
import type { Block, NVM } from '@hvs-nvm/nvm';
import { SYSTEM_BLOCK_NAMES } from '@hvs-nvm/hvs-nvm';
import type { Api } from './api.js';
import { asOfParam } from './as-of-views.js';
import { OPERATOR, type Caller } from './auth.js';
import type { In } from './api-input.js';
import { paginate } from './pagination.js';
import { HttpError } from './problem.js';
import type * as S from './schemas.js';

/**
 * Creates a block as the caller. An agent's block is its own unless it says otherwise: a permission list it leaves
 * out is `[agent]` (not open). The names of the system blocks are not for agents.
 */
export async function createBlock(api: Api, body: In<typeof S.CreateBlockBody>, caller: Caller = OPERATOR): Promise<Block> {
  if (!caller.actor) return (await api.blockNvm(caller)).createBlock(body);
  if (SYSTEM_BLOCK_NAMES.has(body.name)) {
    throw new HttpError(
      403,
      'RESERVED_BLOCK_NAME',
      `'${body.name}' is the name of a system block; agent '${caller.actor}' may not create it`,
    );
  }
  const own = [caller.actor];
  const permissions = { read: body.permissions?.read ?? own, write: body.permissions?.write ?? own };
  return (await api.blockNvm(caller)).createBlock({ ...body, permissions });
}

export async function getBlock(api: Api, id: string, query: In<typeof S.GetBlockQuery> = {}, caller: Caller = OPERATOR): Promise<Block> {
  // A time asks the block's own history (as before); a cut asks the world (or the namespace) as it was.
  const point = query.asOf !== undefined ? asOfParam(query.asOf) : undefined;
  if (point && !(point instanceof Date)) {
    const { asOf, ...rest } = query;
    return (await api.at(asOf)).getBlock(id, rest, caller);
  }
  return (await api.blockNvm(caller)).getBlock(id, {
    ...(query.version !== undefined ? { version: query.version } : {}),
    ...(point ? { asOf: point } : {}),
  });
}

export async function getBlockByName(api: Api, name: string, caller: Caller = OPERATOR): Promise<Block> {
  const block = await (await api.blockNvm(caller)).getBlockByName(name);
  if (!block) throw new HttpError(404, 'BLOCK_NOT_FOUND', `no block named '${name}'`);
  return block;
}

export async function updateBlock(api: Api, id: string, body: In<typeof S.UpdateBlockBody>, caller: Caller = OPERATOR) {
  return (await api.blockNvm(caller)).updateBlock(
    id,
    body.content,
    body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {},
  );
}

export async function patchBlock(
  api: Api,
  id: string,
  patch: In<typeof S.PatchBlockBody>,
  expectedVersion: number | undefined,
  caller: Caller = OPERATOR,
): Promise<Block> {
  return (await api.blockNvm(caller)).patchBlock(id, patch, expectedVersion !== undefined ? { expectedVersion } : {});
}

export async function deleteBlock(api: Api, id: string, caller: Caller = OPERATOR): Promise<void> {
  await (await api.blockNvm(caller)).deleteBlock(id);
}

export async function blockHistory(api: Api, id: string, caller: Caller = OPERATOR) {
  return (await api.blockNvm(caller)).blockHistory(id);
}

/** Every block the caller may read, by name and/or class (the CLI; HTTP and MCP take pages: listBlocksPage). */
export async function listBlocks(
  api: Api,
  query: In<typeof S.ListBlocksQuery>,
  caller: Caller = OPERATOR,
): Promise<Awaited<ReturnType<NVM['listBlocks']>>> {
  if (query.asOf !== undefined) {
    const { asOf, ...rest } = query;
    return (await api.at(asOf)).listBlocks(rest, caller);
  }
  const blocks = await (await api.blockNvm(caller)).listBlocks(query.class ? { blockClass: query.class } : {});
  return query.name === undefined ? blocks : blocks.filter((b) => b.name === query.name);
}

/** A page of the blocks the caller may read, in creation order (`nextCursor` when more follow). */
export async function listBlocksPage(api: Api, query: In<typeof S.ListBlocksQuery>, caller: Caller = OPERATOR) {
  const blocks = await api.listBlocks(query, caller);
  return paginate(blocks, { ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.limit ? { limit: query.limit } : {}) });
}
