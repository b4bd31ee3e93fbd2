// The server's NVM namespaces: a registry (an event-sourced stream of NamespaceCreated / NamespaceDeleted), each
// namespace's NVM opened on first use and kept open, its as-of views, and deletion of a namespace's stream.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { namespaceRegistryNames, nvmNames, streamIds } from '@hvs-nvm/events';
import { deleteStoreStream, EventStore, WrongExpectedVersionError, type AsOf, type NatsConnectionOptions } from '@hvs-nvm/eventstore';
import type { Encoder } from '@hvs-nvm/encoders';
import { NVM } from '@hvs-nvm/nvm';
import { createLogger } from '@hvs-nvm/runtime';
import type { z } from 'zod';
import { AsOfViews } from './as-of-views.js';
import { HttpError } from './problem.js';

/** The namespace the block routes without a namespace in their path use. */
export const DEFAULT_NAMESPACE = 'default';

export class NamespaceNotFoundError extends HttpError {
  constructor(name: string) {
    super(404, 'NAMESPACE_NOT_FOUND', `no namespace named '${name}'`);
  }
}

/** `default` (the memory store's, the unscoped block routes') and forks are not deleted over the namespace routes. */
export class ProtectedNamespaceError extends HttpError {
  constructor(name: string, why: string) {
    super(409, 'NAMESPACE_PROTECTED', `namespace '${name}' cannot be deleted: ${why}`);
  }
}

/** Whether the registry's stream of one namespace ends in its creation, and the stream's revision. */
function fold(events: { type: string; revision: number }[]): { exists: boolean; revision: number } {
  let exists = false;
  for (const e of events) {
    if (e.type === 'NamespaceCreated') exists = true;
    else if (e.type === 'NamespaceDeleted') exists = false;
  }
  return { exists, revision: events.at(-1)?.revision ?? -1 };
}

export interface NamespacesOptions {
  /** NVM clients the server opened itself, by the name the routes give them (`default`): used as they are, never deleted. */
  fixed: Record<string, NVM>;
  /** Why each fixed namespace is protected (shown in the 409). */
  reasons?: Record<string, string>;
  /** Where the lazily opened namespaces keep their block-view checkpoints (the fixed ones' storage path). */
  storagePath: string;
  /** How they reach JetStream: as the fixed ones (HVS.natsConnectionOptions() of the same server). */
  connection: z.input<typeof NatsConnectionOptions>;
  /** The encoder their semantic queries use (the server's). */
  encoder: Encoder;
}

export class Namespaces {
  private readonly log = createLogger('namespaces');
  private readonly open = new Map<string, Promise<NVM>>();
  private readonly views = new Map<string, AsOfViews<NVM, NVM>>();
  /** Create, open and delete of one name run one at a time, so a delete never races a lazy open into recreating it. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly registry: EventStore,
    private readonly options: NamespacesOptions,
  ) {}

  /** Opens the registry on the first fixed NVM's connection and records the fixed namespaces in it if they are not. */
  static async open(options: NamespacesOptions): Promise<Namespaces> {
    const first = Object.values(options.fixed)[0];
    if (!first) throw new Error('Namespaces.open needs at least one NVM');
    // As many replicas as the namespaces' own streams (a cluster's NATS_URL with HVS_NVM_REPLICAS, or 1).
    const { eventStore } = first;
    const replicas = (await eventStore.jsm.streams.info(eventStore.names.stream)).config.num_replicas;
    const registry = await EventStore.open(eventStore.nc, { names: namespaceRegistryNames(), replicas });
    const namespaces = new Namespaces(registry, { ...options, storagePath: resolve(options.storagePath) });
    for (const name of Object.keys(options.fixed)) {
      const { exists, revision } = await namespaces.entry(name);
      if (!exists) await namespaces.record(name, revision);
    }
    return namespaces;
  }

  private async entry(name: string) {
    return fold(await this.registry.readStream(streamIds.registeredNamespace(name)));
  }

