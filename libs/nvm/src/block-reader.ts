// BlockReader: a read-only client of an NVM namespace through apps/projector replicas (RemoteBlockReads with its
// own connection and one actor), for processes that neither write nor project the namespace.
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { ActorId } from '@hvs-nvm/events';
import type { Block } from './block.js';
import { InvalidArgumentError, NVMUnavailableError } from './errors.js';
import { describe } from './input.js';
import { RemoteBlockReads } from './remote-block-reads.js';
import type { BlockHistoryEntry, GetBlockOptions, ListBlocksOptions, SemanticHit, SemanticQueryOptions } from './types.js';

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
  private readonly reads: RemoteBlockReads;

  private constructor(
    private readonly nc: NatsConnection,
    namespace: string,
    readonly actor: string,
    timeoutMs: number,
  ) {
    this.reads = new RemoteBlockReads(nc, namespace, timeoutMs);
  }

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

  getBlock(id: string, options: GetBlockOptions & { minPosition?: number } = {}): Promise<Block> {
    const { minPosition, ...rest } = options;
    return this.reads.getBlock(this.actor, id, rest, minPosition ?? 0);
  }

  getBlockByName(name: string, options: { minPosition?: number } = {}): Promise<Block | null> {
    return this.reads.getBlockByName(this.actor, name, options.minPosition ?? 0);
  }

  listBlocks(
    options: Omit<ListBlocksOptions, 'filter'> & { filter?: Record<string, unknown>; minPosition?: number } = {},
  ): Promise<Block[]> {
    const { minPosition, ...rest } = options;
    return this.reads.listBlocks(this.actor, rest, minPosition ?? 0);
  }

  blockHistory(id: string, options: { minPosition?: number } = {}): Promise<BlockHistoryEntry[]> {
    return this.reads.blockHistory(this.actor, id, options.minPosition ?? 0);
  }

  semanticQuery(text: string, options: SemanticQueryOptions & { minPosition?: number } = {}): Promise<SemanticHit[]> {
    const { minPosition, ...rest } = options;
    return this.reads.semanticQuery(this.actor, text, rest, minPosition ?? 0);
  }

  /** The position the answering replica's view has applied. */
  position(): Promise<number> {
    return this.reads.position(this.actor);
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
