// The vectors of one HVS: writes (store, batch store, delete) appended to the log, and reads (retrieve, search,
// count) from the read model through the client cache.
import { randomUUID } from 'node:crypto';
import { streamIds } from '@hvs-nvm/events';
import { NewStreamsConflictError, WrongExpectedVersionError } from '@hvs-nvm/eventstore';
import { optionsObject, validateId, validateMetadata } from './arguments.js';
import { InvalidArgumentError, VectorNotFoundError } from './errors.js';
import { compileFilter } from './filter.js';
import { score as scoreOf, toVector, type VectorInput } from './geometry.js';
import type { ReadSearchOptions, SearchHit, StoredVector } from './read-model.js';
import type { BatchItem, SearchOptions, SearchResult, VectorRecord } from './records.js';
import { refuseReservedMetadata } from './reserved-metadata.js';
import type { HvsSession } from './session.js';
import { copyFloat32 } from './slab.js';

/** The options of a search that has none (shared: the read model only reads them). */
const NO_READ_OPTIONS: ReadSearchOptions = Object.freeze({});

/** Largest number of publishes in flight in one batch round. */
const BATCH_CHUNK = 4096;

export class Vectors {
  constructor(private readonly session: HvsSession) {}

  // ---- writes -------------------------------------------------------------------------------------

  async storeItems(items: BatchItem[], reservedAllowed: boolean): Promise<string[]> {
    this.session.assertOpen();
    if (!Array.isArray(items)) throw new InvalidArgumentError('batchStoreVectors takes an array of { vector, metadata?, id? }');
    const { dimension, geometry, maxMetadataBytes } = this.session.options;
    const prepared = items.map((item, i) => {
      if (!item || typeof item !== 'object') throw new InvalidArgumentError(`item ${i} is not an object`);
      const id = item.id === undefined ? randomUUID() : validateId(item.id);
      const metadata = validateMetadata(item.metadata, maxMetadataBytes);
      if (!reservedAllowed) refuseReservedMetadata(metadata, i);
      return { id, vector: toVector(item.vector, dimension, geometry), metadata, fresh: item.id === undefined };
    });
    const seen = new Set<string>();
    for (const p of prepared) {
      if (seen.has(p.id)) throw new InvalidArgumentError(`id '${p.id}' appears twice in one batch`);
      seen.add(p.id);
    }
    try {
      for (let start = 0; start < prepared.length; start += BATCH_CHUNK) {
        const chunk = prepared.slice(start, start + BATCH_CHUNK);
        // Ids the caller chose may already exist (an upsert): those go on their stream's tip. The log decides, not
        // a read of the projection (which would wait for it to apply the previous chunk, and serialise ingest):
        // every id is first appended as a new stream, and JetStream refuses the ones that exist. The local view,
        // without waiting, only spares a refused publish for ids it already holds.
        const view = this.session.local?.view.index;
        const known = view ? chunk.filter((p) => !p.fresh && view.has(p.id)) : [];
        const fresh = view ? chunk.filter((p) => p.fresh || !view.has(p.id)) : chunk;
        const event = (p: (typeof prepared)[number]) => ({
          type: 'VectorStored' as const,
          data: { id: p.id, vector: p.vector, metadata: p.metadata },
        });
        try {
          const results = await this.session.store.appendNewStreams(
            fresh.map((p) => ({ streamId: streamIds.vector(p.id), event: event(p) })),
          );
          for (const r of results) this.session.noteWrite(r.position);
        } catch (err) {
          // Some ids have a stream already (another writer's, or a deleted vector's): those, and only those, go
          // again on their stream's tip; the rest are in the log.
          if (!(err instanceof NewStreamsConflictError)) throw err;
          for (const r of err.results) if (r) this.session.noteWrite(r.position);
          for (const i of err.conflicts) known.push(fresh[i]!);
        }
        const updates = await Promise.all(
          known.map((p) => this.session.store.appendToStream(streamIds.vector(p.id), [event(p)], { expectedRevision: 'any' })),
        );
        for (const r of updates) this.session.noteWrite(r.position);
      }
    } catch (err) {
      this.session.wrap(err);
    } finally {
      // Our own writes evict at once; others' evict when the projection (or the subject feed) sees them.
      for (const p of prepared) this.session.cache.delete(p.id);
    }
    return prepared.map((p) => p.id);
  }