  private async record(name: string, revision: number): Promise<void> {
    await this.registry.appendToStream(streamIds.registeredNamespace(name), [{ type: 'NamespaceCreated', data: { name } }], {
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

  /** The names of every namespace in the registry, sorted. */
  async list(): Promise<string[]> {
    const events = new Map<string, { type: string; revision: number }[]>();
    for await (const e of this.registry.readAll({ filter: streamIds.registeredNamespaces })) {
      const name = (e.data as { name?: string }).name;
      if (typeof name !== 'string') continue;
      events.set(name, [...(events.get(name) ?? []), e]);
    }
    return [...events.entries()]
      .filter(([, es]) => fold(es).exists)
      .map(([name]) => name)
      .sort((a, b) => a.localeCompare(b));
  }

  /** Whether the registry has the namespace (404 if not). */
  async assertExists(name: string): Promise<void> {
    if (this.options.fixed[name]) return;
    if (!(await this.entry(name)).exists) throw new NamespaceNotFoundError(name);
  }

  /**
   * Creates a namespace (its stream NVM_<name>), or finds it (`created: false`). A namespace the library made on the
   * same server (an NVM stream without a registry entry) is adopted as it is.
   */
  create(name: string): Promise<{ name: string; created: boolean }> {
    return this.exclusive(name, async () => {
      const { exists, revision } = await this.entry(name);
      if (exists || this.options.fixed[name]) return { name, created: false };
      const nvm = await this.openNvm(name);
      this.open.set(name, Promise.resolve(nvm));
      try {
        await this.record(name, revision);
      } catch (err) {
        // Another writer registered it meanwhile: it exists.
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        return { name, created: false };
      }
      this.log.info({ namespace: name }, 'namespace created');
      return { name, created: true };
    });
  }

  private openNvm(name: string, asOf?: AsOf): Promise<NVM> {
    const { storagePath, connection, encoder } = this.options;
    return NVM.open({ storagePath, ...connection, encoder, namespace: name, ...(asOf ? { asOf } : {}) });
  }

  /** The namespace's NVM, opened on first use and kept open (404 for a name the registry does not have). */
  async nvm(name: string): Promise<NVM> {
    const fixed = this.options.fixed[name];
    if (fixed) return fixed;
    const opened = this.open.get(name);
    if (opened) return opened;
    return this.exclusive(name, async () => {
      const again = this.open.get(name);
      if (again) return again;
      await this.assertExists(name);
      const opening = this.openNvm(name);
      this.open.set(name, opening);
      opening.catch(() => this.open.delete(name));
      return opening;
    });
  }

  /**
   * The namespace as it was at `asOf` (a time, or a cut whose `nvm` is a position in this namespace's own log): a
   * read-only NVM, kept open for a few minutes like the world's views.
   */
  async viewAt(name: string, asOf: AsOf): Promise<NVM> {
    if (!(asOf instanceof Date) && asOf.nvm === undefined) {
      throw new HttpError(400, 'INVALID_AS_OF', `a namespace's as-of cut names a position in its own log: nvm:<position>`);
    }
    await this.nvm(name);
    let views = this.views.get(name);
    if (!views) {
      // The view is what callers use (closing an NVM twice is a no-op).
      views = new AsOfViews<NVM, NVM>({ viewAt: (point) => this.openNvm(name, point) }, (nvm) => nvm);
      this.views.set(name, views);
    }
    return views.at(asOf);
  }

  /**
   * Deletes a namespace: its NVM and views are closed, its stream NVM_<name> (blocks, names, facts) and block-view
   * checkpoints removed, and the registry records the deletion. No other namespace's stream is touched. `default`,
   * the server's own and forks (DELETE /v1/forks/{name}) are refused.
   */
  delete(name: string): Promise<void> {
    if (this.options.fixed[name]) {
      throw new ProtectedNamespaceError(name, this.options.reasons?.[name] ?? 'the server uses it');
    }
    return this.exclusive(name, async () => {
      const { exists, revision } = await this.entry(name);
      if (!exists) throw new NamespaceNotFoundError(name);
      const first = Object.values(this.options.fixed)[0]!;
      if ((await first.forks()).some((f) => f.name === name)) {
        throw new ProtectedNamespaceError(name, 'it is a fork (DELETE /v1/forks/{name} deletes it with its record)');
      }
      const opened = this.open.get(name);
      this.open.delete(name);
      if (opened) await (await opened.catch(() => undefined))?.close();
      const views = this.views.get(name);
      this.views.delete(name);
      await views?.close();
      await deleteStoreStream(this.registry.jsm, nvmNames(name));
      const dir = join(this.options.storagePath, 'projection', `nvm-${name}`);
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}.history`, { recursive: true, force: true });
      await this.registry.appendToStream(streamIds.registeredNamespace(name), [{ type: 'NamespaceDeleted', data: { name } }], {
        expectedRevision: revision,
      });
      this.log.info({ namespace: name }, 'namespace deleted');
    });
  }

  /** Closes the namespaces it opened and their views (not the fixed ones: their opener closes them) and the registry. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = [...this.open.values()];
    this.open.clear();
    const views = [...this.views.values()];
    this.views.clear();
    await Promise.allSettled(views.map((v) => v.close()));
    await Promise.allSettled(opened.map(async (p) => (await p).close()));
    await this.registry.close();
  }
}
