// One event-sourced registry of named things the server opens on demand (collections, namespaces): a `…Created` /
// `…Deleted` event per name in a registry stream, the client of each name opened on first use and kept open, and
// create, open and delete of one name serialised, so a delete never races a lazy open into recreating it.
import type { StoreNames } from '@hvs-nvm/events';
import { EventStore, type AnyNewEvent, type RecordedEvent } from '@hvs-nvm/eventstore';

/** What tells one kind of entry from another: its event types and where its streams live in the registry. */
export interface RegistryKind {
  created: AnyNewEvent['type'];
  deleted: AnyNewEvent['type'];
  /** The registry stream of one name (`coll.<name>`). */
  streamId: (name: string) => string;
  /** The subject filter over every name's stream (`coll.>`). */
  all: string;
}

/** The registry's view of one name's stream: what its last creation recorded while it exists, and the stream's revision. */
export interface RegistryEntry<S> {
  settings?: S;
  revision: number;
}

export function foldEntry<S>(kind: RegistryKind, events: Pick<RecordedEvent, 'type' | 'data' | 'revision'>[]): RegistryEntry<S> {
  let settings: S | undefined;
  for (const e of events) {
    if (e.type === kind.created) settings = e.data as S;
    else if (e.type === kind.deleted) settings = undefined;
  }
  return { ...(settings ? { settings } : {}), revision: events.at(-1)?.revision ?? -1 };
}

export class Registry<S extends { name: string }, C extends { close(): Promise<void> }> {
  private readonly opened = new Map<string, Promise<C>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: EventStore,
    private readonly kind: RegistryKind,
  ) {}

  /** Opens the registry stream `names` on `beside`'s connection, with as many replicas as `beside`'s own stream. */
  static async openBeside<S extends { name: string }, C extends { close(): Promise<void> }>(
    beside: EventStore,
    names: StoreNames,
    kind: RegistryKind,
  ): Promise<Registry<S, C>> {
    // A cluster's NATS_URL with HVS_NVM_REPLICAS gives the stores' streams several replicas: the registry gets as many.
    const replicas = (await beside.jsm.streams.info(beside.names.stream)).config.num_replicas;
    return new Registry<S, C>(await EventStore.open(beside.nc, { names, replicas }), kind);
  }

  async entry(name: string): Promise<RegistryEntry<S>> {
    return foldEntry<S>(this.kind, await this.store.readStream(this.kind.streamId(name)));
  }

  /** Appends the creation of `settings.name` at `revision` (-1: the stream's first event). */
  async recordCreated(settings: S, revision: number): Promise<void> {
    await this.append(settings.name, this.kind.created, settings, revision < 0 ? 'no_stream' : revision);
  }

  async recordDeleted(name: string, revision: number): Promise<void> {
    await this.append(name, this.kind.deleted, { name }, revision);
  }

  private async append(name: string, type: AnyNewEvent['type'], data: unknown, expectedRevision: number | 'no_stream') {
    await this.store.appendToStream(this.kind.streamId(name), [{ type, data } as AnyNewEvent], { expectedRevision });
  }

  /** Every name that exists, with what its creation recorded, sorted by name. */
  async list(): Promise<S[]> {
    const events = new Map<string, RecordedEvent[]>();
    for await (const e of this.store.readAll({ filter: this.kind.all })) {
      const name = (e.data as { name?: unknown }).name;
      if (typeof name !== 'string') continue;
      events.set(name, [...(events.get(name) ?? []), e]);
    }
    return [...events.values()]
      .map((es) => foldEntry<S>(this.kind, es).settings)
      .filter((s): s is S => s !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Runs `fn` after every earlier create, open or delete of `name` has settled. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(name) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    return run;
  }

  /** Keeps a client the caller opened (a create opens it before recording). */
  keep(name: string, client: C): void {
    this.opened.set(name, Promise.resolve(client));
  }

  /** The name's client, opened by `open` on first use (which throws for a name that does not exist) and kept. */
  async client(name: string, open: () => Promise<C>): Promise<C> {
    const opened = this.opened.get(name);
    if (opened) return opened;
    return this.exclusive(name, async () => {
      const again = this.opened.get(name);
      if (again) return again;
      const opening = open();
      this.opened.set(name, opening);
      opening.catch(() => this.opened.delete(name));
      return opening;
    });
  }

  /** Closes and forgets the name's client, if one was opened. */
  async forget(name: string): Promise<void> {
    const opened = this.opened.get(name);
    this.opened.delete(name);
    if (opened) await (await opened.catch(() => undefined))?.close();
  }

  /** Closes every client it opened and the registry's event store. */
  async close(): Promise<void> {
    const opened = [...this.opened.values()];
    this.opened.clear();
    await Promise.allSettled(opened.map(async (p) => (await p).close()));
    await this.store.close();
  }
}
