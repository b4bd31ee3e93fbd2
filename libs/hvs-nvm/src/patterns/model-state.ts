// Pattern 2: a model's state as a versioned NVM block, with read-only checkpoints it can restore.
import { BlockClass, BlockExistsError, ConcurrencyError, type Block, type NVM } from '@hvs-nvm/nvm';

type State = Record<string, unknown>;

export class ModelStatePersistence {
  private readonly nvm: NVM;
  private stateBlock?: Promise<Block>;

  constructor(
    nvm: NVM,
    readonly modelId: string,
  ) {
    // The state is the model's own: it acts as that model, so its permissions apply. A view already acting as another
    // agent cannot become this model (NVM.as throws PermissionDeniedError).
    this.nvm = nvm.as(modelId);
  }

  /** The state block, found by name or created on first use (lazily, since constructors cannot await). */
  private init(): Promise<Block> {
    this.stateBlock ??= (async () => {
      const name = `state_${this.modelId}`;
      const existing = await this.nvm.getBlockByName(name);
      if (existing) return existing;
      try {
        return await this.nvm.createBlock({
          name,
          blockClass: BlockClass.PROGRAM_STATE,
          content: { initialized_at: Date.now() / 1000 },
          permissions: { read: [this.modelId], write: [this.modelId] },
        });
      } catch (err) {
        if (!(err instanceof BlockExistsError)) throw err;
        const raced = await this.nvm.getBlockByName(name);
        if (!raced) throw err;
        return raced;
      }
    })();
    this.stateBlock.catch(() => (this.stateBlock = undefined));
    return this.stateBlock;
  }

  async getStateBlockId(): Promise<string> {
    return (await this.init()).id;
  }

  async getState(key?: string): Promise<unknown> {
    const { id } = await this.init();
    const block = await this.nvm.getBlock(id);
    const state = JSON.parse(block.content) as State;
    return key === undefined ? state : state[key];
  }

  /** Read-modify-write on the block's version: concurrent setState calls never lose each other's keys. */
  async setState(key: string, value: unknown): Promise<void> {
    await this.update((state) => {
      state[key] = value;
    });
  }

  private async update(change: (state: State) => void): Promise<void> {
    const { id } = await this.init();
    for (let attempt = 0; ; attempt++) {
      const block = await this.nvm.getBlock(id);
      const state = JSON.parse(block.content) as State;
      change(state);
      state['last_updated'] = Date.now() / 1000;
      try {
        await this.nvm.updateBlock(id, JSON.stringify(state), { expectedVersion: block.version });
        return;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= 50) throw err;
      }
    }
  }

  /** Freezes the current state into a new read-only block; returns its id. */
  async checkpoint(): Promise<string> {
    const state = (await this.getState()) as State;
    const stamp = `${Math.floor(Date.now() / 1000)}_${Date.now() % 1000}_${Math.random().toString(36).slice(2, 6)}`;
    const checkpoint = await this.nvm.createBlock({
      name: `checkpoint_${this.modelId}_${stamp}`,
      blockClass: BlockClass.PROGRAM_STATE,
      content: state,
      readonly: true,
      metadata: { model_id: this.modelId, checkpoint_of: await this.getStateBlockId() },
      permissions: { read: [this.modelId], write: [this.modelId] },
    });
    return checkpoint.id;
  }

  /** Makes a checkpoint's state the current state again (a new version of the state block). */
  async restore(checkpointId: string): Promise<void> {
    const checkpoint = await this.nvm.getBlock(checkpointId);
    const saved = JSON.parse(checkpoint.content) as State;
    await this.update((state) => {
      for (const k of Object.keys(state)) delete state[k];
      Object.assign(state, saved);
    });
  }
}
