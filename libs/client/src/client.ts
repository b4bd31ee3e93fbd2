// The HTTP API as methods named like the libraries' (storeVector, semanticSearch, getBlock, ...), typed from the
// server's OpenAPI document (schema.ts) through openapi-fetch; a problem response is thrown as HvsNvmHttpError.
import createFetchClient, { type Client } from 'openapi-fetch';
import { CodedError } from '@hvs-nvm/events';
import type { components, operations, paths } from './schema.js';

type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Block = Schemas['Block'];
export type BlockVersion = Schemas['BlockVersion'];
export type VectorRecord = Schemas['VectorRecord'];
export type VectorHit = Schemas['VectorHit'];
export type MemoryHit = Schemas['MemoryHit'];
export type Memory = Schemas['Memory'];
export type MemoryVersion = Schemas['MemoryVersion'];
export type MemoryPage = operations['getV1Memory']['responses'][200]['content']['application/json'];
export type MemoryScope = { agentId?: string; userId?: string; runId?: string };
export type QueryOptions = Omit<Body<'postV1MemorySearch'>, 'query'>;
export type ListMemoriesOptions = MemoryScope & { filter?: Record<string, unknown>; cursor?: string; limit?: number };
export type Message = Schemas['Message'];
export type Fact = Schemas['Fact'];
export type AuditEntry = Schemas['AuditEntry'];
export type Provenance = Schemas['Provenance'];
export type JsonPatchOperation = Schemas['JsonPatchOperationInput'];
export type Metadata = Record<string, unknown>;
export type Collection = Schemas['Collection'];
export type Namespace = Schemas['Namespace'];

