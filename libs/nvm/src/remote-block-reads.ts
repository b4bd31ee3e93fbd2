// Reads answered by apps/projector replicas (the block-view query service of a namespace) over NATS request/reply.
import type { NatsConnection } from '@nats-io/nats-core';
import { querySubject } from '@hvs-nvm/events';
import { isWireError, requestQuery } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, type Block } from './block.js';
import type { BlockReads } from './block-reads.js';
import { fromWire, type WireBlock, type WireHistoryEntry } from './block-wire.js';
import {
  BlockNotFoundError,
  InvalidArgumentError,
  InvalidBlockError,
  NVMError,
  NVMUnavailableError,
  PermissionDeniedError,
} from './errors.js';
import type { BlockHistoryEntry, GetBlockOptions, ListBlocksOptions, SemanticHit, SemanticQueryOptions } from './types.js';

export class RemoteBlockReads implements BlockReads {
  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
    /** How long one query may take before another replica is tried. */
    private readonly timeoutMs = 10_000,
  ) {}

  private async call<T>(op: string, actor: string, args: Record<string, unknown>): Promise<T> {
    const subject = querySubject('nvm', this.namespace, op);
    let reply: unknown;
    try {
      reply = await requestQuery(this.nc, subject, { ...args, actor }, this.timeoutMs);
    } catch (err) {
      throw new NVMUnavailableError(`no projector answered ${subject}: ${(err as Error).message}`, { cause: err });
    }
    if (isWireError(reply)) {
      const { code, message, status } = reply.error;
      const id = typeof args['id'] === 'string' ? args['id'] : '';
      if (code === 'BLOCK_NOT_FOUND' && id) throw new BlockNotFoundError(id);
      if (code === 'PERMISSION_DENIED' && id) throw new PermissionDeniedError(actor, 'read', id);
      if (code === 'INVALID_ARGUMENT') throw new InvalidArgumentError(message);
      if (code === 'INVALID_BLOCK') throw new InvalidBlockError(message);
      throw new NVMError(code, message, status);
    }
    return reply as T;
  }

  async getBlock(actor: string, id: string, options: GetBlockOptions, minPosition: number): Promise<Block> {
    const { version, asOf } = options ?? {};
    const r = await this.call<{ block: WireBlock }>('get', actor, {
      id,
      ...(version !== undefined ? { version } : {}),
      ...(asOf !== undefined ? { asOf: asOf instanceof Date ? asOf.getTime() : asOf } : {}),
      minPosition,
    });
    return fromWire(r.block);
  }

  async getBlockByName(actor: string, name: string, minPosition: number): Promise<Block | null> {
    const r = await this.call<{ block: WireBlock | null }>('byName', actor, { name, minPosition });
    return r.block ? fromWire(r.block) : null;
  }

  async listBlocks(actor: string, options: ListBlocksOptions, minPosition: number): Promise<Block[]> {
    const { blockClass, filter } = options ?? {};
    if (typeof filter === 'function') throw new InvalidArgumentError('a remote listBlocks takes a metadata filter object, not a function');
    const r = await this.call<{ blocks: WireBlock[] }>('list', actor, {
      ...(blockClass !== undefined ? { blockClass } : {}),
      ...(filter !== undefined ? { filter } : {}),
      minPosition,
    });
    return r.blocks.map(fromWire);
  }

  async blockHistory(actor: string, id: string, minPosition: number): Promise<BlockHistoryEntry[]> {
    const r = await this.call<{ versions: WireHistoryEntry[] }>('history', actor, { id, minPosition });
    return r.versions.map((e) => ({ ...e, at: new Date(e.at) }));
  }

  async semanticQuery(actor: string, text: string, options: SemanticQueryOptions, minPosition: number): Promise<SemanticHit[]> {
    const { k, blockClass } = options ?? {};
    const r = await this.call<{ hits: { block: WireBlock; score: number }[] }>('query', actor, {
      text,
      ...(k !== undefined ? { k } : {}),
      ...(blockClass !== undefined ? { blockClass } : {}),
      minPosition,
    });
    return r.hits.map((h) => ({ block: fromWire(h.block), score: h.score }));
  }

  /** The position the answering replica's view has applied (asked as `actor`: every query names one). */
  async position(actor: string = SYSTEM_ACTOR): Promise<number> {
    return (await this.call<{ position: number }>('position', actor, {})).position;
  }
}
