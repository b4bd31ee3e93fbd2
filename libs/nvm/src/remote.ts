// The block view as a service: apps/projector serves an NVM's reads over NATS request/reply (a micro service in a
// queue group, so replicas share the load and one can die), and BlockReader reads through it without projecting
// the namespace itself.
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Service } from '@nats-io/services';
import { ActorId, querySubject } from '@hvs-nvm/events';
import { isWireError, QueryService, requestQuery } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, type Block } from './block.js';
import { describe } from './input.js';
import {
  BlockNotFoundError,
  InvalidArgumentError,
  NVMError,
  NVMUnavailableError,
  PermissionDeniedError,
} from './errors.js';
import type { BlockHistoryEntry, GetBlockOptions, ListBlocksOptions, NVM, SemanticHit, SemanticQueryOptions } from './nvm.js';

/** Dates travel as epoch milliseconds. */
type WireBlock = Omit<Block, 'createdAt' | 'updatedAt' | 'expiresAt'> & { createdAt: number; updatedAt: number; expiresAt?: number };

function toWire(b: Block): WireBlock {
  const { createdAt, updatedAt, expiresAt, ...rest } = b;
  return { ...rest, createdAt: createdAt.getTime(), updatedAt: updatedAt.getTime(), ...(expiresAt ? { expiresAt: expiresAt.getTime() } : {}) };
}

function fromWire(b: WireBlock): Block {
  const { createdAt, updatedAt, expiresAt, ...rest } = b;
  return { ...rest, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt), ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt) } : {}) };
}

/**
 * Serves `nvm`'s block view as the `nvm-projector` micro service of its namespace. Each request names the actor
 * whose permissions apply and the position the answer must reflect (read-your-writes). The actor is taken on trust:
 * give untrusted agents the HTTP/MCP server, not the query subjects (see README, authorization).
 */
export async function serveBlockQueries(
  nc: NatsConnection,
  namespace: string,
  nvm: NVM,
  options: { name?: string; version?: string } = {},
): Promise<Service> {
  const service = await QueryService.add(nc, {
    name: options.name ?? 'nvm-projector',
    ...(options.version ? { version: options.version } : {}),
    description: `NVM block view of namespace ${namespace}`,
    queue: `nvm-projector-${namespace}`,
  });
  const handle = (op: string, fn: (reader: NVM, args: Record<string, unknown>) => Promise<unknown>) =>
    service.endpoint(op, querySubject('nvm', namespace, op), async (args) => {
      const actor = args['actor'];
      if (typeof actor !== 'string' || !ActorId.safeParse(actor).success) {
        throw new InvalidArgumentError(`a query names its actor, got ${typeof actor}`);
      }
      const position = args['minPosition'] ?? 0;
      if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
        throw new InvalidArgumentError('minPosition must be a non-negative integer');
      }
      await nvm.waitForPosition(position);
      return fn(actor === SYSTEM_ACTOR ? nvm : nvm.as(actor), args);
    });
  const asOf = (v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError('asOf must be epoch milliseconds');
    return new Date(v);
  };
  handle('get', async (reader, a) => {
    const options: GetBlockOptions = {};
    if (a['version'] !== undefined) options.version = a['version'] as number;
    if (a['asOf'] !== undefined) options.asOf = asOf(a['asOf']);
    return { block: toWire(await reader.getBlock(a['id'] as string, options)) };
  });
  handle('byName', async (reader, a) => {
    const block = await reader.getBlockByName(a['name'] as string);
    return { block: block ? toWire(block) : null };
  });
  handle('list', async (reader, a) => {
    const options: ListBlocksOptions = {};
    if (a['blockClass'] !== undefined) options.blockClass = a['blockClass'] as ListBlocksOptions['blockClass'];
    if (a['filter'] !== undefined) options.filter = a['filter'] as Record<string, unknown>;
    return { blocks: (await reader.listBlocks(options)).map(toWire) };
  });
  handle('history', async (reader, a) => ({
    versions: (await reader.blockHistory(a['id'] as string)).map((e) => ({ ...e, at: e.at.getTime() })),
  }));
  handle('query', async (reader, a) => {
    const options: SemanticQueryOptions = {};
    if (a['k'] !== undefined) options.k = a['k'] as number;
    if (a['blockClass'] !== undefined) options.blockClass = a['blockClass'] as SemanticQueryOptions['blockClass'];
    const hits = await reader.semanticQuery(a['text'] as string, options);
    return { hits: hits.map((h) => ({ block: toWire(h.block), score: h.score })) };
  });
  handle('position', async (reader) => ({ position: reader.position }));
  return service.service;
}

