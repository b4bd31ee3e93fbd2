// Given/when/then tests of JSON patches in the block decider, without NATS: given events, when PatchBlock, then
// BlockPatched (folded by evolve into the next version) or a typed error.
import { describe, expect, it } from 'vitest';
import type { EventData } from '@hvs-nvm/events';
import type { AnyNewEvent } from '@hvs-nvm/eventstore';
import { SYSTEM_ACTOR, type BlockState } from './block.js';
import { decide, evolve, type BlockCommand, type BlockEvent } from './block-decider.js';
import { validPatch } from './block-patch.js';
import {
  BlockNotJsonError,
  ConcurrencyError,
  ContentTooLargeError,
  InvalidPatchError,
  PatchNotApplicableError,
  PatchTestFailedError,
  PermissionDeniedError,
  ReadOnlyBlockError,
} from './errors.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const created = (over: Partial<EventData<'BlockCreated'>> = {}): AnyNewEvent => ({
  type: 'BlockCreated',
  data: {
    blockId: 'b1',
    name: 'list',
    blockClass: 'program_state',
    content: '{"items":[]}',
    readonly: false,
    metadata: {},
    permissions: {},
    ...over,
  },
});

function given(...events: AnyNewEvent[]): BlockState | undefined {
  return events.reduce<BlockState | undefined>(
    (state, e, revision) => evolve(state, { ...e, revision, recordedAt: new Date(T0 + revision * 1000) } as BlockEvent),
    undefined,
  );
}

const patch = (ops: unknown, over: Partial<Extract<BlockCommand, { type: 'PatchBlock' }>> = {}): BlockCommand => ({
  type: 'PatchBlock',
  blockId: 'b1',
  patch: validPatch(ops),
  actor: SYSTEM_ACTOR,
  nowMs: T0 + 10_000,
  maxContentBytes: 1_000,
  ...over,
});

const append = (value: unknown) => [{ op: 'add', path: '/items/-', value }];

describe('block decider: JSON patches', () => {
  it('a patch that applies records BlockPatched with the patch, and evolve makes the next version', () => {
    const state = given(created());
    const events = decide(patch(append(1)), state);
    expect(events).toEqual([{ type: 'BlockPatched', data: { blockId: 'b1', patch: append(1) } }]);
    const next = given(created(), ...events);
    expect(next).toMatchObject({ version: 2, content: '{"items":[1]}', updatedAt: T0 + 1000 });
  });

  it('appends decided on the state each one sees all land when folded in order', () => {
    const events = [created()];
    for (let i = 0; i < 5; i++) events.push(...decide(patch(append(i)), given(...events)));
    expect(JSON.parse(given(...events)!.content)).toEqual({ items: [0, 1, 2, 3, 4] });
  });

  it('every RFC 6902 operation applies, all of a patch in one version', () => {
    const state = given(created({ content: '{"a":{"b":1},"items":[1,2]}' }));
    const ops = [
      { op: 'test', path: '/a/b', value: 1 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/items/0', path: '/first' },
      { op: 'replace', path: '/a/b', value: 'two' },
      { op: 'remove', path: '/items' },
    ];
    const next = given(created({ content: '{"a":{"b":1},"items":[1,2]}' }), ...decide(patch(ops), state));
    expect(next!.version).toBe(2);
    expect(JSON.parse(next!.content)).toEqual({ a: { b: 'two' }, c: { b: 1 }, first: 1 });
  });

  it('a failed test operation is PatchTestFailedError and decides nothing', () => {
    const state = given(created());
    expect(() => decide(patch([{ op: 'test', path: '/items', value: [9] }, ...append(1)]), state)).toThrow(PatchTestFailedError);
  });

  it('a path that does not resolve is PatchNotApplicableError', () => {
    const state = given(created());
    expect(() => decide(patch([{ op: 'replace', path: '/missing/x', value: 1 }]), state)).toThrow(PatchNotApplicableError);
    expect(() => decide(patch([{ op: 'add', path: '/__proto__/polluted', value: 1 }]), state)).toThrow(PatchNotApplicableError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a malformed patch is InvalidPatchError before any state is read', () => {
    for (const bad of [
      [],
      [{ op: 'add', path: 'items' }],
      [{ op: 'frobnicate', path: '' }],
      [{ op: 'add', path: 'no-slash', value: 1 }],
      {},
      [{ op: 'move', path: '/a' }],
    ]) {
      expect(() => validPatch(bad), JSON.stringify(bad)).toThrow(InvalidPatchError);
    }
  });

  it('a block whose content is not JSON is BlockNotJsonError', () => {
    const state = given(created({ content: '# just text' }));
    expect(() => decide(patch(append(1)), state)).toThrow(BlockNotJsonError);
  });

  it('a result over the content limit is ContentTooLargeError', () => {
    const state = given(created());
    expect(() => decide(patch(append('x'.repeat(2_000))), state)).toThrow(ContentTooLargeError);
  });

  it('read-only blocks, writers without read access and a stale expectedVersion are refused as updates are', () => {
    expect(() => decide(patch(append(1)), given(created({ readonly: true })))).toThrow(ReadOnlyBlockError);
    const writeOnly = given(created({ permissions: { read: ['owner'], write: ['model_a'] } }));
    expect(() => decide(patch(append(1), { actor: 'model_a' }), writeOnly)).toThrow(PermissionDeniedError);
    expect(() => decide(patch(append(1), { expectedVersion: 3 }), given(created()))).toThrow(ConcurrencyError);
    expect(decide(patch(append(1), { expectedVersion: 1 }), given(created()))).toHaveLength(1);
  });
});