  /**
   * Deletes a vector. Resolves true if it existed. Decided on the vector's stream in the log, not on this client's
   * view, so a vector another client stored a moment ago is deleted too; a concurrent write makes it try again.
   */
  async deleteVector(id: string): Promise<boolean> {
    validateId(id);
    this.session.assertOpen();
    try {
      for (let attempt = 0; ; attempt++) {
        const last = await this.session.store.lastEvent(streamIds.vector(id));
        if (!last || last.type !== 'VectorStored') return false;
        try {
          const r = await this.session.store.appendToStream(streamIds.vector(id), [{ type: 'VectorDeleted', data: { id } }], {
            expectedRevision: last.revision,
          });
          this.session.noteWrite(r.position);
          return true;
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError) || attempt >= 5) throw err;
        }
      }
    } catch (err) {
      this.session.wrap(err);
    } finally {
      this.session.cache.delete(id);
    }
  }

  // ---- reads --------------------------------------------------------------------------------------

  /** Read models hand over data of the caller's own (a copy, or decoded from a reply): no copy here. */
  private toRecord(v: StoredVector): VectorRecord {
    return { id: v.id, data: v.data, metadata: v.metadata, createdAt: new Date(v.createdAt) };
  }

  /** Records for ids, from the cache where it has them, else from the read model (then cached). */
  private async records(ids: string[]): Promise<(VectorRecord | undefined)[]> {
    this.session.assertOpen();
    const out: (VectorRecord | undefined)[] = ids.map((id) => this.session.cache.get(id));
    const missing = ids.filter((_, i) => !out[i]);
    if (missing.length === 0) return out;
    const fetched = new Map<string, VectorRecord>();
    for (const v of await this.session.reads.get(missing, this.session.lastWrite)) {
      if (!v) continue;
      const rec = this.toRecord(v);
      fetched.set(v.id, rec);
      this.session.cache.set(v.id, rec);
    }
    return out.map((r, i) => r ?? fetched.get(ids[i]!));
  }

  /** Callers get their own vector (metadata is frozen by the projection, so it can be shared). */
  private copy(rec: VectorRecord): VectorRecord {
    return { id: rec.id, data: copyFloat32(rec.data), metadata: rec.metadata, createdAt: rec.createdAt };
  }

  async retrieveVector(id: string): Promise<VectorRecord> {
    validateId(id);
    const [rec] = await this.records([id]);
    if (!rec) throw new VectorNotFoundError(id);
    return this.copy(rec);
  }

  /** Same order as `ids`; null where a vector is missing. */
  async batchRetrieveVectors(ids: string[]): Promise<(VectorRecord | null)[]> {
    if (!Array.isArray(ids)) throw new InvalidArgumentError('batchRetrieveVectors takes an array of ids');
    ids.forEach(validateId);
    return (await this.records(ids)).map((r) => (r ? this.copy(r) : null));
  }

  /**
   * k nearest neighbours of `query`, ascending by distance, optionally filtered by metadata. Not `async`: with the
   * in-process projection caught up (the usual case) the answer is computed right away and handed over resolved,
   * without the microtask hops an async function and its await would add to every query.
   */
  semanticSearch(query: VectorInput, options?: SearchOptions): Promise<SearchResult[]> {
    try {
      const o = optionsObject(options, 'semanticSearch');
      const k = o.k ?? 10;
      if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new InvalidArgumentError(`k must be an integer in 1..10000, got ${k}`);
      if (o.ef !== undefined && (!Number.isInteger(o.ef) || o.ef < 1)) {
        throw new InvalidArgumentError(`ef must be a positive integer, got ${o.ef}`);
      }
      const q = toVector(query, this.session.options.dimension, this.session.options.geometry);
      // The local read model compiles the filter itself; for a remote one, fail before any request leaves.
      if (o.filter !== undefined && !this.session.local) compileFilter(o.filter);
      this.session.assertOpen();
      const readOptions =
        o.filter === undefined && o.ef === undefined && !o.exact
          ? NO_READ_OPTIONS
          : {
              ...(o.filter !== undefined ? { filter: o.filter } : {}),
              ...(o.ef !== undefined ? { ef: o.ef } : {}),
              ...(o.exact ? { exact: true } : {}),
            };
      const reads = this.session.reads;
      const now = reads.searchNow?.(q, k, readOptions, this.session.lastWrite);
      if (now) return Promise.resolve(this.results(now));
      return reads.search(q, k, readOptions, this.session.lastWrite).then((hits) => this.results(hits));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** The read model hands over copies: no second copy here. */
  private results(hits: SearchHit[]): SearchResult[] {
    const geometry = this.session.options.geometry;
    const out = new Array<SearchResult>(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      out[i] = { vector: { id: h.id, data: h.data, metadata: h.metadata }, distance: h.distance, score: scoreOf(geometry, h.distance) };
    }
    return out;
  }

  /** Number of live vectors in the projection. */
  async count(): Promise<number> {
    this.session.assertOpen();
    return this.session.reads.count(this.session.lastWrite);
  }

  // ---- cache --------------------------------------------------------------------------------------

  /** Loads records into the client cache ahead of use. */
  async prefetch(ids: string[]): Promise<number> {
    if (!Array.isArray(ids)) throw new InvalidArgumentError('prefetch takes an array of ids');
    ids.forEach(validateId);
    return (await this.records(ids)).filter(Boolean).length;
  }
}
