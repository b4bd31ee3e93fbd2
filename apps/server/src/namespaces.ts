// The server's NVM namespaces: a registry (an event-sourced stream of NamespaceCreated / NamespaceDeleted), each
// namespace's NVM opened on first use and kept open, its as-of views, and deletion of a namespace's stream.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { namespaceRegistryNames, nvmNames, streamIds } from '@hvs-nvm/events';
import { deleteStoreStream, WrongExpectedVersionError, type AsOf, type NatsConnectionOptions } from '@hvs-nvm/eventstore';
import type { Encoder } from '@hvs-nvm/encoders';
import { NVM } from '@hvs-nvm/nvm';
import { createLogger } from '@hvs-nvm/runtime';
import type { z } from 'zod';
import { AsOfViews } from './as-of-views.js';
import { HttpError } from './problem.js';
import { Registry, type RegistryKind } from './registry.js';

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

const NAMESPACES: RegistryKind = {
  created: 'NamespaceCreated',
  deleted: 'NamespaceDeleted',
  streamId: streamIds.registeredNamespace,
  all: streamIds.registeredNamespaces,
};

export class Namespaces {
  private readonly log = createLogger('namespaces');
  private readonly views = new Map<string, AsOfViews<NVM, NVM>>();
  private closed = false;

  private constructor(
    private readonly registry: Registry<{ name: string }, NVM>,
    private readonly options: NamespacesOptions,
  ) {}

  /** Opens the registry on the first fixed NVM's connection and records the fixed namespaces in it if they are not. */
  static async open(options: NamespacesOptions): Promise<Namespaces> {
    const first = Object.values(options.fixed)[0];
    if (!first) throw new Error('Namespaces.open needs at least one NVM');
    const registry = await Registry.openBeside<{ name: string }, NVM>(first.eventStore, namespaceRegistryNames(), NAMESPACES);
    const namespaces = new Namespaces(registry, { ...options, storagePath: resolve(options.storagePath) });
    for (const name of Object.keys(options.fixed)) {
      const { settings, revision } = await registry.entry(name);
      if (!settings) await registry.recordCreated({ name }, revision);
    }
    return namespaces;
  }

  /** The names of every namespace in the registry, sorted. */
  async list(): Promise<string[]> {
    return (await this.registry.list()).map((n) => n.name);
  }

  /** Whether the registry has the namespace (404 if not). */
  async assertExists(name: string): Promise<void> {
    if (this.options.fixed[name]) return;
    if (!(await this.registry.entry(name)).settings) throw new NamespaceNotFoundError(name);
  }

  /**
   * Creates a namespace (its stream NVM_<name>), or finds it (`created: false`). A namespace the library made on the
   * same server (an NVM stream without a registry entry) is adopted as it is.
   */
  create(name: string): Promise<{ name: string; created: boolean }> {
    return this.registry.exclusive(name, async () => {
      const { settings, revision } = await this.registry.entry(name);
      if (settings || this.options.fixed[name]) return { name, created: false };
      this.registry.keep(name, await this.openNvm(name));
      try {
        await this.registry.recordCreated({ name }, revision);
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
    return this.registry.client(name, async () => {
      await this.assertExists(name);
      return this.openNvm(name);
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
    return this.registry.exclusive(name, async () => {
      const { settings, revision } = await this.registry.entry(name);
      if (!settings) throw new NamespaceNotFoundError(name);
      const first = Object.values(this.options.fixed)[0]!;
      if ((await first.forks()).some((f) => f.name === name)) {
        throw new ProtectedNamespaceError(name, 'it is a fork (DELETE /v1/forks/{name} deletes it with its record)');
      }
      await this.registry.forget(name);
      const views = this.views.get(name);
      this.views.delete(name);
      await views?.close();
      await deleteStoreStream(this.registry.store.jsm, nvmNames(name));
      const dir = join(this.options.storagePath, 'projection', `nvm-${name}`);
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}.history`, { recursive: true, force: true });
      await this.registry.recordDeleted(name, revision);
      this.log.info({ namespace: name }, 'namespace deleted');
    });
  }

  /** Closes the namespaces it opened and their views (not the fixed ones: their opener closes them) and the registry. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const views = [...this.views.values()];
    this.views.clear();
    await Promise.allSettled(views.map((v) => v.close()));
    await this.registry.close();
  }
}
