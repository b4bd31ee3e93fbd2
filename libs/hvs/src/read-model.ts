// The HVS read side behind one interface: the in-process projection, or projector replicas over NATS request/reply.
import type { NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import type { Service } from '@nats-io/services';
import { isWireError, QueryService, requestQuery, type ProjectionRunner } from '@hvs-nvm/eventstore';
import { HVSError, InvalidArgumentError } from './errors.js';
import type { Filter } from './filter.js';
import { FilterCache, type CompiledFilter } from './filter-cache.js';
import type { SearchOptions as IndexSearchOptions } from '@hvs-nvm/vector-index';
import { allocFloat32 } from './slab.js';
import type { HVSProjection, ModelPresence } from './projection.js';
import { projectionQueue, projectionSubject, type Shard } from './shards.js';

export interface StoredVector {
  id: string;
  data: Float32Array;
  metadata: Record<string, unknown>;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ReadSearchOptions {
  filter?: Filter;
  ef?: number;
  exact?: boolean;
}

export interface ReadStats {
  position: number;
  vectors: number;
  models: number;
}

/** A search hit; its `data` belongs to the caller (a copy, never a view into the index). */
export interface SearchHit extends StoredVector {
  distance: number;
}

/** Every read takes `minPosition`: the answer reflects at least that position (read-your-writes). */
export interface ReadModel {
  get(ids: string[], minPosition: number): Promise<(StoredVector | undefined)[]>;
  search(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number): Promise<SearchHit[]>;
  /**
   * The same answer synchronously when it can be had without waiting (the in-process projection, already at
   * `minPosition`), else undefined: the caller then takes `search`. Throws what `search` would reject with.
   */
  searchNow?(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number): SearchHit[] | undefined;
  count(minPosition: number): Promise<number>;
  models(minPosition: number): Promise<ModelPresence[]>;
  /** Waits until the read side reflects the store's head as of now. */
  sync(): Promise<void>;
  stats(): Promise<ReadStats>;
}

/** Reads answered from the projection in this process. */
export class LocalReadModel implements ReadModel {
  /** Filters compiled by their JSON text: a query loop repeats its filter. */
  private readonly filters = new FilterCache();

  constructor(
    readonly view: HVSProjection,
    readonly runner: ProjectionRunner,
  ) {}

  private async at(minPosition: number): Promise<void> {
    if (minPosition <= this.runner.position) return;
    // A position past the head would be waited for as long as events keep arriving: refuse it instead.
    const head = await this.runner.headPosition();
    if (minPosition > head) {
      throw new InvalidArgumentError(`position ${minPosition} is beyond the head of the log (${head})`);
    }
    await this.runner.waitFor(minPosition);
  }

  private read(id: string): StoredVector | undefined {
    const index = this.view.index;
    const label = index.labelOf(id);
    if (label === undefined) return undefined;
    const data = allocFloat32(index.dimension);
    index.copyLabel(label, data, 0);
    const entry = this.view.entryAt(label);
    return { id, data, metadata: entry.metadata, createdAt: entry.createdAt };
  }

  async get(ids: string[], minPosition: number) {
    await this.at(minPosition);
    return ids.map((id) => this.read(id));
  }

  search(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number): Promise<SearchHit[]> {
    try {
      // Caught up (the usual case): answer without an extra async hop.
      const now = this.searchNow(query, k, options, minPosition);
      if (now) return Promise.resolve(now);
      const filter = options.filter === undefined ? undefined : this.filters.get(options.filter);
      return this.at(minPosition).then(() => this.answer(query, k, options, filter));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  searchNow(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number): SearchHit[] | undefined {
    // The filter is compiled (and refused when bad) before the position is looked at, as `search` does.
    const filter = options.filter === undefined ? undefined : this.filters.get(options.filter);
    if (minPosition > this.runner.position) return undefined;
    return this.answer(query, k, options, filter);
  }

  private answer(query: Float32Array, k: number, options: ReadSearchOptions, filter: CompiledFilter | undefined): SearchHit[] {
    const view = this.view;
    const index = view.index;
    const searchOptions: IndexSearchOptions = { vectors: allocFloat32 };
    if (filter) {
      const match = filter.match;
      searchOptions.labelFilter = (label: number) => match(view.metadataAt(label));
      // The payload index narrows the search to the slots the filter may match (all of them, exactly, when it can).
      const plan = filter.plan;
      if (plan.query.op !== 'all') {
        searchOptions.payload = plan.query;
        searchOptions.payloadExact = plan.exact;
      }
    }
    if (options.ef !== undefined) searchOptions.ef = options.ef;
    if (options.exact) searchOptions.exact = true;
    const hits = index.search(query, k, searchOptions);
    const out: SearchHit[] = new Array<SearchHit>(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      let data = h.data;
      if (!data) {
        // Scans and the hyperboloid search give no copies: take them here.
        data = allocFloat32(index.dimension);
        index.copyLabel(h.label, data, 0);
      }
      const entry = view.entryAt(h.label);
      out[i] = { id: h.id, data, metadata: entry.metadata, createdAt: entry.createdAt, distance: h.distance };
    }
    return out;
  }

  async count(minPosition: number) {
    await this.at(minPosition);
    return this.view.size;
  }

  async models(minPosition: number) {
    await this.at(minPosition);
    return [...this.view.models.values()].map((m) => ({ ...m }));
  }

  sync(): Promise<void> {
    return this.runner.sync();
  }

  async stats(): Promise<ReadStats> {
    return { position: this.runner.position, vectors: this.view.size, models: this.view.models.size };
  }
}

/** Reads answered by apps/projector replicas (a NATS micro service in a queue group). */
export class RemoteReadModel implements ReadModel {
  constructor(
    private readonly nc: NatsConnection,
    private readonly collection: string,
    private readonly timeoutMs = 10_000,
    /** One shard of a sharded collection (ShardedReadModel asks each). */
    private readonly shard?: Shard,
  ) {}

  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    const subject = projectionSubject(this.collection, op, this.shard);
    let reply: unknown;
    try {
      reply = await requestQuery(this.nc, subject, args, this.timeoutMs);
    } catch (err) {
      throw new HVSError('PROJECTOR_UNAVAILABLE', `no projector answered ${subject}: ${(err as Error).message}`, 503, { cause: err });
    }
    if (isWireError(reply)) throw new HVSError(reply.error.code, reply.error.message, reply.error.status);
    return reply as T;
  }

  async get(ids: string[], minPosition: number) {
    const r = await this.call<{ vectors: (StoredVector | null)[] }>('get', { ids, minPosition });
    return r.vectors.map((v) => v ?? undefined);
  }

  async search(query: Float32Array, k: number, options: ReadSearchOptions, minPosition: number) {
    const r = await this.call<{ hits: SearchHit[] }>('search', {
      query,
      k,
      ...options,
      minPosition,
    });
    return r.hits;
  }

  async count(minPosition: number) {
    return (await this.call<{ count: number }>('count', { minPosition })).count;
  }

  async models(minPosition: number) {
    const r = await this.call<{ models: { modelId: string; connectedAt: number; lastSeenAt: number }[] }>('models', {
      minPosition,
    });
    return r.models.map((m) => ({ modelId: m.modelId, connectedAt: new Date(m.connectedAt), lastSeenAt: new Date(m.lastSeenAt) }));
  }

  async sync(): Promise<void> {
    await this.call('sync', {});
  }

  stats(): Promise<ReadStats> {
    return this.call<ReadStats>('stats', {});
  }
}

/** Serves a read model as the `hvs-projector` NATS micro service; replicas share the load in one queue group. */
export async function serveReadModel(
  nc: NatsConnection,
  collection: string,
  reads: ReadModel,
  options: { name?: string; version?: string; shard?: Shard } = {},
): Promise<Service> {
  const shard = options.shard;
  const service = await QueryService.add(nc, {
    name: options.name ?? 'hvs-projector',
    ...(options.version ? { version: options.version } : {}),
    description: `HVS projection of collection ${collection}${shard ? `, shard ${shard.index}/${shard.count}` : ''}`,
    queue: projectionQueue(collection, shard),
  });
  // Requests come from other processes: every argument is checked before it reaches the read model.
  const handle = <S extends z.ZodType>(op: string, schema: S, fn: (args: z.output<S>) => Promise<unknown>) =>
    service.endpoint(op, projectionSubject(collection, op, shard), async (raw) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new InvalidArgumentError(`bad ${op} request: ${z.prettifyError(parsed.error)}`);
      return fn(parsed.data);
    });
  const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0);
  const Positioned = z.object({ minPosition: position });
  handle('get', z.object({ ids: z.array(z.string()).max(100_000), minPosition: position }), async (a) => ({
    vectors: (await reads.get(a.ids, a.minPosition)).map((v) => v ?? null),
  }));
  handle(
    'search',
    z.object({
      query: z.instanceof(Float32Array, { message: 'search needs a float32 query' }),
      k: z.number().int().min(1).max(10_000),
      filter: z.unknown().optional(),
      ef: z.number().int().min(1).max(4096).optional(),
      exact: z.boolean().optional(),
      minPosition: position,
    }),
    async (a) => {
      const opts: ReadSearchOptions = {
        ...(a.filter !== undefined ? { filter: a.filter as Filter } : {}),
        ...(a.ef !== undefined ? { ef: a.ef } : {}),
        ...(a.exact ? { exact: true } : {}),
      };
      return { hits: await reads.search(a.query, a.k, opts, a.minPosition) };
    },
  );
  handle('count', Positioned, async (a) => ({ count: await reads.count(a.minPosition) }));
  handle('models', Positioned, async (a) => ({
    models: (await reads.models(a.minPosition)).map((m) => ({
      modelId: m.modelId,
      connectedAt: m.connectedAt.getTime(),
      lastSeenAt: m.lastSeenAt.getTime(),
    })),
  }));
  handle('sync', z.unknown(), async () => {
    await reads.sync();
    return {};
  });
  handle('stats', z.unknown(), () => reads.stats());
  return service.service;
}
