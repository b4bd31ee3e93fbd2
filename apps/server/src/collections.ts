// The server's collections: a registry (an event-sourced stream of CollectionCreated / CollectionDeleted), each
// collection's HVS opened on first use and kept open, and deletion of a collection's streams.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectionRegistryNames, hvsNames, mailNames, streamIds, type EventData } from '@hvs-nvm/events';
import { deleteStoreStream, WrongExpectedVersionError } from '@hvs-nvm/eventstore';
import { CollectionMismatchError, HVS, InvalidArgumentError, type HVSOptions } from '@hvs-nvm/hvs';
import { createLogger } from '@hvs-nvm/runtime';
import { CollectionReads, type CollectionRead } from './collection-reads.js';
import { HttpError } from './problem.js';
import { Registry, type RegistryKind } from './registry.js';

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
  /**
   * Where the collections opened through the registry are read (default: an in-process projection of each):
   * `CollectionReads.parse({ projection: 'remote', shards: '3' })` reads them from apps/projector shards.
   */
  reads?: CollectionReads;
}

const COLLECTIONS: RegistryKind = {
  created: 'CollectionCreated',
  deleted: 'CollectionDeleted',
  streamId: streamIds.registeredCollection,
  all: streamIds.registeredCollections,
};

export class Collections {
  private readonly log = createLogger('collections');
  private readonly fixed = new Map<string, HVS>();
  private closed = false;

  private constructor(
    private readonly registry: Registry<CollectionSettings, HVS>,
    /** Where and how the lazily opened collections connect: as the first fixed one. */
    private readonly base: HVSOptions & { storagePath: string },
    private readonly reasons: Record<string, string>,
    private readonly reads: CollectionReads,
  ) {}

  /** Opens the registry on the first fixed HVS's connection and records the fixed collections in it if they are not. */
  static async open(options: CollectionsOptions): Promise<Collections> {
    const first = options.fixed[0];
    if (!first) throw new Error('Collections.open needs at least one HVS');
    const reads = options.reads ?? CollectionReads.LOCAL;
    const own = [...options.fixed.map((h) => h.options.collection), ...Object.keys(options.aliases ?? {})];
    const pinned = reads.named().find((name) => own.includes(name));
    if (pinned !== undefined) {
      throw new InvalidArgumentError(`shards: collection '${pinned}' is the server's own, read in-process; it cannot be sharded`);
    }
    const registry = await Registry.openBeside<CollectionSettings, HVS>(first.eventStore, collectionRegistryNames(), COLLECTIONS);
    const base = { ...first.natsConnectionOptions(), storagePath: resolve(first.options.storagePath), actor: first.options.actor };
    const collections = new Collections(registry, base, options.reasons ?? {}, reads);
    for (const [name, hvs] of Object.entries(options.aliases ?? {})) collections.fixed.set(name, hvs);
    for (const hvs of options.fixed) {
      collections.fixed.set(hvs.options.collection, hvs);
      const { settings, revision } = await registry.entry(hvs.options.collection);
      if (!settings) await registry.recordCreated(settingsOf(hvs), revision);
    }
    return collections;
  }

  /** Every collection in the registry, by name. */
  list(): Promise<CollectionSettings[]> {
    return this.registry.list();
  }

  /** One collection's settings (404 if there is none by that name). */
  async get(name: string): Promise<CollectionSettings> {
    const { settings } = await this.registry.entry(name);
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
    return this.registry.exclusive(wanted.name, async () => {
      const { settings, revision } = await this.registry.entry(wanted.name);
      if (settings) {
        if (!sameShape(settings, wanted)) throw mismatch(settings, wanted);
        return { created: false, collection: settings };
      }
      // The HVS streams decide dimension and geometry (CollectionMismatchError, 409); then the registry records it.
      this.registry.keep(wanted.name, await this.openHvs(wanted));
      try {
        await this.registry.recordCreated(wanted, revision);
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

  /** Where the collections opened through the registry are read, as the server was started (`--projection`, `--shards`). */
  readSettings(): ReturnType<CollectionReads['describe']> {
    return this.reads.describe();
  }

  /** How a collection opened through the registry is read: in-process, or from its projector shards. */
  readOf(name: string): CollectionRead {
    const fixed = this.fixed.get(name);
    return fixed ? { projection: fixed.options.projection, shards: fixed.options.shards } : this.reads.of(name);
  }

  private openHvs(s: CollectionSettings): Promise<HVS> {
    const read = this.reads.of(s.name);
    return HVS.open({
      ...this.base,
      collection: s.name,
      dimension: s.dimension,
      geometry: s.geometry,
      M: s.M,
      efConstruction: s.efConstruction,
      ef: s.ef,
      ...(read.projection === 'remote' ? { projection: 'remote' as const, shards: read.shards } : {}),
    });
  }

  /** The collection's HVS, opened on first use and kept open (404 for a name the registry does not have). */
  async hvs(name: string): Promise<HVS> {
    const fixed = this.fixed.get(name);
    if (fixed) return fixed;
    return this.registry.client(name, async () => this.openHvs(await this.get(name)));
  }

  /** The settings of a collection and how many vectors it holds (opening it if it is not). */
  async describe(name: string): Promise<CollectionSettings & CollectionRead & { vectors: number }> {
    const settings = await this.get(name);
    const hvs = await this.hvs(name);
    return { ...settings, vectors: await hvs.count(), ...this.readOf(name) };
  }

  /**
   * Deletes a collection: its HVS is closed, its vector and mail streams and its projection snapshots removed, and the
   * registry records the deletion. No other collection's stream is touched. `default` and the server's own are refused.
   */
  delete(name: string): Promise<void> {
    if (this.fixed.has(name)) throw new ProtectedCollectionError(name, this.reasons[name] ?? 'the server uses it');
    return this.registry.exclusive(name, async () => {
      const { settings, revision } = await this.registry.entry(name);
      if (!settings) throw new CollectionNotFoundError(name);
      await this.registry.forget(name);
      for (const names of [hvsNames(name), mailNames(name)]) await deleteStoreStream(this.registry.store.jsm, names);
      await rm(join(this.base.storagePath, 'projection', `${name}-${settings.geometry}-${settings.dimension}`), {
        recursive: true,
        force: true,
      });
      await this.registry.recordDeleted(name, revision);
      this.log.info({ collection: name }, 'collection deleted');
    });
  }

  /** Closes the collections it opened (not the fixed ones: their opener closes them) and the registry. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