export interface BlockReaderOptions {
  /** NATS server(s); the reader never starts an embedded server (the projector's NATS is where the view lives). */
  natsUrl: string;
  namespace?: string;
  /** Whose read permissions apply. */
  actor: string;
  natsUser?: string;
  natsPassword?: string;
  natsToken?: string;
  /** How long one query may take before another replica is tried. */
  timeoutMs?: number;
}

/**
 * Reads an NVM namespace through apps/projector replicas: getBlock, getBlockByName, listBlocks, blockHistory and
 * semanticQuery, as NVM has them, without projecting the namespace in this process. Pass a writer's
 * `lastWritePosition` as `minPosition` to read its writes.
 */
export class BlockReader {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
    readonly actor: string,
    private readonly timeoutMs: number,
  ) {}

  static async open(options: BlockReaderOptions): Promise<BlockReader> {
    if (typeof options?.natsUrl !== 'string' || options.natsUrl === '') throw new InvalidArgumentError('BlockReader needs a natsUrl');
    if (!ActorId.safeParse(options.actor).success) throw new InvalidArgumentError(`invalid actor ${describe(options.actor)}`);
    try {
      const nc = await connect({
        servers: options.natsUrl.split(','),
        name: `nvm-reader:${options.actor}`,
        ...(options.natsUser ? { user: options.natsUser, pass: options.natsPassword ?? '' } : {}),
        ...(options.natsToken ? { token: options.natsToken } : {}),
        maxReconnectAttempts: -1,
      });
      return new BlockReader(nc, options.namespace ?? 'default', options.actor, options.timeoutMs ?? 10_000);
    } catch (err) {
      throw new NVMUnavailableError(`cannot connect to ${options.natsUrl}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    const subject = querySubject('nvm', this.namespace, op);
    let reply: unknown;
    try {
      reply = await requestQuery(this.nc, subject, { ...args, actor: this.actor }, this.timeoutMs);
    } catch (err) {
      throw new NVMUnavailableError(`no projector answered ${subject}: ${(err as Error).message}`, { cause: err });
    }
    if (isWireError(reply)) {
      const { code, message, status } = reply.error;
      const id = typeof args['id'] === 'string' ? args['id'] : '';
      if (code === 'BLOCK_NOT_FOUND' && id) throw new BlockNotFoundError(id);
      if (code === 'PERMISSION_DENIED' && id) throw new PermissionDeniedError(this.actor, 'read', id);
      if (code === 'INVALID_ARGUMENT') throw new InvalidArgumentError(message);
      throw new NVMError(code, message, status);
    }
    return reply as T;
  }

  async getBlock(id: string, options: GetBlockOptions & { minPosition?: number } = {}): Promise<Block> {
    const { minPosition, version, asOf } = options;
    const r = await this.call<{ block: WireBlock }>('get', {
      id,
      ...(version !== undefined ? { version } : {}),
      ...(asOf !== undefined ? { asOf: asOf instanceof Date ? asOf.getTime() : asOf } : {}),
      minPosition: minPosition ?? 0,
    });
    return fromWire(r.block);
  }

  async getBlockByName(name: string, options: { minPosition?: number } = {}): Promise<Block | null> {
    const r = await this.call<{ block: WireBlock | null }>('byName', { name, minPosition: options.minPosition ?? 0 });
    return r.block ? fromWire(r.block) : null;
  }

  async listBlocks(options: Omit<ListBlocksOptions, 'filter'> & { filter?: Record<string, unknown>; minPosition?: number } = {}): Promise<Block[]> {
    if (typeof options.filter === 'function') throw new InvalidArgumentError('a remote listBlocks takes a metadata filter object, not a function');
    const r = await this.call<{ blocks: WireBlock[] }>('list', {
      ...(options.blockClass !== undefined ? { blockClass: options.blockClass } : {}),
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
      minPosition: options.minPosition ?? 0,
    });
    return r.blocks.map(fromWire);
  }

  async blockHistory(id: string, options: { minPosition?: number } = {}): Promise<BlockHistoryEntry[]> {
    const r = await this.call<{ versions: (Omit<BlockHistoryEntry, 'at'> & { at: number })[] }>('history', {
      id,
      minPosition: options.minPosition ?? 0,
    });
    return r.versions.map((e) => ({ ...e, at: new Date(e.at) }));
  }

  async semanticQuery(text: string, options: SemanticQueryOptions & { minPosition?: number } = {}): Promise<SemanticHit[]> {
    const r = await this.call<{ hits: { block: WireBlock; score: number }[] }>('query', {
      text,
      ...(options.k !== undefined ? { k: options.k } : {}),
      ...(options.blockClass !== undefined ? { blockClass: options.blockClass } : {}),
      minPosition: options.minPosition ?? 0,
    });
    return r.hits.map((h) => ({ block: fromWire(h.block), score: h.score }));
  }

  /** The position the answering replica's view has applied. */
  async position(): Promise<number> {
    return (await this.call<{ position: number }>('position', {})).position;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
