// Where the collections the server opens through its registry (`/v1/collections/{name}/…`) are read: an in-process
// projection of each (the default), or apps/projector processes over NATS — each collection whole, or sharded over N
// projector shards (`apps/projector --shard i/N`), whose answers the server merges. A setting of the server's process,
// like the projector deployment it names: the log records what a collection is, not where it is read.
import { InvalidArgumentError, MAX_SHARDS } from '@hvs-nvm/hvs';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';

export type ProjectionPlace = 'local' | 'remote';

export interface CollectionReadsInput {
  /** `remote`: read from apps/projector processes (default `local`: the server's own projection). */
  projection?: ProjectionPlace;
  /** With `projection: 'remote'`: `N` (every collection), `name=N,…`, or both (`2,big=8`); see parseShardSpec. */
  shards?: string;
}

/** How one collection opened through the registry is read. */
export interface CollectionRead {
  projection: ProjectionPlace;
  /** Projector shards the collection is split over (1: unsharded). */
  shards: number;
}

export class CollectionReads {
  private constructor(
    readonly projection: ProjectionPlace,
    /** Shards of a collection the spec does not name. */
    private readonly fallback: number,
    private readonly byName: ReadonlyMap<string, number>,
  ) {}

  static readonly LOCAL = new CollectionReads('local', 1, new Map());

  /** Checks the settings (InvalidArgumentError for a bad spec, or shards without the remote projection). */
  static parse(input: CollectionReadsInput = {}): CollectionReads {
    const projection = input.projection ?? 'local';
    if (projection !== 'local' && projection !== 'remote') {
      throw new InvalidArgumentError(`projection must be 'local' or 'remote', got '${String(projection)}'`);
    }
    if (input.shards === undefined) return projection === 'local' ? CollectionReads.LOCAL : new CollectionReads('remote', 1, new Map());
    const { fallback, byName } = parseShardSpec(input.shards);
    if (projection !== 'remote' && (fallback > 1 || [...byName.values()].some((n) => n > 1))) {
      throw new InvalidArgumentError("shards: a sharded collection is read through its projector shards (projection 'remote')");
    }
    return new CollectionReads(projection, fallback, byName);
  }

  /** How `name` is read. */
  of(name: string): CollectionRead {
    return { projection: this.projection, shards: this.byName.get(name) ?? this.fallback };
  }

  /** The collections the spec names: the server refuses one it opens in-process itself (default, memory). */
  named(): string[] {
    return [...this.byName.keys()];
  }

  /** The settings as given back (`start`'s listening line): the place, the default shard count and the named ones. */
  describe(): { projection: ProjectionPlace; shards: number; collections: Record<string, number> } {
    return { projection: this.projection, shards: this.fallback, collections: Object.fromEntries(this.byName) };
  }
}

function shardCount(text: string, what: string): number {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_SHARDS)) throw new InvalidArgumentError(`${what}: '${text}' is not a shard count 1..${MAX_SHARDS}`);
  return n;
}

/**
 * `N`, `name=N[,name=N…]`, or both (`2,big=8`): the shard count of every collection, and of named ones. A bare count
 * at most once, a name at most once, names as collections are named.
 */
export function parseShardSpec(spec: string): { fallback: number; byName: Map<string, number> } {
  let fallback: number | undefined;
  const byName = new Map<string, number>();
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.some((p) => p === ''))
    throw new InvalidArgumentError(`shards '${spec}': an empty item (expected N or name=N, comma-separated)`);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (fallback !== undefined) throw new InvalidArgumentError(`shards '${spec}': more than one shard count without a collection name`);
      fallback = shardCount(part, `shards '${spec}'`);
      continue;
    }
    const name = part.slice(0, eq);
    if (!NAMESPACE_PATTERN.test(name)) throw new InvalidArgumentError(`shards '${spec}': '${name}' is not a collection name`);
    if (byName.has(name)) throw new InvalidArgumentError(`shards '${spec}': collection '${name}' is named twice`);
    byName.set(name, shardCount(part.slice(eq + 1), `shards '${spec}' for '${name}'`));
  }
  return { fallback: fallback ?? 1, byName };
}
