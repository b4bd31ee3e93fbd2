// GENERATED from the server's OpenAPI document by scripts/generate-types.ts (openapi-typescript): do not edit.
// Regenerate with `npm run generate -w libs/client`.
export interface paths {
  '/v1/agents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every known agent with its mailbox depth, pending and dead-lettered counts and latest messages (an agent: only itself) */
    get: operations['getV1Agents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit/{kind}/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every change to a vector, block, fact or mailbox: when, who, which call, before and after */
    get: operations['getV1AuditByKindById'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/blocks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the blocks the caller may read, by name and/or class, a page at a time (?cursor=<nextCursor>&limit=) */
    get: operations['getV1Blocks'];
    put?: never;
    /** Create a memory block */
    post: operations['postV1Blocks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/blocks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read a block (or one of its versions, or as of a time) */
    get: operations['getV1BlocksById'];
    /** Replace a block’s content (optimistic concurrency with If-Match: "<version>" or expectedVersion) */
    put: operations['putV1BlocksById'];
    post?: never;
    /** Delete a block (If-Match: "<version>") */
    delete: operations['deleteV1BlocksById'];
    options?: never;
    head?: never;
    /** Apply an RFC 6902 JSON Patch to a block’s JSON content, atomically, as one new version (If-Match: "<version>") */
    patch: operations['patchV1BlocksById'];
    trace?: never;
  };
  '/v1/blocks/{id}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version of a block, oldest first */
    get: operations['getV1BlocksByIdHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/cache/get': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The cached value of the nearest earlier query, if similar enough and not expired */
    post: operations['postV1CacheGet'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/cache/set': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cache a value under the meaning of a key; with sources, a change to any of them invalidates it */
    post: operations['postV1CacheSet'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every collection, with its settings */
    get: operations['getV1Collections'];
    put?: never;
    /** Create a collection (201), or find it with the same settings (200); other settings are a 409. The admin token only */
    post: operations['postV1Collections'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A collection’s settings and how many vectors it holds */
    get: operations['getV1CollectionsByName'];
    put?: never;
    post?: never;
    /** Delete a collection and all its vectors and mail (409 for `default` and the memory store’s). The admin token only */
    delete: operations['deleteV1CollectionsByName'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections/{name}/vectors': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store a vector with metadata (replaces one with the same id), in a collection */
    post: operations['postV1CollectionsByNameVectors'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections/{name}/vectors/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Retrieve a vector, in a collection */
    get: operations['getV1CollectionsByNameVectorsById'];
    put?: never;
    post?: never;
    /** Delete a vector (If-Match: its ETag), in a collection */
    delete: operations['deleteV1CollectionsByNameVectorsById'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections/{name}/vectors/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store many vectors at once (all or none validated), in a collection */
    post: operations['postV1CollectionsByNameVectorsBatch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/collections/{name}/vectors/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** k nearest neighbours of a vector, optionally filtered by metadata, in a collection */
    post: operations['postV1CollectionsByNameVectorsSearch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/cut': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Where the world stands now: { hvs, mail, nvm } stream positions, to pass as ?asOf= to any read route later */
    get: operations['getV1Cut'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A log’s change feed as Server-Sent Events (id: the position; resumable with Last-Event-ID or since) */
    get: operations['getV1Events'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/facts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Add a fact to the shared knowledge base */
    post: operations['postV1Facts'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/facts/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every fact of the shared knowledge base as it is added, as Server-Sent Events */
    get: operations['getV1FactsEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/facts/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Facts nearest in meaning to a query */
    post: operations['postV1FactsSearch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/forks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The forks of this server: name, parent, where each branched */
    get: operations['getV1Forks'];
    put?: never;
    /** Fork the world: a writable world whose history up to asOf is this one (another encoder re-embeds the content) */
    post: operations['postV1Forks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/forks/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a fork (its streams and checkpoints); its parent is never touched */
    delete: operations['deleteV1ForksByName'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/forks/{name}/promote': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Point an alias (default: this world) at a fork: clients opening the alias get the fork */
    post: operations['postV1ForksByNamePromote'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** ok, or degraded (503) while writes cannot be acknowledged; the projection’s position and the durability in force */
    get: operations['getV1Health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/mailboxes/{model}/ack': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Acknowledge messages taken with ?ack=explicit, by their ackTokens */
    post: operations['postV1MailboxesByModelAck'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/mailboxes/{model}/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Pending messages of a mailbox, oldest first: acknowledged once the response is written, or with ?ack=explicit by their ackTokens */
    get: operations['getV1MailboxesByModelMessages'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/memory': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List memories in creation order, a page at a time (?cursor=<nextCursor>&limit=), by scope and filter (JSON) */
    get: operations['getV1Memory'];
    put?: never;
    /** Store text: encoded and indexed in HVS, kept as an NVM block */
    post: operations['postV1Memory'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/memory/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read a memory */
    get: operations['getV1MemoryById'];
    /** Replace a memory’s content: re-embedded under the same id, as a new version */
    put: operations['putV1MemoryById'];
    post?: never;
    /** Delete a memory: its block and its vector */
    delete: operations['deleteV1MemoryById'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/memory/{id}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version of a memory, oldest first, with who wrote it and when */
    get: operations['getV1MemoryByIdHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/memory/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Find memories by meaning and keyword (hybrid, dense or keyword), within a scope and a metadata filter */
    post: operations['postV1MemorySearch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send a JSON message into a model’s durable mailbox */
    post: operations['postV1Messages'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/namespaces': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every NVM namespace, with how many of its blocks the caller may read */
    get: operations['getV1Namespaces'];
    put?: never;
    /** Create an NVM namespace (201), or find it (200). The admin token only */
    post: operations['postV1Namespaces'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/namespaces/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A namespace: how many of its blocks the caller may read, and where its log stands */
    get: operations['getV1NamespacesByName'];
    put?: never;
    post?: never;
    /** Delete a namespace: its stream (every block, name and fact in it) and checkpoints (409 for `default` and forks). The admin token only */
    delete: operations['deleteV1NamespacesByName'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/namespaces/{name}/blocks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the blocks the caller may read, by name and/or class, a page at a time (?cursor=<nextCursor>&limit=), in a namespace */
    get: operations['getV1NamespacesByNameBlocks'];
    put?: never;
    /** Create a memory block, in a namespace */
    post: operations['postV1NamespacesByNameBlocks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/namespaces/{name}/blocks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read a block (or one of its versions, or as of a time), in a namespace */
    get: operations['getV1NamespacesByNameBlocksById'];
    /** Replace a block’s content (optimistic concurrency with If-Match: "<version>" or expectedVersion), in a namespace */
    put: operations['putV1NamespacesByNameBlocksById'];
    post?: never;
    /** Delete a block (If-Match: "<version>"), in a namespace */
    delete: operations['deleteV1NamespacesByNameBlocksById'];
    options?: never;
    head?: never;
    /** Apply an RFC 6902 JSON Patch to a block’s JSON content, atomically, as one new version (If-Match: "<version>"), in a namespace */
    patch: operations['patchV1NamespacesByNameBlocksById'];
    trace?: never;
  };
  '/v1/namespaces/{name}/blocks/{id}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version of a block, oldest first, in a namespace */
    get: operations['getV1NamespacesByNameBlocksByIdHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/provenance/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What a memory, fact or cache entry was computed from (each source with its version, still current?) and what was computed from it */
    get: operations['getV1ProvenanceById'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/stats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Sizes, positions and cache statistics */
    get: operations['getV1Stats'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/streams': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The logs’ streams (messages, bytes, consumers), the projections’ positions and lag, the durability in force (operator only) */
    get: operations['getV1Streams'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vectors': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store a vector with metadata (replaces one with the same id) */
    post: operations['postV1Vectors'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vectors/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Retrieve a vector */
    get: operations['getV1VectorsById'];
    put?: never;
    post?: never;
    /** Delete a vector (If-Match: its ETag) */
    delete: operations['deleteV1VectorsById'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vectors/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store many vectors at once (all or none validated) */
    post: operations['postV1VectorsBatch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vectors/map': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A uniform random sample of the stored vectors on a 2-D map (Poincaré disk for hyperboloid, else PCA), with metadata */
    get: operations['getV1VectorsMap'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vectors/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** k nearest neighbours of a vector, optionally filtered by metadata */
    post: operations['postV1VectorsSearch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AuditEntry: {
      actor: string;
      after?: unknown;
      before?: unknown;
      causationId?: string;
      correlationId?: string;
      diff?: string;
      eventId: string;
      position: number;
      /** @enum {string} */
      store: 'hvs' | 'mail' | 'nvm';
      stream: string;
      time: string;
      type: string;
    };
    Block: {
      /** @enum {string} */
      blockClass: 'documentation' | 'program_state' | 'knowledge_graph' | 'shared_knowledge' | 'cache';
      content: string;
      createdAt: string;
      expiresAt?: string;
      id: string;
      metadata: unknown;
      name: string;
      permissions: {
        read?: string[];
        write?: string[];
      };
      readonly: boolean;
      updatedAt: string;
      version: number;
    };
    BlockVersion: {
      actor: string;
      at: string;
      content: string;
      metadata: {
        [key: string]: unknown;
      };
      type: string;
      version: number;
    };
    Collection: {
      dimension: number;
      ef: number;
      efConstruction: number;
      /** @enum {string} */
      geometry: 'euclidean' | 'spherical' | 'hyperboloid';
      M: number;
      name: string;
    };
    Fact: {
      factId: string;
      object: string;
      predicate: string;
      source: string;
      sources?: {
        id: string;
        /** @enum {string} */
        kind: 'block' | 'vector' | 'fact';
        version: number;
      }[];
      subject: string;
      timestamp: number;
    };
    JsonPatchOperationInput: {
      from?: string;
      /** @enum {string} */
      op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
      path: string;
      value?: unknown;
    };
    Memory: {
      agentId?: string;
      blockId?: string;
      content: string;
      createdAt: string;
      id: string;
      metadata: {
        [key: string]: unknown;
      };
      runId?: string;
      updatedAt: string;
      userId?: string;
      version: number;
    };
    MemoryHit: {
      agentId?: string;
      blockId?: string;
      content: string;
      distance: number;
      id: string;
      metadata?: {
        [key: string]: unknown;
      };
      runId?: string;
      score: number;
      scores?: {
        dense?: number;
        keyword?: number;
        rerank?: number;
      };
      /** @enum {string} */
      source: 'hvs' | 'nvm';
      userId?: string;
    };
    MemoryVersion: {
      actor: string;
      at: string;
      content: string;
      metadata: {
        [key: string]: unknown;
      };
      /** @enum {string} */
      type: 'created' | 'updated' | 'deleted' | 'expired';
      version: number;
    };
    Message: {
      ackToken?: string;
      body: unknown;
      from: string;
      id: string;
      sentAt: string;
      seq: number;
      to: string;
    };
    Namespace: {
      blocks: number;
      name: string;
    };
    PermissionsInput: {
      read?: string[];
      write?: string[];
    };
    Problem: {
      code: string;
      detail: string;
      issues?: {
        message: string;
        path: string;
      }[];
      status: number;
      title: string;
      type: string;
    };
    Provenance: {
      derivatives: {
        id: string;
        kind: string;
      }[];
      derivedFrom: {
        current: boolean;
        /** @constant */
        deleted?: true;
        id: string;
        /** @enum {string} */
        kind: 'block' | 'vector' | 'fact';
        version: number;
      }[];
      id: string;
    };
    StoreVectorInput: {
      id?: string;
      metadata?: {
        [key: string]: unknown;
      };
      vector: number[];
    };
    VectorHit: {
      distance: number;
      id: string;
      metadata: {
        [key: string]: unknown;
      };
      score: number;
      vector?: number[];
    };
    VectorRecord: {
      createdAt?: string;
      id: string;
      metadata: {
        [key: string]: unknown;
      };
      vector: number[];
    };
  };
  responses: {
    /** @description invalid input (schema, JSON, unknown field, header): nothing was changed */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description conflicts with the current state (a block of that name exists, a store is closing) */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the caller may not do this (permissions, or X-HVS-Actor naming another agent) */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the path does not serve this method (see Allow) */
    MethodNotAllowed: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description no such resource */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the body is larger than the server’s limit */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description If-Match did not match the current ETag */
    PreconditionFailed: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the body arrived too slowly (the connection is closed) */
    RequestTimeout: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the server is busy or degraded */
    ServiceUnavailable: {
      headers: {
        'Retry-After': components['headers']['RetryAfter'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description this agent has too many request-body bytes in flight */
    TooManyRequests: {
      headers: {
        'Retry-After': components['headers']['RetryAfter'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description a bearer token is required and was missing or unknown */
    Unauthorized: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description well-formed, but cannot be applied to the current state (a JSON Patch) */
    UnprocessableContent: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the body is not of an accepted media type (charset utf-8 if any) */
    UnsupportedMediaType: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: {
    /** @description strong entity tag of the representation ("<version>" for blocks) */
    ETag: string;
    /** @description the request’s correlation id */
    RequestId: string;
    /** @description seconds to wait before retrying */
    RetryAfter: number;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getV1Agents: {
    parameters: {
      query?: {
        latest?: number;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            agents: {
              agentId: string;
              connectedAt?: string;
              deadLettered: number;
              depth: number;
              lastSeenAt?: string;
              latest: {
                body: unknown;
                from: string;
                id: string;
                sentAt: string;
                seq: number;
                to: string;
              }[];
              pending: number;
              unacknowledged: number;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1AuditByKindById: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        kind: 'vector' | 'block' | 'fact' | 'mailbox' | 'memory';
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            entries: components['schemas']['AuditEntry'][];
            id: string;
            /** @enum {string} */
            kind: 'vector' | 'block' | 'fact' | 'mailbox' | 'memory';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Blocks: {
    parameters: {
      query?: {
        asOf?: string;
        class?: 'documentation' | 'program_state' | 'knowledge_graph' | 'shared_knowledge' | 'cache';
        cursor?: string;
        limit?: number;
        name?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            blocks: components['schemas']['Block'][];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Blocks: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          blockClass: 'documentation' | 'program_state' | 'knowledge_graph' | 'shared_knowledge' | 'cache';
          content:
            | string
            | {
                [key: string]: unknown;
              }
            | unknown[];
          metadata?: {
            [key: string]: unknown;
          };
          name: string;
          permissions?: components['schemas']['PermissionsInput'];
          readonly?: boolean;
          ttlSeconds?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1BlocksById: {
    parameters: {
      query?: {
        asOf?: string;
        version?: number;
      };
      header?: {
        /** @description answer 304 when the current ETag matches */
        'If-None-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      /** @description Default Response */
      304: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  putV1BlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          content:
            | string
            | {
                [key: string]: unknown;
              }
            | unknown[];
          expectedVersion?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1BlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      412: components['responses']['PreconditionFailed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  patchV1BlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json-patch+json': components['schemas']['JsonPatchOperationInput'][];
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1BlocksByIdHistory: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            versions: components['schemas']['BlockVersion'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1CacheGet: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          query: string;
          threshold?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            hit: boolean;
            value: unknown;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1CacheSet: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          key: string;
          sources?: (
            | string
            | {
                id: string;
                version: number;
              }
          )[];
          value: unknown;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Collections: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            collections: components['schemas']['Collection'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Collections: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          dimension: number;
          ef?: number;
          efConstruction?: number;
          /**
           * @default euclidean
           * @enum {string}
           */
          geometry?: 'euclidean' | 'spherical' | 'hyperboloid';
          M?: number;
          name: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            created: boolean;
            dimension: number;
            ef: number;
            efConstruction: number;
            /** @enum {string} */
            geometry: 'euclidean' | 'spherical' | 'hyperboloid';
            M: number;
            name: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1CollectionsByName: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            dimension: number;
            ef: number;
            efConstruction: number;
            /** @enum {string} */
            geometry: 'euclidean' | 'spherical' | 'hyperboloid';
            M: number;
            name: string;
            /** @enum {string} */
            projection: 'local' | 'remote';
            shards: number;
            vectors: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1CollectionsByName: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      409: components['responses']['Conflict'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1CollectionsByNameVectors: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['StoreVectorInput'];
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1CollectionsByNameVectorsById: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description answer 304 when the current ETag matches */
        'If-None-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VectorRecord'];
        };
      };
      /** @description Default Response */
      304: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      409: components['responses']['Conflict'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1CollectionsByNameVectorsById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      409: components['responses']['Conflict'];
      412: components['responses']['PreconditionFailed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1CollectionsByNameVectorsBatch: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          items: components['schemas']['StoreVectorInput'][];
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            ids: string[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1CollectionsByNameVectorsSearch: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          ef?: number;
          exact?: boolean;
          filter?: {
            [key: string]: unknown;
          };
          /** @default 10 */
          k?: number;
          vector: number[];
          /** @default false */
          withVectors?: boolean;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            results: components['schemas']['VectorHit'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Cut: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            hvs: number;
            mail: number;
            nvm: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Events: {
    parameters: {
      query: {
        since?: number;
        store: 'hvs' | 'mail' | 'nvm';
        stream?: string;
        types?: string;
      };
      header?: {
        'last-event-id'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description text/event-stream: `retry:`, then one `id:`/`event:`/`data:` frame per event, and `: keep-alive` comments */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Facts: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          object: string;
          predicate: string;
          source: string;
          sources?: (
            | string
            | {
                id: string;
                version: number;
              }
          )[];
          subject: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Fact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1FactsEvents: {
    parameters: {
      query?: {
        since?: number;
      };
      header?: {
        'last-event-id'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description text/event-stream: `retry:`, then one `id:`/`event:`/`data:` frame per event, and `: keep-alive` comments */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1FactsSearch: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @default 10 */
          k?: number;
          query: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            facts: components['schemas']['Fact'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Forks: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            forks: {
              createdAt: string;
              cut: {
                hvs?: number;
                mail?: number;
                nvm?: number;
              };
              name: string;
              parent: string;
              reembedded?: {
                dimension: number;
                encoder: string;
                geometry: string;
              };
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Forks: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          asOf?: string;
          encoder?: {
            dimension?: number;
            /** @enum {string} */
            name: 'sentence' | 'hashing';
          };
          /** @enum {string} */
          geometry?: 'euclidean' | 'spherical' | 'hyperboloid';
          name: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            createdAt: string;
            cut: {
              hvs?: number;
              mail?: number;
              nvm?: number;
            };
            name: string;
            parent: string;
            reembedded?: {
              dimension: number;
              encoder: string;
              geometry: string;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1ForksByName: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1ForksByNamePromote: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          alias?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            alias: string;
            world: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Health: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            durability: unknown;
            embedded: boolean;
            natsUrl?: string;
            position: number;
            reason?: string;
            /** @enum {string} */
            status: 'ok' | 'degraded';
          } & {
            [key: string]: unknown;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1MailboxesByModelAck: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        model: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          tokens: string[];
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            acked: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1MailboxesByModelMessages: {
    parameters: {
      query?: {
        ack?: 'auto' | 'explicit';
        asOf?: string;
        max?: number;
        waitMs?: number;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        model: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            ackWaitMs?: number;
            messages: components['schemas']['Message'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Memory: {
    parameters: {
      query?: {
        agentId?: string;
        cursor?: string;
        filter?: string;
        limit?: number;
        runId?: string;
        userId?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            memories: components['schemas']['Memory'][];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Memory: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          agentId?: string;
          content: string;
          metadata?: {
            [key: string]: unknown;
          };
          persist?: boolean;
          runId?: string;
          sources?: (
            | string
            | {
                id: string;
                version: number;
              }
          )[];
          userId?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1MemoryById: {
    parameters: {
      query?: {
        agentId?: string;
        runId?: string;
        userId?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Memory'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  putV1MemoryById: {
    parameters: {
      query?: {
        agentId?: string;
        runId?: string;
        userId?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          content: string;
          metadata?: {
            [key: string]: unknown;
          };
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Memory'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1MemoryById: {
    parameters: {
      query?: {
        agentId?: string;
        runId?: string;
        userId?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1MemoryByIdHistory: {
    parameters: {
      query?: {
        agentId?: string;
        runId?: string;
        userId?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            versions: components['schemas']['MemoryVersion'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1MemorySearch: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          agentId?: string;
          filter?: {
            [key: string]: unknown;
          };
          includeBlocks?: boolean;
          /** @default 10 */
          k?: number;
          /** @enum {string} */
          mode?: 'hybrid' | 'dense' | 'keyword';
          query: string;
          rerank?: boolean;
          runId?: string;
          userId?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            results: components['schemas']['MemoryHit'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Messages: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          body: unknown;
          from: string;
          to: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Namespaces: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            namespaces: components['schemas']['Namespace'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Namespaces: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            created: boolean;
            name: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1NamespacesByName: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            blocks: number;
            name: string;
            position: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1NamespacesByName: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      409: components['responses']['Conflict'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1NamespacesByNameBlocks: {
    parameters: {
      query?: {
        asOf?: string;
        class?: 'documentation' | 'program_state' | 'knowledge_graph' | 'shared_knowledge' | 'cache';
        cursor?: string;
        limit?: number;
        name?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            blocks: components['schemas']['Block'][];
            nextCursor?: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1NamespacesByNameBlocks: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          blockClass: 'documentation' | 'program_state' | 'knowledge_graph' | 'shared_knowledge' | 'cache';
          content:
            | string
            | {
                [key: string]: unknown;
              }
            | unknown[];
          metadata?: {
            [key: string]: unknown;
          };
          name: string;
          permissions?: components['schemas']['PermissionsInput'];
          readonly?: boolean;
          ttlSeconds?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1NamespacesByNameBlocksById: {
    parameters: {
      query?: {
        asOf?: string;
        version?: number;
      };
      header?: {
        /** @description answer 304 when the current ETag matches */
        'If-None-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      /** @description Default Response */
      304: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  putV1NamespacesByNameBlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          content:
            | string
            | {
                [key: string]: unknown;
              }
            | unknown[];
          expectedVersion?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1NamespacesByNameBlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      412: components['responses']['PreconditionFailed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  patchV1NamespacesByNameBlocksById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json-patch+json': components['schemas']['JsonPatchOperationInput'][];
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Block'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      409: components['responses']['Conflict'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['UnprocessableContent'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1NamespacesByNameBlocksByIdHistory: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            versions: components['schemas']['BlockVersion'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1ProvenanceById: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Provenance'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Stats: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            blocks: number;
            encoder: {
              dimension: number;
              name: string;
            };
            hvs: {
              dimension: number;
              geometry: string;
              natsUrl?: string;
              position: number;
              vectors: number;
            } & {
              [key: string]: unknown;
            };
            nvm: {
              position: number;
            } & {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1Streams: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            durability: {
              [key: string]: unknown;
            };
            embedded: boolean;
            streams: {
              bytes: number;
              consumers: {
                deliveredPosition: number;
                name: string;
                pending: number;
                unacknowledged: number;
              }[];
              firstPosition: number;
              lastPosition: number;
              messages: number;
              projection?: {
                lag: number;
                name: string;
                position: number;
              };
              replicas: number;
              storage: string;
              /** @enum {string} */
              store: 'hvs' | 'mail' | 'nvm';
              stream: string;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1Vectors: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['StoreVectorInput'];
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1VectorsById: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description answer 304 when the current ETag matches */
        'If-None-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VectorRecord'];
        };
      };
      /** @description Default Response */
      304: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteV1VectorsById: {
    parameters: {
      query?: never;
      header?: {
        /** @description act only when the current ETag matches (else 412) */
        'If-Match'?: string;
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      204: {
        headers: {
          ETag: components['headers']['ETag'];
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      405: components['responses']['MethodNotAllowed'];
      412: components['responses']['PreconditionFailed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1VectorsBatch: {
    parameters: {
      query?: never;
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          items: components['schemas']['StoreVectorInput'][];
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            ids: string[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getV1VectorsMap: {
    parameters: {
      query?: {
        limit?: number;
        seed?: number;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            dimension: number;
            geometry: string;
            kept: [number, number];
            points: {
              id: string;
              metadata: {
                [key: string]: unknown;
              };
              x: number;
              y: number;
            }[];
            /** @enum {string} */
            projection: 'poincare-disk' | 'pca';
            /** @enum {string} */
            sample: 'uniform-random';
            total: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postV1VectorsSearch: {
    parameters: {
      query?: {
        asOf?: string;
      };
      header?: {
        /** @description the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403) */
        'X-HVS-Actor'?: string;
        /** @description a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid) */
        'X-Request-Id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          ef?: number;
          exact?: boolean;
          filter?: {
            [key: string]: unknown;
          };
          /** @default 10 */
          k?: number;
          vector: number[];
          /** @default false */
          withVectors?: boolean;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          'X-Request-Id': components['headers']['RequestId'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            results: components['schemas']['VectorHit'][];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      405: components['responses']['MethodNotAllowed'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['ServiceUnavailable'];
      /** @description an unexpected error */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
