// The server's collections: a registry (an event-sourced stream of CollectionCreated / CollectionDeleted), each
// collection's HVS opened on first use and kept open, and deletion of a collection's streams.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectionRegistryNames, hvsNames, mailNames, streamIds, type EventData } from '@hvs-nvm/events';
import { deleteStoreStream, EventStore, WrongExpectedVersionError } from '@hvs-nvm/eventstore';
import { CollectionMismatchError, HVS, type HVSOptions } from '@hvs-nvm/hvs';
import { createLogger } from '@hvs-nvm/runtime';
import { HttpError } from './problem.js';

export type CollectionSettings = EventData<'CollectionCreated'>;
export type Geometry = CollectionSettings['geometry'];

/** The collection vector routes without a collection in their path use. */
export const DEFAULT_COLLECTION = 'default';

/** HNSW parameters a collection gets when its creator names none (HVS's defaults). */
export const INDEX_DEFAULTS = { M: 16, efConstruction: 200, ef: 64 } as const;

export class CollectionNotFoundError extends HttpError {
  constructor(name: string) {
    super(404, 'COLLECTION_NOT_FOUND', `no collection named '${name}'`);
  }
}

/** `default` and the memory store's collection hold what the server itself uses: they are not deleted over the API. */
export class ProtectedCollectionError extends HttpError {
  constructor(name: string, why: string) {
    super(409, 'COLLECTION_PROTECTED', `collection '${name}' cannot be deleted: ${why}`);
  }
}

/** The registry's view of one collection's stream: its settings while it exists, and the stream's revision. */
function fold(events: { type: string; data: unknown; revision: number }[]): { settings?: CollectionSettings; revision: number } {
  let settings: CollectionSettings | undefined;
  for (const e of events) {
    if (e.type === 'CollectionCreated') settings = e.data as CollectionSettings;
    else if (e.type === 'CollectionDeleted') settings = undefined;
  }
  return { ...(settings ? { settings } : {}), revision: events.at(-1)?.revision ?? -1 };
}

const sameShape = (a: CollectionSettings, b: CollectionSettings) =>
  a.dimension === b.dimension && a.geometry === b.geometry && a.M === b.M && a.efConstruction === b.efConstruction && a.ef === b.ef;

function settingsOf(hvs: HVS): CollectionSettings {
  const o = hvs.options;
  return { name: o.collection, dimension: o.dimension, geometry: o.geometry, M: o.M, efConstruction: o.efConstruction, ef: o.ef };
}

export interface CollectionsOptions {
  /** HVS clients the server opened itself (the default collection, the memory store's): used as they are, never deleted. */
  fixed: HVS[];
  /** Why each fixed collection is protected (shown in the 409). */
  reasons?: Record<string, string>;
  /** Other names for fixed HVS clients: `default` → a promoted fork's collection (protected as well). */
  aliases?: Record<string, HVS>;
}

