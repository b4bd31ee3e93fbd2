// The blocks the patterns keep for everyone (knowledge base, cache registry): written by the system identity only, re-created when gone.
import {
  BlockExistsError,
  BlockNotFoundError,
  InvalidArgumentError,
  SYSTEM_ACTOR,
  type Block,
  type BlockClass,
  type BlockContent,
  type BlockMetadata,
  type NVM,
} from '@hvs-nvm/nvm';
import type { Logger } from '@hvs-nvm/runtime';

/** Everyone reads; only the system identity writes or deletes (the NVM decider refuses any other writer). */
export const SYSTEM_WRITES = { read: ['*'], write: [SYSTEM_ACTOR] };

/** Names of the blocks the server's patterns keep: no agent may create a block under them. */
export const SYSTEM_BLOCK_NAMES: ReadonlySet<string> = new Set(['shared_knowledge_base', 'semantic_cache']);

export interface SystemBlockSpec {
  name: string;
  blockClass: BlockClass;
  metadata?: BlockMetadata;
  /** Content of a new block (also of one re-created after it was deleted). */
  initialContent: () => BlockContent | Promise<BlockContent>;
}

/** One system block, found by name or (re-)created, checked again on each use so a deleted one heals on the next call. */
export class SystemBlock {
  private current?: Promise<Block>;

  constructor(
    private readonly nvm: NVM,
    private readonly spec: SystemBlockSpec,
    private readonly log: Logger,
  ) {
    if (nvm.actor !== SYSTEM_ACTOR) {
      throw new InvalidArgumentError(
        `'${spec.name}' is a system block: give the pattern the NVM opened without an actor, not a view acting as '${nvm.actor}'`,
      );
    }
  }

  /** The live block. */
  async get(): Promise<Block> {
    const held = this.current;
    if (held) {
      const block = await held.catch(() => undefined);
      if (block && (await this.isLive(block.id))) return block;
      if (this.current === held) this.current = undefined;
    }
    if (!this.current) {
      const p = (this.current = this.ensure());
      p.catch(() => {
        if (this.current === p) this.current = undefined;
      });
    }
    return this.current;
  }

  /** Drops the held block (a write found it gone); the next get() finds or re-creates it. */
  forget(): void {
    this.current = undefined;
  }

  private isLive(id: string): Promise<boolean> {
    return this.nvm.getBlock(id).then(
      () => true,
      (err: unknown) => (err instanceof BlockNotFoundError ? false : Promise.reject(err)),
    );
  }

  /** Only the system created it and only the system may write it: then what it holds is the pattern's. */
  private async trusted(block: Block): Promise<boolean> {
    const writers = block.permissions.write;
    if (!Array.isArray(writers) || writers.length === 0 || !writers.every((w) => w === SYSTEM_ACTOR)) return false;
    const [created] = await this.nvm.blockHistory(block.id);
    return created?.actor === SYSTEM_ACTOR;
  }

  private async ensure(): Promise<Block> {
    const { name } = this.spec;
    const existing = await this.nvm.getBlockByName(name);
    if (existing) {
      if (await this.trusted(existing)) return existing;
      // Open to other writers (made before system blocks were the system's), or made by someone else: replaced.
      this.log.warn({ blockId: existing.id, name, permissions: existing.permissions }, 'replacing a system block others could write');
      await this.nvm.deleteBlock(existing.id);
    }
    try {
      return await this.nvm.createBlock({
        name,
        blockClass: this.spec.blockClass,
        content: await this.spec.initialContent(),
        ...(this.spec.metadata ? { metadata: this.spec.metadata } : {}),
        permissions: SYSTEM_WRITES,
      });
    } catch (err) {
      if (!(err instanceof BlockExistsError)) throw err;
      const raced = await this.nvm.getBlockByName(name);
      if (!raced || !(await this.trusted(raced))) throw err;
      return raced;
    }
  }
}
