// Given/when/then tests of the block decider, without NATS: given events, when a command, then events or an error.
import { describe, expect, it } from 'vitest';
import type { EventData } from '@hvs-nvm/events';
import type { AnyNewEvent } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, isReadable, type BlockState } from './block.js';
import { decide, evolve, type BlockCommand, type BlockEvent } from './block-decider.js';
import { BlockNotFoundError, ConcurrencyError, PermissionDeniedError, ReadOnlyBlockError } from './errors.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function created(over: Partial<EventData<'BlockCreated'>> = {}): EventData<'BlockCreated'> {
  return {
    blockId: 'b1',
    name: 'app_state',
    blockClass: 'program_state',
    content: '{"counter":0}',
    readonly: false,
    metadata: {},
    permissions: {},
    ...over,
  };
}

/** Folds events as the stream would record them: revisions 0, 1, … one second apart. */
function given(...events: AnyNewEvent[]): BlockState | undefined {
  return events.reduce<BlockState | undefined>(
    (state, e, revision) => evolve(state, { ...e, revision, recordedAt: new Date(T0 + revision * 1000) } as BlockEvent),
    undefined,
  );
}

const when = (state: BlockState | undefined, command: BlockCommand) => () => decide(command, state);

const update = (over: Partial<Extract<BlockCommand, { type: 'UpdateBlock' }>> = {}): BlockCommand => ({
  type: 'UpdateBlock',
  blockId: 'b1',
  content: '{"counter":1}',
  actor: SYSTEM_ACTOR,
  nowMs: T0 + 10_000,
  ...over,
});

describe('block decider', () => {
  it('creating a block records BlockCreated with its data', () => {
    expect(decide({ type: 'CreateBlock', data: created() }, undefined)).toEqual([{ type: 'BlockCreated', data: created() }]);
  });

  it('an update of a live block records BlockUpdated, and evolve bumps the version', () => {
    const state = given({ type: 'BlockCreated', data: created() });
    const events = decide(update({ metadata: { k: 1 } }), state);
    expect(events).toEqual([{ type: 'BlockUpdated', data: { blockId: 'b1', content: '{"counter":1}', metadata: { k: 1 } } }]);
    const next = given({ type: 'BlockCreated', data: created() }, ...events);
    expect(next).toMatchObject({
      version: 2,
      content: '{"counter":1}',
      metadata: { k: 1 },
      createdAt: T0,
      updatedAt: T0 + 1000,
    });
  });

  it('a read-only block refuses update and delete', () => {
    const state = given({ type: 'BlockCreated', data: created({ readonly: true }) });
    expect(when(state, update())).toThrow(ReadOnlyBlockError);
    expect(when(state, { type: 'DeleteBlock', blockId: 'b1', actor: SYSTEM_ACTOR, nowMs: T0 })).toThrow(ReadOnlyBlockError);
  });

  it('an actor outside the write list is refused; the system actor and listed actors are not', () => {
    const state = given({
      type: 'BlockCreated',
      data: created({ permissions: { read: ['*'], write: ['model_a'] } }),
    });
    expect(when(state, update({ actor: 'model_b' }))).toThrow(PermissionDeniedError);
    expect(decide(update({ actor: 'model_a' }), state)).toHaveLength(1);
    expect(decide(update({ actor: SYSTEM_ACTOR }), state)).toHaveLength(1);
  });

  it('an update pinned to an old version is a ConcurrencyError', () => {
    const state = given({ type: 'BlockCreated', data: created() }, { type: 'BlockUpdated', data: { blockId: 'b1', content: 'x' } });
    expect(when(state, update({ expectedVersion: 1 }))).toThrow(ConcurrencyError);
    expect(decide(update({ expectedVersion: 2 }), state)).toHaveLength(1);
  });

  it('updating or deleting a missing or deleted block is BlockNotFound', () => {
    expect(when(undefined, update())).toThrow(BlockNotFoundError);
    const deleted = given({ type: 'BlockCreated', data: created() }, { type: 'BlockDeleted', data: { blockId: 'b1' } });
    expect(deleted?.status).toBe('deleted');
    expect(deleted?.version).toBe(2);
    expect(when(deleted, update())).toThrow(BlockNotFoundError);
    expect(when(deleted, { type: 'DeleteBlock', blockId: 'b1', actor: SYSTEM_ACTOR, nowMs: T0 })).toThrow(BlockNotFoundError);
  });

  it('a cache block past its TTL reads as absent and refuses updates', () => {
    const state = given({ type: 'BlockCreated', data: created({ blockClass: 'cache', ttlSeconds: 5 }) });
    expect(isReadable(state, T0 + 4_999)).toBe(true);
    expect(isReadable(state, T0 + 5_000)).toBe(false);
    expect(when(state, update({ nowMs: T0 + 6_000 }))).toThrow(BlockNotFoundError);
  });

  it('expiry is recorded once: due → BlockExpired, not due or already expired → nothing', () => {
    const state = given({ type: 'BlockCreated', data: created({ blockClass: 'cache', ttlSeconds: 5 }) });
    expect(decide({ type: 'ExpireBlock', blockId: 'b1', nowMs: T0 + 1_000 }, state)).toEqual([]);
    const events = decide({ type: 'ExpireBlock', blockId: 'b1', nowMs: T0 + 5_000 }, state);
    expect(events).toEqual([{ type: 'BlockExpired', data: { blockId: 'b1', expiredAt: new Date(T0 + 5_000).toISOString() } }]);
    const expired = given({ type: 'BlockCreated', data: created({ blockClass: 'cache', ttlSeconds: 5 }) }, ...events);
    expect(expired?.status).toBe('expired');
    expect(decide({ type: 'ExpireBlock', blockId: 'b1', nowMs: T0 + 9_000 }, expired)).toEqual([]);
    expect(decide({ type: 'ExpireBlock', blockId: 'b1', nowMs: T0 + 9_000 }, undefined)).toEqual([]);
  });

  it('a cache update counts the TTL from the write and may change it through metadata.ttl_seconds', () => {
    const state = given(
      { type: 'BlockCreated', data: created({ blockClass: 'cache', ttlSeconds: 5 }) },
      { type: 'BlockUpdated', data: { blockId: 'b1', content: 'y', metadata: { ttl_seconds: 60 } } },
    );
    expect(state?.ttlSeconds).toBe(60);
    expect(isReadable(state, T0 + 1_000 + 59_000)).toBe(true);
    expect(isReadable(state, T0 + 1_000 + 60_000)).toBe(false);
  });

  it('evolve ignores events of other kinds and updates for unknown blocks', () => {
    expect(
      evolve(undefined, {
        type: 'BlockUpdated',
        data: { blockId: 'zz', content: 'x' },
        revision: 0,
        recordedAt: new Date(),
      }),
    ).toBeUndefined();
    const state = given({ type: 'BlockCreated', data: created() });
    const fact = {
      type: 'FactAdded',
      data: {},
      revision: 1,
      recordedAt: new Date(),
    } as unknown as BlockEvent;
    expect(evolve(state, fact)).toBe(state);
  });
});
