// The state the write side decides on: the block view in this process (caught up on the stream first), or the
// block's and the name's own streams read from the log (a client without a local projection).
import { streamIds } from '@hvs-nvm/events';
import type { EventStore, ProjectionRunner } from '@hvs-nvm/eventstore';
import type { BlockState } from './block.js';
import { evolve } from './block-decider.js';
import type { BlockView } from './block-view.js';
import type { Loaded } from './command-handler.js';
import { emptyName, evolveName, type NameState } from './name-decider.js';

/** A block as a write left it: its state and when each of its versions was written (epoch ms). */
export interface WrittenBlock {
  state: BlockState;
  history: readonly { version: number; at: number }[];
}

export interface WriteState {
  /** Fresh state: reflects every event of the block's stream up to its tip as of the call. */
  loadBlock(blockId: string): Promise<Loaded<BlockState | undefined>>;
  /** Fresh state of a name, with its holder's state (looked up on the holder's stream when not known yet). */
  loadName(name: string): Promise<Loaded<NameState> & { holder: BlockState | undefined }>;
  /** A block as this client knows it, without catching up (may lag behind the log). */
  knownBlock(blockId: string): Promise<BlockState | undefined>;
  /** Called after each append of this client: resolves once the state reflects `position`. */
  reflect(position: number): Promise<void>;
  /** The block once `position` (a write of this client) is reflected. */
  written(blockId: string, position: number): Promise<WrittenBlock | undefined>;
}

/** Decides on the in-process block view: each load first catches the view up on the stream it reads. */
export class ViewWriteState implements WriteState {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly view: BlockView,
  ) {}

  /** Waits until the view reflects every event of `streamId` up to its tip as of now (fresh state for a decision). */
  async catchUp(streamId: string): Promise<void> {
    const tip = await this.store.streamTip(streamId);
    if (tip) await this.runner.waitFor(tip.position);
  }

  async loadBlock(blockId: string): Promise<Loaded<BlockState | undefined>> {
    await this.catchUp(streamIds.block(blockId));
    const state = this.view.block(blockId);
    return { state, revision: state ? state.version - 1 : -1 };
  }

  async loadName(name: string) {
    const streamId = streamIds.blockName(name);
    await this.catchUp(streamId);
    const state = this.view.nameState(name);
    // The holder may be a block this view has not seen yet: look before calling it abandoned.
    if (state.holder && !this.view.block(state.holder)) await this.catchUp(streamIds.block(state.holder));
    return { state, revision: state.revision, holder: state.holder ? this.view.block(state.holder) : undefined };
  }

  async knownBlock(blockId: string): Promise<BlockState | undefined> {
    return this.view.block(blockId);
  }

  reflect(position: number): Promise<void> {
    return this.runner.waitFor(position);
  }

  async written(blockId: string, position: number): Promise<WrittenBlock | undefined> {
    await this.runner.waitFor(position);
    const record = this.view.blocks.get(blockId);
    if (!record) return undefined;
    // The view keeps the current version only: when it was written is all a caller that cannot read it learns.
    return { state: record.state, history: [{ version: record.state.version, at: record.state.updatedAt }] };
  }
}

/**
 * Decides on the streams themselves: a block's state is folded from its own stream (a few events), a name's from
 * the name's stream. Nothing to wait for after a write; reads go wherever the client's BlockReads go.
 */
export class StreamWriteState implements WriteState {
  constructor(private readonly store: EventStore) {}

  private async fold(blockId: string): Promise<{ loaded: Loaded<BlockState | undefined>; history: { version: number; at: number }[] }> {
    let state: BlockState | undefined;
    let revision = -1;
    const history: { version: number; at: number }[] = [];
    for (const event of await this.store.readStream(streamIds.block(blockId))) {
      const next = evolve(state, event);
      revision = event.revision;
      if (next !== state && next) history.push({ version: next.version, at: event.recordedAt.getTime() });
      state = next;
    }
    return { loaded: { state, revision }, history };
  }

  async loadBlock(blockId: string): Promise<Loaded<BlockState | undefined>> {
    return (await this.fold(blockId)).loaded;
  }

  async loadName(name: string) {
    let state = emptyName(name);
    for (const event of await this.store.readStream(streamIds.blockName(name))) state = evolveName(state, event);
    const holder = state.holder ? (await this.fold(state.holder)).loaded.state : undefined;
    return { state, revision: state.revision, holder };
  }

  async knownBlock(blockId: string): Promise<BlockState | undefined> {
    return (await this.fold(blockId)).loaded.state;
  }

  async reflect(): Promise<void> {}

  async written(blockId: string): Promise<WrittenBlock | undefined> {
    const { loaded, history } = await this.fold(blockId);
    return loaded.state && { state: loaded.state, history };
  }
}