type Body<O extends keyof operations> = operations[O] extends { requestBody: { content: infer C } } ? C[keyof C] : never;
type Query<O extends keyof operations> = operations[O] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type CreateBlockInput = Body<'postV1Blocks'>;
export type SearchOptions = Omit<Body<'postV1VectorsSearch'>, 'vector'>;
export type StoreVectorItem = Schemas['StoreVectorInput'];
export type Sources = NonNullable<Body<'postV1Memory'>['sources']>;
export type ReceiveOptions = Query<'getV1MailboxesByModelMessages'>;
export type Health = operations['getV1Health']['responses'][200]['content']['application/json'];
export type Stats = operations['getV1Stats']['responses'][200]['content']['application/json'];
export type CreateCollectionInput = Body<'postV1Collections'>;
export type CollectionInfo = operations['getV1CollectionsByName']['responses'][200]['content']['application/json'];
export type NamespaceInfo = operations['getV1NamespacesByName']['responses'][200]['content']['application/json'];
export type AuditKind = operations['getV1AuditByKindById']['parameters']['path']['kind'];

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:8765` (what `hvs-nvm start` prints). */
  baseUrl: string;
  /** The admin token or an agent token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The agent to act as (`X-HVS-Actor`): any agent with the admin token or none; with an agent token, its own. */
  actor?: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
}

/** A problem (RFC 9457) the server answered with: its status, stable `code` and `detail`. */
export class HvsNvmHttpError extends CodedError {
  constructor(readonly problem: Problem) {
    super(problem.code, problem.detail, problem.status);
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; a problem (or any other failure) thrown as HvsNvmHttpError. */
function unwrap<T>({ data, error, response }: Answer<T>): T {
  if (response.ok) return data as T;
  const p = error as Partial<Problem> | undefined;
  throw new HvsNvmHttpError({
    type: p?.type ?? 'about:blank',
    title: p?.title ?? response.statusText,
    status: response.status,
    detail: p?.detail ?? `HTTP ${response.status}`,
    code: p?.code ?? `HTTP_${response.status}`,
    ...(p?.issues ? { issues: p.issues } : {}),
  });
}

/** An entity tag as sent in ETag for block version `v`: `"3"`. */
const versionTag = (version: number) => `"${version}"`;

export class HvsNvmClient {
  /** The typed openapi-fetch client: every route, for what the methods below do not cover. */
  readonly raw: Client<paths>;

  constructor(options: ClientOptions) {
    const headers: Record<string, string> = {};
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.actor) headers['x-hvs-actor'] = options.actor;
    this.raw = createFetchClient<paths>({ baseUrl: options.baseUrl, headers, ...(options.fetch ? { fetch: options.fetch } : {}) });
  }

  // ---- vectors (HVS) ----

  async storeVector(vector: number[], metadata?: Metadata, options: { id?: string } = {}): Promise<string> {
    const body = { vector, ...(metadata ? { metadata } : {}), ...(options.id ? { id: options.id } : {}) };
    return unwrap(await this.raw.POST('/v1/vectors', { body })).id;
  }

  async batchStoreVectors(items: StoreVectorItem[]): Promise<string[]> {
    return unwrap(await this.raw.POST('/v1/vectors/batch', { body: { items } })).ids;
  }

  async retrieveVector(id: string): Promise<VectorRecord> {
    return unwrap(await this.raw.GET('/v1/vectors/{id}', { params: { path: { id } } }));
  }

  /** False when there was no such vector (as the library's deleteVector). */
  async deleteVector(id: string): Promise<boolean> {
    const answer = await this.raw.DELETE('/v1/vectors/{id}', { params: { path: { id } } });
    if (answer.response.status === 404) return false;
    unwrap(answer);
    return true;
  }

  async semanticSearch(vector: number[], options: SearchOptions = {}): Promise<VectorHit[]> {
    return unwrap(await this.raw.POST('/v1/vectors/search', { body: { vector, ...options } })).results;
  }

  // ---- collections ----

  /** Creates a collection, or finds it with the same settings (`created: false`); other settings throw a 409. */
  async createCollection(input: CreateCollectionInput): Promise<Collection & { created: boolean }> {
    return unwrap(await this.raw.POST('/v1/collections', { body: input }));
  }

  async listCollections(): Promise<Collection[]> {
    return unwrap(await this.raw.GET('/v1/collections')).collections;
  }

  /** A collection's settings and how many vectors it holds. */
  async getCollection(name: string): Promise<CollectionInfo> {
    return unwrap(await this.raw.GET('/v1/collections/{name}', { params: { path: { name } } }));
  }

  /** False when there was no such collection. */
  async deleteCollection(name: string): Promise<boolean> {
    const answer = await this.raw.DELETE('/v1/collections/{name}', { params: { path: { name } } });
    if (answer.response.status === 404) return false;
    unwrap(answer);
    return true;
  }

  /** The vector methods on one collection (the ones above are the `default` collection's). */
  collection(name: string) {
    const raw = this.raw;
    const path = { name };
    return {
      async storeVector(vector: number[], metadata?: Metadata, options: { id?: string } = {}): Promise<string> {
        const body = { vector, ...(metadata ? { metadata } : {}), ...(options.id ? { id: options.id } : {}) };
        return unwrap(await raw.POST('/v1/collections/{name}/vectors', { params: { path }, body })).id;
      },
      async batchStoreVectors(items: StoreVectorItem[]): Promise<string[]> {
        return unwrap(await raw.POST('/v1/collections/{name}/vectors/batch', { params: { path }, body: { items } })).ids;
      },
      async retrieveVector(id: string): Promise<VectorRecord> {
        return unwrap(await raw.GET('/v1/collections/{name}/vectors/{id}', { params: { path: { ...path, id } } }));
      },
      async deleteVector(id: string): Promise<boolean> {
        const answer = await raw.DELETE('/v1/collections/{name}/vectors/{id}', { params: { path: { ...path, id } } });
        if (answer.response.status === 404 && (answer.error as Partial<Problem> | undefined)?.code === 'VECTOR_NOT_FOUND') return false;
        unwrap(answer);
        return true;
      },
      async semanticSearch(vector: number[], options: SearchOptions = {}): Promise<VectorHit[]> {
        return unwrap(await raw.POST('/v1/collections/{name}/vectors/search', { params: { path }, body: { vector, ...options } })).results;
      },
    };
  }

  // ---- namespaces ----

  /** Creates an NVM namespace, or finds it (`created: false`). The admin token only. */
  async createNamespace(name: string): Promise<{ name: string; created: boolean }> {
    return unwrap(await this.raw.POST('/v1/namespaces', { body: { name } }));
  }

  /** Every namespace, with how many of its blocks the caller may read. */
  async listNamespaces(): Promise<Namespace[]> {
    return unwrap(await this.raw.GET('/v1/namespaces')).namespaces;
  }

  /** A namespace's block count (as the caller may read them) and its log's position. */
  async getNamespace(name: string): Promise<NamespaceInfo> {
    return unwrap(await this.raw.GET('/v1/namespaces/{name}', { params: { path: { name } } }));
  }

  /** Deletes a namespace with every block in it; false when there was no such namespace. The admin token only. */
  async deleteNamespace(name: string): Promise<boolean> {
    const answer = await this.raw.DELETE('/v1/namespaces/{name}', { params: { path: { name } } });
    if (answer.response.status === 404) return false;
    unwrap(answer);
    return true;
  }

  /** The block methods on one namespace (the ones below are the `default` namespace's). */
  namespace(name: string) {
    const raw = this.raw;
    const path = { name };
    return {
      async createBlock(input: CreateBlockInput): Promise<Block> {
        return unwrap(await raw.POST('/v1/namespaces/{name}/blocks', { params: { path }, body: input }));
      },
      async getBlock(id: string, options: { version?: number; asOf?: Date | string } = {}): Promise<Block> {
        const query = {
          ...(options.version !== undefined ? { version: options.version } : {}),
          ...(options.asOf !== undefined ? { asOf: options.asOf instanceof Date ? options.asOf.toISOString() : options.asOf } : {}),
        };
        return unwrap(await raw.GET('/v1/namespaces/{name}/blocks/{id}', { params: { path: { ...path, id }, query } }));
      },
      /** Every block the caller may read in the namespace (the pages followed to the end). */
      async listBlocks(options: { blockClass?: Block['blockClass']; name?: string } = {}): Promise<Block[]> {
        const query = { ...(options.blockClass ? { class: options.blockClass } : {}), ...(options.name ? { name: options.name } : {}) };
        const blocks: Block[] = [];
        let cursor: string | undefined;
        do {
          const page = unwrap(
            await raw.GET('/v1/namespaces/{name}/blocks', {
              params: { path, query: { ...query, limit: 1000, ...(cursor ? { cursor } : {}) } },
            }),
          );
          blocks.push(...page.blocks);
          cursor = page.nextCursor;
        } while (cursor);
        return blocks;
      },
      async updateBlock(
        id: string,
        content: string | Record<string, unknown> | unknown[],
        options: { expectedVersion?: number } = {},
      ): Promise<Block> {
        return unwrap(
          await raw.PUT('/v1/namespaces/{name}/blocks/{id}', { params: { path: { ...path, id } }, body: { content, ...options } }),
        );
      },
      async patchBlock(id: string, patch: JsonPatchOperation[], options: { expectedVersion?: number } = {}): Promise<Block> {
        const header = options.expectedVersion !== undefined ? { 'If-Match': versionTag(options.expectedVersion) } : {};
        return unwrap(
          await raw.PATCH('/v1/namespaces/{name}/blocks/{id}', {
            params: { path: { ...path, id }, header },
            body: patch as never,
            headers: { 'content-type': 'application/json-patch+json' },
          }),
        );
      },
      async deleteBlock(id: string): Promise<void> {
        unwrap(await raw.DELETE('/v1/namespaces/{name}/blocks/{id}', { params: { path: { ...path, id } } }));
      },
      async blockHistory(id: string): Promise<BlockVersion[]> {
        return unwrap(await raw.GET('/v1/namespaces/{name}/blocks/{id}/history', { params: { path: { ...path, id } } })).versions;
      },
    };
  }

  // ---- memory (the integration) ----

  /** Stores text: encoded and indexed in HVS, kept as an NVM block. */
  async store(content: string, options: { metadata?: Metadata; persist?: boolean; sources?: Sources } & MemoryScope = {}): Promise<string> {
    return unwrap(await this.raw.POST('/v1/memory', { body: { content, ...options } })).id;
  }

  /** Memories nearest `text`: hybrid (dense + keyword, fused by RRF) unless `mode` says otherwise. */
  async query(text: string, options: QueryOptions = {}): Promise<MemoryHit[]> {
    return unwrap(await this.raw.POST('/v1/memory/search', { body: { query: text, ...options } })).results;
  }

  async get(id: string, scope: MemoryScope = {}): Promise<Memory> {
    return unwrap(await this.raw.GET('/v1/memory/{id}', { params: { path: { id }, query: scope } }));
  }

  /** One page of memories in creation order; pass `nextCursor` back as `cursor` for the next. */
  async list(options: ListMemoriesOptions = {}): Promise<MemoryPage> {
    const { filter, ...rest } = options;
    const query = { ...rest, ...(filter ? { filter: JSON.stringify(filter) } : {}) };
    return unwrap(await this.raw.GET('/v1/memory', { params: { query } }));
  }

  /** New content for a memory, re-embedded under the same id. */
  async update(id: string, content: string, options: { metadata?: Metadata } = {}): Promise<Memory> {
    return unwrap(await this.raw.PUT('/v1/memory/{id}', { params: { path: { id } }, body: { content, ...options } }));
  }

  async delete(id: string): Promise<void> {
    unwrap(await this.raw.DELETE('/v1/memory/{id}', { params: { path: { id } } }));
  }

  async history(id: string): Promise<MemoryVersion[]> {
    return unwrap(await this.raw.GET('/v1/memory/{id}/history', { params: { path: { id } } })).versions;
  }

  // ---- blocks (NVM) ----

  async createBlock(input: CreateBlockInput): Promise<Block> {
    return unwrap(await this.raw.POST('/v1/blocks', { body: input }));
  }

  async getBlock(id: string, options: { version?: number; asOf?: Date | string } = {}): Promise<Block> {
    const query = {
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.asOf !== undefined ? { asOf: options.asOf instanceof Date ? options.asOf.toISOString() : options.asOf } : {}),
    };
    return unwrap(await this.raw.GET('/v1/blocks/{id}', { params: { path: { id }, query } }));
  }

  /** Every block the caller may read (the server answers in pages: followed here to the end). */
  async listBlocks(options: { blockClass?: Block['blockClass']; name?: string } = {}): Promise<Block[]> {
    const query = { ...(options.blockClass ? { class: options.blockClass } : {}), ...(options.name ? { name: options.name } : {}) };
    const blocks: Block[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(
        await this.raw.GET('/v1/blocks', { params: { query: { ...query, limit: 1000, ...(cursor ? { cursor } : {}) } } }),
      );
      blocks.push(...page.blocks);
      cursor = page.nextCursor;
    } while (cursor);
    return blocks;
  }

  /** Replaces a block's content; with expectedVersion, only if the block is still at it (else 412). */
  async updateBlock(
    id: string,
    content: string | Record<string, unknown> | unknown[],
    options: { expectedVersion?: number } = {},
  ): Promise<Block> {
    return unwrap(await this.raw.PUT('/v1/blocks/{id}', { params: { path: { id } }, body: { content, ...options } }));
  }

  /** Applies an RFC 6902 JSON Patch to a JSON block, as one new version. */
  async patchBlock(id: string, patch: JsonPatchOperation[], options: { expectedVersion?: number } = {}): Promise<Block> {
    const header = options.expectedVersion !== undefined ? { 'If-Match': versionTag(options.expectedVersion) } : {};
    return unwrap(
      await this.raw.PATCH('/v1/blocks/{id}', {
        params: { path: { id }, header },
        body: patch as never,
        headers: { 'content-type': 'application/json-patch+json' },
      }),
    );
  }

  async deleteBlock(id: string): Promise<void> {
    unwrap(await this.raw.DELETE('/v1/blocks/{id}', { params: { path: { id } } }));
  }

  async blockHistory(id: string): Promise<BlockVersion[]> {
    return unwrap(await this.raw.GET('/v1/blocks/{id}/history', { params: { path: { id } } })).versions;
  }

  // ---- messages ----

  async sendMessage(from: string, to: string, body: unknown): Promise<string> {
    return unwrap(await this.raw.POST('/v1/messages', { body: { from, to, body } })).id;
  }

  /** Takes a mailbox's pending messages (acknowledged once the answer has been sent, unless `ack: 'explicit'`). */
  async receiveMessages(modelId: string, options: ReceiveOptions = {}): Promise<Message[]> {
    return unwrap(await this.raw.GET('/v1/mailboxes/{model}/messages', { params: { path: { model: modelId }, query: options } })).messages;
  }

  async ackMessages(modelId: string, ackTokens: string[]): Promise<number> {
    return unwrap(await this.raw.POST('/v1/mailboxes/{model}/ack', { params: { path: { model: modelId } }, body: { tokens: ackTokens } }))
      .acked;
  }

  // ---- facts and cache ----

  async addFact(subject: string, predicate: string, object: string, source: string, options: { sources?: Sources } = {}): Promise<Fact> {
    return unwrap(await this.raw.POST('/v1/facts', { body: { subject, predicate, object, source, ...options } }));
  }

  async queryFacts(query: string, k?: number): Promise<Fact[]> {
    return unwrap(await this.raw.POST('/v1/facts/search', { body: { query, ...(k !== undefined ? { k } : {}) } })).facts;
  }

  /** The cached value of the nearest earlier query, or null (as the library's SemanticCache.get). */
  async cacheGet(query: string, options: { threshold?: number } = {}): Promise<unknown> {
    const { hit, value } = unwrap(await this.raw.POST('/v1/cache/get', { body: { query, ...options } }));
    return hit ? value : null;
  }

  async cacheSet(key: string, value: unknown, options: { sources?: Sources } = {}): Promise<string> {
    return unwrap(await this.raw.POST('/v1/cache/set', { body: { key, value, ...options } })).id;
  }

  // ---- provenance and operations ----

  async audit(kind: AuditKind, id: string): Promise<AuditEntry[]> {
    return unwrap(await this.raw.GET('/v1/audit/{kind}/{id}', { params: { path: { kind, id } } })).entries;
  }

  async provenance(id: string): Promise<Provenance> {
    return unwrap(await this.raw.GET('/v1/provenance/{id}', { params: { path: { id } } }));
  }

  /** `ok`, or `degraded` while writes cannot be acknowledged (answered, not thrown: a 503 here is information). */
  async health(): Promise<Health> {
    const { data, error, response } = await this.raw.GET('/v1/health');
    const degraded = error as unknown as Health | undefined;
    if (response.status === 503 && degraded?.status === 'degraded') return degraded;
    return unwrap({ data, error, response });
  }

  async stats(): Promise<Stats> {
    return unwrap(await this.raw.GET('/v1/stats'));
  }
}

/** A client for the server at `options.baseUrl`. */
export function createClient(options: ClientOptions): HvsNvmClient {
  return new HvsNvmClient(options);
}