export class Collections {
  private readonly log = createLogger('collections');
  private readonly open = new Map<string, Promise<HVS>>();
  private readonly fixed = new Map<string, HVS>();
  /** Create, open and delete of one name run one at a time, so a delete never races a lazy open into recreating it. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly registry: EventStore,
    /** Where and how the lazily opened collections connect: as the first fixed one. */
    private readonly base: HVSOptions & { storagePath: string },
    private readonly reasons: Record<string, string>,
  ) {}

  /** Opens the registry on the first fixed HVS's connection and records the fixed collections in it if they are not. */
  static async open(options: CollectionsOptions): Promise<Collections> {
    const first = options.fixed[0];
    if (!first) throw new Error('Collections.open needs at least one HVS');
    // As many replicas as the collections' own streams (a cluster's NATS_URL with HVS_NVM_REPLICAS, or 1).
    const { eventStore } = first;
    const replicas = (await eventStore.jsm.streams.info(eventStore.names.stream)).config.num_replicas;
    const registry = await EventStore.open(eventStore.nc, { names: collectionRegistryNames(), replicas });
    const base = { ...first.natsConnectionOptions(), storagePath: resolve(first.options.storagePath), actor: first.options.actor };
    const collections = new Collections(registry, base, options.reasons ?? {});
    for (const [name, hvs] of Object.entries(options.aliases ?? {})) collections.fixed.set(name, hvs);
    for (const hvs of options.fixed) {
      collections.fixed.set(hvs.options.collection, hvs);
      const { settings, revision } = await collections.entry(hvs.options.collection);
      if (!settings) await collections.record(settingsOf(hvs), revision);
    }
    return collections;
  }

  private async entry(name: string) {
    return fold(await this.registry.readStream(streamIds.registeredCollection(name)));
  }

  private async record(settings: CollectionSettings, revision: number): Promise<void> {
    await this.registry.appendToStream(streamIds.registeredCollection(settings.name), [{ type: 'CollectionCreated', data: settings }], {
      expectedRevision: revision < 0 ? 'no_stream' : revision,
    });
  }

  private exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(name) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    return run;
  }

  /** Every collection in the registry, by name. */
  async list(): Promise<CollectionSettings[]> {
    const events = new Map<string, { type: string; data: unknown; revision: number }[]>();
    for await (const e of this.registry.readAll({ filter: streamIds.registeredCollections })) {
      const name = (e.data as { name?: string }).name;
      if (typeof name !== 'string') continue;
      events.set(name, [...(events.get(name) ?? []), e]);
    }
    return [...events.values()]
      .map((es) => fold(es).settings)
      .filter((s): s is CollectionSettings => s !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One collection's settings (404 if there is none by that name). */
  async get(name: string): Promise<CollectionSettings> {
    const { settings } = await this.entry(name);
    if (!settings) throw new CollectionNotFoundError(name);
    return settings;
  }

  /**
   * Creates a collection, or finds it with the same settings (`created: false`). Other settings are a 409
   * COLLECTION_MISMATCH: a collection's first event fixes them. A collection made by the library on the same server
   * (HVS streams without a registry entry) is adopted when its dimension and geometry agree.
   */
  create(input: { name: string; dimension: number; geometry: Geometry; M?: number; efConstruction?: number; ef?: number }) {
    const wanted: CollectionSettings = { ...INDEX_DEFAULTS, ...input };
    return this.exclusive(wanted.name, async () => {
      const { settings, revision } = await this.entry(wanted.name);
      if (settings) {
        if (!sameShape(settings, wanted)) throw mismatch(settings, wanted);
        return { created: false, collection: settings };
      }
      // The HVS streams decide dimension and geometry (CollectionMismatchError, 409); then the registry records it.
      const hvs = await this.openHvs(wanted);
      this.open.set(wanted.name, Promise.resolve(hvs));
      try {
        await this.record(wanted, revision);
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        // Another writer registered it meanwhile: what it recorded is the collection's.
        const now = await this.get(wanted.name);
        if (!sameShape(now, wanted)) throw mismatch(now, wanted);
        return { created: false, collection: now };
      }
      this.log.info({ collection: wanted }, 'collection created');
      return { created: true, collection: wanted };
    });
  }

  private openHvs(s: CollectionSettings): Promise<HVS> {
    return HVS.open({
      ...this.base,
      collection: s.name,
      dimension: s.dimension,
      geometry: s.geometry,
      M: s.M,
      efConstruction: s.efConstruction,
      ef: s.ef,
    });
  }

  /** The collection's HVS, opened on first use and kept open (404 for a name the registry does not have). */
  async hvs(name: string): Promise<HVS> {
    const fixed = this.fixed.get(name);
    if (fixed) return fixed;
    const opened = this.open.get(name);
    if (opened) return opened;
    return this.exclusive(name, async () => {
      const again = this.open.get(name);
      if (again) return again;
      const settings = await this.get(name);
      const opening = this.openHvs(settings);
      this.open.set(name, opening);
      opening.catch(() => this.open.delete(name));
      return opening;
    });
  }

  /** The settings of a collection and how many vectors it holds (opening it if it is not). */
  async describe(name: string): Promise<CollectionSettings & { vectors: number }> {
    const settings = await this.get(name);
    const hvs = await this.hvs(name);
    return { ...settings, vectors: await hvs.count() };
  }

  /**
   * Deletes a collection: its HVS is closed, its vector and mail streams and its projection snapshots removed, and the
   * registry records the deletion. No other collection's stream is touched. `default` and the server's own are refused.
   */
  delete(name: string): Promise<void> {
    if (this.fixed.has(name)) throw new ProtectedCollectionError(name, this.reasons[name] ?? 'the server uses it');
    return this.exclusive(name, async () => {
      const { settings, revision } = await this.entry(name);
      if (!settings) throw new CollectionNotFoundError(name);
      const opened = this.open.get(name);
      this.open.delete(name);
      if (opened) await (await opened.catch(() => undefined))?.close();
      for (const names of [hvsNames(name), mailNames(name)]) await deleteStoreStream(this.registry.jsm, names);
      await rm(join(this.base.storagePath, 'projection', `${name}-${settings.geometry}-${settings.dimension}`), {
        recursive: true,
        force: true,
      });
      await this.registry.appendToStream(streamIds.registeredCollection(name), [{ type: 'CollectionDeleted', data: { name } }], {
        expectedRevision: revision,
      });
      this.log.info({ collection: name }, 'collection deleted');
    });
  }

  /** Closes the collections it opened (not the fixed ones: their opener closes them) and the registry. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(opened.map(async (p) => (await p).close()));
    await this.registry.close();
  }
}

function mismatch(existing: CollectionSettings, requested: CollectionSettings): HttpError {
  const err = new CollectionMismatchError(existing.name, existing, requested);
  const index = (s: CollectionSettings) => `M=${s.M} efConstruction=${s.efConstruction} ef=${s.ef}`;
  return new HttpError(
    409,
    err.code,
    `${err.message}${sameIndex(existing, requested) ? '' : ` (index: ${index(existing)}; asked: ${index(requested)})`}`,
  );
}

const sameIndex = (a: CollectionSettings, b: CollectionSettings) => a.M === b.M && a.efConstruction === b.efConstruction && a.ef === b.ef;
