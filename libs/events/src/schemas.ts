// zod schemas of every event HVS-NVM records, and the shared value schemas they are built from.
import { z } from 'zod';
import { NAMESPACE_PATTERN } from './names.js';

/** Ids that are safe as NATS subject tokens (vector, block, message, model and fact ids). */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_\-:=]{0,127}$/, 'an id is 1-128 characters of A-Z a-z 0-9 _ - : = and starts with a letter or digit');

/** Agent (actor / model) ids: same alphabet as ids. */
export const ActorId = Id;

/** The trusted local owner's identity (NVM's SYSTEM_ACTOR): permissions do not restrict it, so no agent may have it. */
export const RESERVED_ACTOR_ID = 'system';

/** True for ids no agent may be given: the owner's (in any case), and anything that is not an ActorId ('*', '', wildcards). */
export function isReservedAgentId(id: string): boolean {
  return id.toLowerCase() === RESERVED_ACTOR_ID || !ActorId.safeParse(id).success;
}

/**
 * The id of an agent, as minted (tokens, NATS users) or accepted as an identity (X-HVS-Actor, NVM.as): an ActorId
 * that is not the owner's. '*' (everyone in permission lists), '' and NATS wildcards or dots fail the alphabet.
 */
export const AgentId = ActorId.refine((id) => id.toLowerCase() !== RESERVED_ACTOR_ID, {
  message: `'${RESERVED_ACTOR_ID}' is reserved for the trusted local owner and is not an agent id`,
});

export const Float32Vector = z.instanceof(Float32Array, { message: 'expected a Float32Array' });

/** Deeper nesting than this is refused (and keeps the check off the stack limit). */
export const MAX_JSON_DEPTH = 256;

/**
 * True for what JSON can carry: strings, finite numbers, booleans, null, arrays and plain objects of those.
 * A hand-written walk: a recursive zod union tries up to six schemas per node and dominated the cost of every
 * message and vector event.
 */
export function isJsonValue(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonValue(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(value)) {
        if (!isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const JSON_MESSAGE = `expected JSON: strings, finite numbers, booleans, null, arrays and plain objects, nested at most ${MAX_JSON_DEPTH} deep`;
export const JsonValue = z.custom<unknown>((v) => isJsonValue(v), { message: JSON_MESSAGE });
export const JsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && isJsonValue(v),
  { message: `expected a JSON object; ${JSON_MESSAGE}` },
);

export const BlockClassValue = z.enum(['documentation', 'program_state', 'knowledge_graph', 'shared_knowledge', 'cache']);

export const Permissions = z.object({ read: z.array(z.string()).optional(), write: z.array(z.string()).optional() });

// ---- HVS: vectors --------------------------------------------------------------------------------
export const VectorStored = z.object({ id: Id, vector: Float32Vector, metadata: JsonObject });
export const VectorDeleted = z.object({ id: Id });

/** The first event of a collection: what every writer and reader must agree on. */
export const CollectionConfigured = z.object({
  dimension: z.number().int().min(1).max(65_536),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
});

/**
 * The server's registry of collections (its own stream): a collection created with its settings, or deleted. The
 * HVS stream's CollectionConfigured still fixes dimension and geometry; this adds the index parameters.
 */
export const CollectionCreated = z.object({
  name: z.string().regex(NAMESPACE_PATTERN),
  dimension: z.number().int().min(1).max(65_536),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
  M: z.number().int().min(2).max(128),
  efConstruction: z.number().int().min(8).max(4096),
  ef: z.number().int().min(1).max(4096),
});
export const CollectionDeleted = z.object({ name: z.string().regex(NAMESPACE_PATTERN) });

/**
 * The server's registry of NVM namespaces (its own stream): a namespace created, or deleted (its NVM stream removed
 * with it). The namespace's own stream NVM_<name> holds its blocks, names and facts.
 */
export const NamespaceCreated = z.object({ name: z.string().regex(NAMESPACE_PATTERN) });
export const NamespaceDeleted = z.object({ name: z.string().regex(NAMESPACE_PATTERN) });

// ---- HVS: agents and messages -------------------------------------------------------------------
export const ModelConnected = z.object({ modelId: ActorId });
export const ModelDisconnected = z.object({ modelId: ActorId });
export const MessageSent = z.object({ messageId: Id, from: ActorId, to: ActorId, body: JsonValue });
export const MessageAcked = z.object({ messageId: Id, modelId: ActorId });
export const MessageDeadLettered = z.object({
  messageId: Id,
  to: ActorId,
  deliveries: z.number().int().nonnegative(),
  reason: z.string(),
});

// ---- NVM: blocks ---------------------------------------------------------------------------------
export const BlockCreated = z.object({
  blockId: Id,
  name: z.string().min(1).max(256),
  blockClass: BlockClassValue,
  content: z.string(),
  readonly: z.boolean(),
  metadata: JsonObject,
  permissions: Permissions,
  ttlSeconds: z.number().positive().optional(),
});
export const BlockUpdated = z.object({ blockId: Id, content: z.string(), metadata: JsonObject.optional() });
/** An RFC 6901 JSON Pointer: '' (the whole document) or '/'-separated tokens, '~' only as ~0 or ~1. */
export const JsonPointer = z.string().regex(/^(\/([^~]|~[01])*)*$/, "a JSON Pointer is '' or starts with '/'; '~' is written ~0 or ~1");
/** One RFC 6902 operation. */
export const JsonPatchOperation = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), path: JsonPointer, value: JsonValue }),
  z.strictObject({ op: z.literal('remove'), path: JsonPointer }),
  z.strictObject({ op: z.literal('replace'), path: JsonPointer, value: JsonValue }),
  z.strictObject({ op: z.literal('move'), from: JsonPointer, path: JsonPointer }),
  z.strictObject({ op: z.literal('copy'), from: JsonPointer, path: JsonPointer }),
  z.strictObject({ op: z.literal('test'), path: JsonPointer, value: JsonValue }),
]);
export const MAX_PATCH_OPERATIONS = 1_000;
export const JsonPatch = z.array(JsonPatchOperation).min(1).max(MAX_PATCH_OPERATIONS);
/** A block's content changed by an RFC 6902 patch, applied to the JSON text of the version before it. */
export const BlockPatched = z.object({ blockId: Id, patch: JsonPatch });
export const BlockDeleted = z.object({ blockId: Id });
export const BlockExpired = z.object({ blockId: Id, expiredAt: z.string() });
/** Claims a block name (unique names are enforced by appending this to the name's own stream). */
export const BlockNameClaimed = z.object({ name: z.string().min(1).max(256), blockId: Id });
export const BlockNameReleased = z.object({ name: z.string().min(1).max(256), blockId: Id });

