// The command shell (load, decide, append with the expected revision, retry on conflict) with the block decider,
// over the in-memory event store: racing writers without a server.
import { describe, expect, it } from 'vitest';
import type { EventData } from '@hvs-nvm/events';
import { InMemoryEventStore, WrongExpectedVersionError, type EventStorePort } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, type BlockState } from './block.js';
import { decide, evolve, type BlockEvent } from './block-decider.js';
import { handleCommand, type Loaded } from './command-handler.js';
import { ConcurrencyError } from './errors.js';

const created: EventData<'BlockCreated'> = {
  blockId: 'b1',
  name: 'counter',
  blockClass: 'program_state',
  content: '0',
  readonly: false,
  metadata: {},
  permissions: {},
};

/** Fresh state from the log: every event of the block's stream folded by the decider's evolve. */
async function load(store: EventStorePort): Promise<Loaded<BlockState | undefined>> {
  const events = await store.readStream('block.b1');
  const state = events.reduce<BlockState | undefined>((s, e) => evolve(s, e as BlockEvent), undefined);
  return { state, revision: events.length - 1 };
}

/** Increments the counter block's content by one, as one command. */
function increment(store: EventStorePort, retryOnConflict: boolean, pinned?: Loaded<BlockState | undefined>) {
  let first = true;
  return handleCommand<BlockState | undefined>({
    store,
    streamId: 'block.b1',
    actor: SYSTEM_ACTOR,
    // A pinned load is the state a caller read earlier (its expected version); later attempts read afresh.
    load: async () => (first && pinned ? ((first = false), pinned) : load(store)),
    decide: (state) =>
      decide(
        {
          type: 'UpdateBlock',
          blockId: 'b1',
          content: String(Number(state?.content ?? 0) + 1),
          actor: SYSTEM_ACTOR,
          nowMs: Date.now(),
          ...(retryOnConflict ? {} : { expectedVersion: state?.version ?? 0 }),
        },
        state,
      ),
    retryOnConflict,
    conflictError: (err: WrongExpectedVersionError) => new ConcurrencyError('b1', undefined, Number(err.actual)),
  });
}

describe('handleCommand over the in-memory event store', () => {
  it('twenty racing increments without a pinned version are retried on fresh state and all count', async () => {
    await using store = new InMemoryEventStore();
    await store.appendToStream('block.b1', [{ type: 'BlockCreated', data: created }], { expectedRevision: 'no_stream' });
    await Promise.all(Array.from({ length: 20 }, () => increment(store, true)));
    const { state } = await load(store);
    expect(state).toMatchObject({ content: '20', version: 21 });
  });

  it('a write decided on a stale state is refused with the conflict error and appends nothing', async () => {
    await using store = new InMemoryEventStore();
    await store.appendToStream('block.b1', [{ type: 'BlockCreated', data: created }], { expectedRevision: 'no_stream' });
    const stale = await load(store);
    await increment(store, true);
    await expect(increment(store, false, stale)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.headPosition()).toBe(2);
  });
});
