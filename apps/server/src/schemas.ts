// zod schemas of every HTTP body, query string and MCP tool argument: the one source of validation and of the OpenAPI document.
// Bodies and query strings are strict objects: an unknown (misspelt) field is a 400, never silently dropped.
// Over 400 lines on purpose: the MCP tool arguments reuse the HTTP schemas' fields, so both live in one file (collections
// have their own, schemas-collections.ts).
import { z } from 'zod';
import { BlockClassValue, NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { BlockSchema, MAX_TTL_SECONDS } from '@hvs-nvm/nvm';

const Id = z.string().min(1).max(256);
export const ModelId = Id.describe('an agent (model) id');
const Json = z.unknown();
export const Metadata = z.record(z.string(), Json).describe('a JSON object of metadata');
const Vector = z.array(z.number()).min(1).max(65_536).describe('the vector, as a JSON array of finite numbers');
const K = z.number().int().min(1).max(10_000);
/** Text that must say something: whitespace alone is refused (it would be stored, or encoded, as nothing). */
const Text = (max: number) => z.string().min(1).max(max).regex(/\S/, 'must not be blank');
/** Query strings carry text: numbers are coerced. */
const QueryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** What a derived memory, fact or cache entry was computed from: ids, or ids pinned at the version read. */
const Sources = z
  .array(z.union([Id, z.object({ id: Id, version: z.number().int().positive() })]))
  .max(100)
  .describe('block, vector or fact ids (or { id, version }) the value was computed from: a change to one invalidates a cache entry');

// ---- vectors ------------------------------------------------------------------------------------------

export const StoreVectorBody = z.strictObject({
  id: Id.optional().describe('the id to store under (replaces an existing vector); a fresh UUID if absent'),
  vector: Vector,
  metadata: Metadata.optional(),
});

export const BatchStoreVectorsBody = z.strictObject({
  items: z.array(StoreVectorBody).min(1).max(10_000),
});

export const SearchVectorsBody = z.strictObject({
  vector: Vector,
  k: K.default(10),
  filter: z
    .record(z.string(), Json)
    .optional()
    .describe('metadata filter: { key: value } equality, $eq $ne $in $nin $gt $gte $lt $lte $exists, $and $or $not, dotted paths'),
  exact: z.boolean().optional().describe('brute-force exact search instead of the HNSW graph'),
  ef: z.number().int().min(1).max(4096).optional(),
  withVectors: z.boolean().default(false).describe('include each hit’s vector'),
});

export const VectorIdParams = z.object({ id: Id });

export const VectorOut = z.object({
  id: z.string(),
  vector: z.array(z.number()),
  metadata: Metadata,
  createdAt: z.string().optional(),
});

export const VectorHit = z.object({
  id: z.string(),
  distance: z.number(),
  score: z.number(),
  metadata: Metadata,
  vector: z.array(z.number()).optional(),
});

// ---- memory (the integration) -------------------------------------------------------------------------

/** Who a memory belongs to; with an agent token, agentId is the token's agent (and may name no other). */
const ScopeId = z.string().min(1).max(256);
export const MemoryScope = z.strictObject({
  agentId: ScopeId.optional().describe('the agent the memory belongs to (default with an agent token: that agent)'),
  userId: ScopeId.optional().describe('the user the memory is about'),
  runId: ScopeId.optional().describe('the run (session, conversation) it came from'),
});

const MetadataFilter = z
  .record(z.string(), Json)
  .describe('metadata filter: { key: value } equality, $eq $ne $in $nin $gt $gte $lt $lte $exists, $and $or $not, dotted paths');

export const StoreMemoryBody = MemoryScope.extend({
  content: Text(1_000_000),
  metadata: Metadata.optional(),
  persist: z.boolean().optional().describe('also keep the content as an NVM block (default true)'),
  sources: Sources.optional(),
});

export const SearchMemoryBody = MemoryScope.extend({
  query: Text(100_000),
  k: K.default(10),
  mode: z
    .enum(['hybrid', 'dense', 'keyword'])
    .optional()
    .describe('hybrid (default): by meaning and by keyword (BM25), fused by reciprocal rank; dense: meaning only; keyword: BM25 only'),
  filter: MetadataFilter.optional(),
  includeBlocks: z.boolean().optional().describe('also search NVM blocks of every class by meaning (default: memories only)'),
  rerank: z.boolean().optional().describe('rerank the fused top k by cross-similarity with the server’s encoder'),
});

const ScopeOut = {
  agentId: z.string().optional(),
  userId: z.string().optional(),
  runId: z.string().optional(),
};

export const MemoryHit = z.object({
  id: z.string(),
  source: z.enum(['hvs', 'nvm']),
  content: z.string(),
  score: z.number(),
  distance: z.number(),
  blockId: z.string().optional(),
  metadata: Metadata.optional(),
  ...ScopeOut,
  scores: z
    .object({ dense: z.number().optional(), keyword: z.number().optional(), rerank: z.number().optional() })
    .optional()
    .describe('each list’s own score for this hit'),
});

export const MemoryIdParams = z.object({ id: Id });

export const MemoryOut = z.object({
  id: z.string(),
  content: z.string(),
  metadata: Metadata,
  ...ScopeOut,
  blockId: z.string().optional(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Query strings carry text: a filter is its JSON. */
const JsonFilterParam = z
  .string()
  .max(100_000)
  .transform((text, ctx) => {
    try {
      const value = JSON.parse(text) as unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'filter must be a JSON object' });
    return z.NEVER;
  })
  .describe('a metadata filter as JSON');

export const MemoryScopeQuery = MemoryScope;

export const ListMemoryQuery = MemoryScope.extend({
  filter: JsonFilterParam.optional(),
  cursor: z.string().min(1).max(1024).optional().describe('nextCursor of the previous page'),
  limit: QueryInt(1, 1000).optional().describe('memories per page (default 100)'),
});

export const MemoryPageOut = z.object({ memories: z.array(MemoryOut), nextCursor: z.string().optional() });

export const UpdateMemoryBody = z.strictObject({
  content: Text(1_000_000),
  metadata: Metadata.optional().describe('replaces the memory’s metadata (its scope stays)'),
});

export const MemoryVersionOut = z.object({
  version: z.number().int(),
  type: z.enum(['created', 'updated', 'deleted', 'expired']),
  content: z.string(),
  metadata: Metadata,
  actor: z.string(),
  at: z.string(),
});

// ---- blocks -------------------------------------------------------------------------------------------

/** Strict: a misspelt key (`reed`) would be dropped and the block stored open to everyone. */
export const Permissions = z.strictObject({
  read: z.array(z.string()).optional(),
  write: z.array(z.string()).optional(),
});

export const CreateBlockBody = z.strictObject({
  name: z.string().min(1).max(256),
  blockClass: BlockClassValue,
  content: z.union([z.string(), z.record(z.string(), Json), z.array(Json)]).describe('text, or JSON stored as its text'),
  readonly: z.boolean().optional(),
  metadata: Metadata.optional(),
  permissions: Permissions.optional(),
  ttlSeconds: z.number().positive().max(MAX_TTL_SECONDS).optional().describe('CACHE blocks expire after this long (at most ten years)'),
});

export const UpdateBlockBody = z.strictObject({
  content: z.union([z.string(), z.record(z.string(), Json), z.array(Json)]),
  expectedVersion: z.number().int().min(0).optional().describe('optimistic concurrency: fail with 412 unless the block is at this version'),
});

/** One RFC 6902 operation (the NVM checks the rest: JSON Pointer syntax, which ops need a value or a from). */
export const JsonPatchOperationIn = z.object({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string().describe('a JSON Pointer (RFC 6901): "" or "/items/-"'),
  from: z.string().optional().describe('move and copy: the JSON Pointer to take the value from'),
  value: Json.optional().describe('add, replace and test: any JSON value'),
});
export const PatchBlockBody = z
  .array(JsonPatchOperationIn)
  .min(1)
  .describe('an RFC 6902 JSON Patch, applied to the block’s JSON content all or nothing, as one new version');

/** A block as JSON: the NVM's Block with its times as ISO strings. */
export const BlockOut = BlockSchema.extend({ createdAt: z.string(), updatedAt: z.string(), expiresAt: z.string().optional() });

export const BlockHistoryEntryOut = z.object({
  version: z.number().int(),
  type: z.string(),
  content: z.string(),
  metadata: Metadata,
  actor: z.string(),
  at: z.string(),
});

export const BlockIdParams = z.object({ id: Id });

/**
 * `?asOf=` on a read route: answer as the world was then, an ISO 8601 time or a cut (`hvs:12,mail:3,nvm:40`, as
 * GET /v1/cut gives). Checked by the route (a 400 INVALID_AS_OF for anything else).
 */
export const AsOfValue = z
  .string()
  .min(1)
  .describe('answer as the world was at this ISO 8601 time or cut (hvs:12,mail:3,nvm:40, from GET /v1/cut)');
export const AsOfQuery = z.strictObject({ asOf: AsOfValue.optional() });

export const CutOut = z.object({ hvs: z.number().int(), mail: z.number().int(), nvm: z.number().int() });

// ---- forks ----------------------------------------------------------------------------------------

const WorldName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a world name is 1-64 characters of A-Z a-z 0-9 _ -');
export const ForkBody = z.strictObject({
  name: WorldName,
  asOf: AsOfValue.optional().describe('where the fork branches (default: now)'),
  encoder: z
    .strictObject({ name: z.enum(['sentence', 'hashing']), dimension: z.number().int().min(2).max(4096).optional() })
    .optional()
    .describe('another encoder: the fork re-embeds every stored content from the log'),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']).optional().describe('another geometry: re-embedded too'),
});
export const ForkNameParams = z.object({ name: WorldName });
export const PromoteBody = z.strictObject({
  alias: WorldName.optional().describe("the alias clients open (default: this server's world)"),
});
export const ForkOut = z.object({
  name: z.string(),
  parent: z.string(),
  cut: z.object({ hvs: z.number().int().optional(), mail: z.number().int().optional(), nvm: z.number().int().optional() }),
  createdAt: z.string(),
  reembedded: z.object({ encoder: z.string(), dimension: z.number().int(), geometry: z.string() }).optional(),
});

export const GetBlockQuery = z.strictObject({
  version: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  asOf: AsOfValue.optional().describe('the block as it was at this ISO 8601 time or cut'),
});

export const ListBlocksQuery = z.strictObject({
  name: z.string().min(1).optional(),
  class: BlockClassValue.optional(),
  cursor: z.string().min(1).max(1024).optional().describe('nextCursor of the previous page'),
  limit: QueryInt(1, 1000).optional().describe('blocks per page (default 100)'),
  asOf: AsOfValue.optional(),
});

// ---- messages -----------------------------------------------------------------------------------------

export const SendMessageBody = z.strictObject({
  from: ModelId,
  to: ModelId,
  body: Json.refine((v) => v !== undefined, 'a message body is required').describe('any JSON value'),
});

export const MailboxParams = z.object({ model: ModelId });

export const ReceiveMessagesQuery = z.strictObject({
  asOf: AsOfValue.optional().describe('the mailbox as it was then: every message that had reached it, none acknowledged'),
  max: QueryInt(1, 10_000).optional(),
  waitMs: QueryInt(0, 60_000).optional(),
  ack: z
    .enum(['auto', 'explicit'])
    .default('auto')
    .describe(
      'auto: acknowledged once the response has been written in full; explicit: each message carries an ackToken for ' +
        'POST /v1/mailboxes/{model}/ack, and comes back after ackWaitMs unless acknowledged',
    ),
});

export const MessageOut = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  body: Json,
  sentAt: z.string(),
  seq: z.number(),
  ackToken: z.string().optional().describe('with ?ack=explicit: acknowledges this message'),
});

export const ReceivedMessagesOut = z.object({
  messages: z.array(MessageOut),
  ackWaitMs: z.number().int().optional().describe('with ?ack=explicit: unacknowledged messages come back after this long'),
});

export const AckMessagesBody = z.strictObject({
  tokens: z.array(z.string().min(1).max(1024)).min(1).max(10_000).describe('ackTokens of messages taken with ?ack=explicit'),
});

// ---- facts and cache ----------------------------------------------------------------------------------

export const AddFactBody = z.strictObject({
  subject: Text(10_000),
  predicate: Text(10_000),
  object: Text(10_000),
  source: Text(1_000),
  sources: Sources.optional(),
});

export const QueryFactsBody = z.strictObject({
  query: Text(100_000),
  k: K.default(10),
});

const SourceLinkOut = z.object({ id: z.string(), kind: z.enum(['block', 'vector', 'fact']), version: z.number().int() });

export const FactOut = AddFactBody.omit({ sources: true }).extend({
  factId: z.string(),
  timestamp: z.number(),
  sources: z.array(SourceLinkOut).optional(),
});

export const CacheGetBody = z.strictObject({
  query: Text(100_000),
  threshold: z.number().min(-1).max(1).optional().describe('least similarity score that counts as a hit (default 0.9)'),
});

export const CacheSetBody = z.strictObject({
  key: Text(100_000),
  value: Json.refine((v) => v !== undefined, 'a value is required'),
  sources: Sources.optional(),
});

// ---- errors -------------------------------------------------------------------------------------------

/** RFC 9457 problem details, with our stable error code. */
export const AuditKind = z.enum(['vector', 'block', 'fact', 'mailbox', 'memory']);
export const AuditParams = z.object({ kind: AuditKind, id: Id });
export const AuditEntryOut = z.object({
  store: z.enum(['hvs', 'mail', 'nvm']),
  stream: z.string(),
  position: z.number().int(),
  time: z.string(),
  actor: z.string(),
  type: z.string(),
  eventId: z.string(),
  correlationId: z.string().optional().describe('the API call that made it (X-Request-Id over HTTP)'),
  causationId: z.string().optional().describe('the event it followed from, within the same call'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  diff: z.string().optional().describe('for block content: a unified diff from before to after'),
});

export const ProvenanceParams = z.object({ id: Id });
export const ProvenanceOut = z.object({
  id: z.string(),
  derivedFrom: z
    .array(
      SourceLinkOut.extend({
        current: z.boolean().describe('the source is still at the recorded version'),
        deleted: z.literal(true).optional().describe('the source was deleted (or expired) since'),
      }),
    )
    .describe('what this was computed from, each with the version used'),
  derivatives: z
    .array(z.object({ id: z.string(), kind: z.string().describe('memory, fact or cache_entry') }))
    .describe('what was computed from this'),
});

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

// ---- MCP tool arguments (names fixed by the issue: snake_case) -----------------------------------------

/** The `as_of` argument of the read tools: answer as the world was then (an ISO time or a cut). */
const AsOfArg = AsOfValue.optional().describe(
  'answer as the world was at this ISO 8601 time or cut (hvs:12,mail:3,nvm:40); the mailbox then: every message it had, none taken',
);

/** The block tools' `namespace` argument (as the `{name}` of /v1/namespaces/{name}/blocks). */
const NamespaceArg = z
  .string()
  .regex(NAMESPACE_PATTERN, 'a namespace name is 1-64 characters of A-Z a-z 0-9 _ -')
  .optional()
  .describe('the NVM namespace (default: `default`, the one /v1/blocks uses)');

export const toolArgs = {
  store_memory: {
    content: StoreMemoryBody.shape.content,
    metadata: Metadata.optional(),
    user_id: ScopeId.optional(),
    run_id: ScopeId.optional(),
    agent_id: ScopeId.optional().describe('operator only: an agent token stores as its own agent'),
  },
  search_memory: {
    query: SearchMemoryBody.shape.query,
    k: K.optional(),
    mode: SearchMemoryBody.shape.mode,
    filter: MetadataFilter.optional(),
    user_id: ScopeId.optional(),
    run_id: ScopeId.optional(),
    agent_id: ScopeId.optional(),
    include_blocks: z.boolean().optional().describe('also search blocks of every class (default: memories only)'),
    as_of: AsOfArg,
  },
  get_memory: { id: Id, user_id: ScopeId.optional(), run_id: ScopeId.optional(), agent_id: ScopeId.optional() },
  list_memories: {
    filter: MetadataFilter.optional(),
    cursor: z.string().min(1).max(1024).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    user_id: ScopeId.optional(),
    run_id: ScopeId.optional(),
    agent_id: ScopeId.optional(),
  },
  update_memory: { id: Id, content: UpdateMemoryBody.shape.content, metadata: Metadata.optional() },
  delete_memory: { id: Id },
  memory_history: { id: Id },
  get_block: {
    id: Id.optional().describe('the block id'),
    name: z.string().min(1).max(256).optional().describe('the block name (when no id is given)'),
    as_of: AsOfArg,
    namespace: NamespaceArg,
  },
  update_block: {
    id: Id,
    content: z.string().describe('the new content (JSON blocks take JSON text)'),
    expected_version: z.number().int().min(0).optional(),
    namespace: NamespaceArg,
  },
  patch_block: {
    id: Id,
    patch: PatchBlockBody,
    expected_version: z.number().int().min(0).optional(),
    namespace: NamespaceArg,
  },
  list_namespaces: {},
  send_message: { from: ModelId, to: ModelId, body: Json.describe('any JSON value') },
  receive_messages: { model_id: ModelId, as_of: AsOfArg },
  add_fact: AddFactBody.shape,
  query_facts: { query: QueryFactsBody.shape.query, k: K.optional(), as_of: AsOfArg },
} as const;

// ---- operations ---------------------------------------------------------------------------------------

export const HealthOut = z.looseObject({
  status: z.enum(['ok', 'degraded']),
  reason: z.string().optional().describe('why writes cannot be acknowledged (degraded only)'),
  position: z.number().int().describe('the vector projection’s position'),
  embedded: z.boolean().describe('JetStream runs inside this server'),
  durability: z.unknown().describe('the durability in force (replicas, sync)'),
  natsUrl: z.string().optional().describe('where NATS is (the operator only)'),
});

export const StatsOut = z.looseObject({
  hvs: z.looseObject({
    position: z.number().int(),
    vectors: z.number().int(),
    dimension: z.number().int(),
    geometry: z.string(),
    natsUrl: z.string().optional(),
  }),
  nvm: z.looseObject({ position: z.number().int() }),
  encoder: z.object({ name: z.string(), dimension: z.number().int() }),
  blocks: z.number().int().describe('blocks the caller may read'),
});

// ---- OpenAPI components ---------------------------------------------------------------------------------

/**
 * The schemas the OpenAPI document names once under `components.schemas` and refers to everywhere else. A registry of
 * our own, not zod's global one: the MCP tools' JSON Schemas stay self-contained.
 */
export const components = z.registry<{ id: string }>();
for (const [id, schema] of Object.entries({
  Problem,
  StoreVector: StoreVectorBody,
  VectorRecord: VectorOut,
  VectorHit,
  MemoryHit,
  Memory: MemoryOut,
  MemoryVersion: MemoryVersionOut,
  Permissions,
  Block: BlockOut,
  BlockVersion: BlockHistoryEntryOut,
  JsonPatchOperation: JsonPatchOperationIn,
  Message: MessageOut,
  Fact: FactOut,
  AuditEntry: AuditEntryOut,
  Provenance: ProvenanceOut,
} satisfies Record<string, z.ZodType>)) {
  components.add(schema, { id });
}