// ---- Shared knowledge and the semantic cache ----------------------------------------------------
export const FactAdded = z.object({
  factId: Id,
  subject: z.string().min(1),
  predicate: z.string().min(1),
  object: z.string().min(1),
  source: z.string(),
  timestamp: z.number(),
});
export const CacheEntrySet = z.object({
  cacheId: Id,
  entryId: Id,
  key: z.string(),
  value: JsonValue,
  createdAt: z.number(),
  expiresAt: z.number(),
  dependsOn: z.array(z.string()).optional(),
});

// ---- Forks: the registry of worlds branched from another ---------------------------------------
/** A store of a world (an HVS collection with its mailboxes, or an NVM namespace) branched from its parent's log. */
export const ForkCreated = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  kind: z.enum(['hvs', 'nvm']),
  /** The parent's collection or namespace. */
  parent: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** Where it branched: the parent's positions it reads up to (hvs and mail for an HVS fork, nvm for an NVM fork). */
  cut: z.object({
    hvs: z.number().int().min(0).optional(),
    mail: z.number().int().min(0).optional(),
    nvm: z.number().int().min(0).optional(),
  }),
  /** A fork re-embedded with another encoder or geometry: its vectors are its own (made from the parent's content). */
  reembedded: z.object({ encoder: z.string(), dimension: z.number().int().positive(), geometry: z.string() }).optional(),
});
export const ForkDeleted = z.object({ name: z.string(), kind: z.enum(['hvs', 'nvm']) });
/** Points an alias (the name clients open) at a world: how clients switch to a promoted fork. */
export const WorldAliased = z.object({
  alias: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  world: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
});

/** Every event type and the schema of its data, at its current schema version. */
export const eventDataSchemas = {
  CollectionConfigured,
  CollectionCreated,
  CollectionDeleted,
  NamespaceCreated,
  NamespaceDeleted,
  VectorStored,
  VectorDeleted,
  ModelConnected,
  ModelDisconnected,
  MessageSent,
  MessageAcked,
  MessageDeadLettered,
  BlockCreated,
  BlockUpdated,
  BlockPatched,
  BlockDeleted,
  BlockExpired,
  BlockNameClaimed,
  BlockNameReleased,
  FactAdded,
  CacheEntrySet,
  ForkCreated,
  ForkDeleted,
  WorldAliased,
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;
export const EventTypeSchema = z.enum(Object.keys(eventDataSchemas) as [EventType, ...EventType[]]);

/** Current schema version of every event type (bump together with an upcaster). */
export const currentSchemaVersion: Record<EventType, number> = Object.fromEntries(
  Object.keys(eventDataSchemas).map((t) => [t, 1]),
) as Record<EventType, number>;

/** The envelope's metadata: what travels with every event besides its data. */
export const EventMetadataSchema = z.object({
  eventId: z.uuid(),
  type: EventTypeSchema,
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  actor: z.string().min(1),
  correlationId: z.string().optional(),
  causationId: z.string().optional(),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;
