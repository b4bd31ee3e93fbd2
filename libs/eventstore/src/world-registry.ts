// The registry of worlds: fork records (which parent log a store branches from, and where) and aliases, as events on
// their own JetStream stream; and opening a store of a world, forked or not, through it.
import type { NatsConnection } from '@nats-io/nats-core';
import { streamIds, worldNames, type EventData, type StoreNames } from '@hvs-nvm/events';
import { EventStoreError, WrongExpectedVersionError } from './errors.js';
import { EventStore } from './event-store.js';
import type { EventStoreOptions } from './event-store-types.js';
import { ForkedEventStore } from './forked-event-store.js';
import { isStreamNotFound } from './nats-errors.js';

export type ForkKind = 'hvs' | 'nvm';
export type ForkRecord = EventData<'ForkCreated'> & { createdAt: Date; position: number };

export class ForkExistsError extends EventStoreError {
  constructor(kind: ForkKind, name: string) {
    super('FORK_EXISTS', `a world named '${name}' exists already (${kind})`, 409);
  }
}

export class ForkHasChildrenError extends EventStoreError {
  constructor(name: string, children: string[]) {
    super('FORK_HAS_CHILDREN', `fork '${name}' is the parent of ${children.map((c) => `'${c}'`).join(', ')}: delete those first`, 409);
  }
}

export class ForkNotFoundError extends EventStoreError {
  constructor(name: string) {
    super('FORK_NOT_FOUND', `no fork named '${name}'`, 404);
  }
}

/** Fork records and aliases, read from and appended to the HVSNVM_WORLDS stream. */
export class WorldRegistry {
  private constructor(readonly store: EventStore) {}

  static async open(nc: NatsConnection, options: { replicas?: number; actor?: string } = {}): Promise<WorldRegistry> {
    return new WorldRegistry(await EventStore.open(nc, { names: worldNames(), ...options }));
  }

  /** The live fork record of a world's store, if it is a fork. */
  async fork(kind: ForkKind, name: string): Promise<ForkRecord | undefined> {
    const last = await this.store.lastEvent(streamIds.fork(kind, name));
    if (last?.type !== 'ForkCreated') return undefined;
    return { ...(last.data as EventData<'ForkCreated'>), createdAt: last.recordedAt, position: last.position };
  }

  /** Whether a JetStream stream of this name holds anything (a world of that name exists, forked or not). */
  async hasStream(stream: string): Promise<boolean> {
    try {
      return (await this.store.jsm.streams.info(stream)).state.messages > 0;
    } catch (err) {
      if (isStreamNotFound(err)) return false;
      throw err;
    }
  }

  /** Deletes a fork's own JetStream stream (never a parent's: a base is only ever read). */
  async deleteStream(stream: string): Promise<void> {
    try {
      await this.store.jsm.streams.delete(stream);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
  }

  /** Records a fork (one small event: nothing of the parent's log is copied). ForkExistsError if it is recorded. */
  async recordFork(data: EventData<'ForkCreated'>): Promise<ForkRecord> {
    const streamId = streamIds.fork(data.kind, data.name);
    const last = await this.store.lastEvent(streamId);
    if (last?.type === 'ForkCreated') throw new ForkExistsError(data.kind, data.name);
    try {
      const r = await this.store.appendToStream(streamId, [{ type: 'ForkCreated', data }], {
        expectedRevision: last ? last.revision : 'no_stream',
      });
      return { ...data, createdAt: new Date(), position: r.position };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) throw new ForkExistsError(data.kind, data.name);
      throw err;
    }
  }

  async recordDeletion(kind: ForkKind, name: string): Promise<void> {
    await this.store.appendToStream(streamIds.fork(kind, name), [{ type: 'ForkDeleted', data: { name, kind } }]);
  }

  /** Every live fork record, oldest first. */
  async forks(): Promise<ForkRecord[]> {
    const live = new Map<string, ForkRecord>();
    for await (const e of this.store.readAll({ filter: streamIds.forks })) {
      if (e.type === 'ForkCreated') {
        live.set(e.streamId, { ...(e.data as EventData<'ForkCreated'>), createdAt: e.recordedAt, position: e.position });
      } else if (e.type === 'ForkDeleted') live.delete(e.streamId);
    }
    return [...live.values()];
  }

  /**
   * Creates a fork of one kind: refuses a name whose streams hold anything (a world of that name exists), then
   * records where it branches. O(1) in the log: one event, whatever the size of the parent's.
   */
  async createFork(data: EventData<'ForkCreated'>, ownStreams: readonly string[]): Promise<ForkRecord> {
    for (const stream of ownStreams) if (await this.hasStream(stream)) throw new ForkExistsError(data.kind, data.name);
    return this.recordFork(data);
  }

  /**
   * Deletes a fork of one kind: its record, then its own streams. The parent's log is never touched (a fork only
   * ever reads it). A fork that other forks branch from is kept (ForkHasChildrenError).
   */
  async deleteFork(kind: ForkKind, name: string, ownStreams: readonly string[]): Promise<void> {
    if (!(await this.fork(kind, name))) throw new ForkNotFoundError(name);
    const children = (await this.forks()).filter((f) => f.kind === kind && f.parent === name).map((f) => f.name);
    if (children.length > 0) throw new ForkHasChildrenError(name, children);
    await this.recordDeletion(kind, name);
    for (const stream of ownStreams) await this.deleteStream(stream);
  }

  /** Points `alias` at `world` (what `promote` does). */
  async setAlias(alias: string, world: string): Promise<void> {
    await this.store.appendToStream(streamIds.alias(alias), [{ type: 'WorldAliased', data: { alias, world } }]);
  }

  /** The world `name` stands for: the target of its alias, or itself. */
  async resolve(name: string): Promise<string> {
    const last = await this.store.lastEvent(streamIds.alias(name));
    return last?.type === 'WorldAliased' ? (last.data as EventData<'WorldAliased'>).world : name;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Opens the store `key` (hvs, mail or nvm) of world `name`: a plain store, or — when the registry records `name`
 * as a fork of this kind that names a position for `key` — its parent's store (itself perhaps a fork) read up to
 * that position, followed by the world's own stream.
 */
export async function openWorldStore(
  nc: NatsConnection,
  registry: WorldRegistry,
  kind: ForkKind,
  key: 'hvs' | 'mail' | 'nvm',
  namesOf: (name: string) => StoreNames,
  name: string,
  options: Omit<EventStoreOptions, 'names'>,
): Promise<EventStore> {
  const fork = await registry.fork(kind, name);
  const at = fork?.cut[key];
  if (!fork || at === undefined) return EventStore.open(nc, { ...options, names: namesOf(name) });
  const parent = await openWorldStore(nc, registry, kind, key, namesOf, fork.parent, options);
  try {
    const base = await parent.view(at);
    return await ForkedEventStore.openFork(nc, base, { ...options, names: namesOf(name) });
  } finally {
    await parent.close();
  }
}
