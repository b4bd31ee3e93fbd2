// The block view as a service: apps/projector serves an NVM's reads over NATS request/reply (a micro service in a
// queue group, so replicas share the load and one can die); RemoteBlockReads is its client.
import type { NatsConnection } from '@nats-io/nats-core';
import type { Service } from '@nats-io/services';
import { ActorId, querySubject } from '@hvs-nvm/events';
import { QueryService } from '@hvs-nvm/eventstore';
import type { BlockReads } from './block-reads.js';
import { toWire } from './block-wire.js';
import { InvalidArgumentError } from './errors.js';
import type { GetBlockOptions, ListBlocksOptions, SemanticQueryOptions } from './types.js';

/**
 * Serves `reads` (an NVM's block view) as the `nvm-projector` micro service of its namespace. Each request names the
 * actor whose permissions apply and the position the answer must reflect (read-your-writes). The actor is taken on
 * trust: give untrusted agents the HTTP/MCP server, not the query subjects (see README, authorization).
 */
export async function serveBlockQueries(
  nc: NatsConnection,
  namespace: string,
  reads: BlockReads,
  options: { name?: string; version?: string } = {},
): Promise<Service> {
  const service = await QueryService.add(nc, {
    name: options.name ?? 'nvm-projector',
    ...(options.version ? { version: options.version } : {}),
    description: `NVM block view of namespace ${namespace}`,
    queue: `nvm-projector-${namespace}`,
  });
  const handle = (op: string, fn: (actor: string, args: Record<string, unknown>, minPosition: number) => Promise<unknown>) =>
    service.endpoint(op, querySubject('nvm', namespace, op), async (args) => {
      const actor = args['actor'];
      if (typeof actor !== 'string' || !ActorId.safeParse(actor).success) {
        throw new InvalidArgumentError(`a query names its actor, got ${typeof actor}`);
      }
      const position = args['minPosition'] ?? 0;
      if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
        throw new InvalidArgumentError('minPosition must be a non-negative integer');
      }
      return fn(actor, args, position);
    });
  const asOf = (v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError('asOf must be epoch milliseconds');
    return new Date(v);
  };
  handle('get', async (actor, a, at) => {
    const options: GetBlockOptions = {};
    if (a['version'] !== undefined) options.version = a['version'] as number;
    if (a['asOf'] !== undefined) options.asOf = asOf(a['asOf']);
    return { block: toWire(await reads.getBlock(actor, a['id'] as string, options, at)) };
  });
  handle('byName', async (actor, a, at) => {
    const block = await reads.getBlockByName(actor, a['name'] as string, at);
    return { block: block ? toWire(block) : null };
  });
  handle('list', async (actor, a, at) => {
    const options: ListBlocksOptions = {};
    if (a['blockClass'] !== undefined) options.blockClass = a['blockClass'] as ListBlocksOptions['blockClass'];
    if (a['filter'] !== undefined) options.filter = a['filter'] as Record<string, unknown>;
    return { blocks: (await reads.listBlocks(actor, options, at)).map(toWire) };
  });
  handle('history', async (actor, a, at) => ({
    versions: (await reads.blockHistory(actor, a['id'] as string, at)).map((e) => ({ ...e, at: e.at.getTime() })),
  }));
  handle('query', async (actor, a, at) => {
    const options: SemanticQueryOptions = {};
    if (a['k'] !== undefined) options.k = a['k'] as number;
    if (a['blockClass'] !== undefined) options.blockClass = a['blockClass'] as SemanticQueryOptions['blockClass'];
    const hits = await reads.semanticQuery(actor, a['text'] as string, options, at);
    return { hits: hits.map((h) => ({ block: toWire(h.block), score: h.score })) };
  });
  handle('position', async () => ({ position: await reads.position() }));
  return service.service;
}
