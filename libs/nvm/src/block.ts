// What a block is: its classes, the Block readers get, the state the deciders and the projection share, and access rules.
import { z } from 'zod';
import { BlockClassValue, JsonObject, Permissions } from '@hvs-nvm/events';

/** The seed's block classes; the values are the lowercase strings recorded in events. */
export const BlockClass = {
  DOCUMENTATION: BlockClassValue.enum.documentation,
  PROGRAM_STATE: BlockClassValue.enum.program_state,
  KNOWLEDGE_GRAPH: BlockClassValue.enum.knowledge_graph,
  SHARED_KNOWLEDGE: BlockClassValue.enum.shared_knowledge,
  CACHE: BlockClassValue.enum.cache,
} as const;
export type BlockClass = z.infer<typeof BlockClassValue>;

export type BlockMetadata = z.infer<typeof JsonObject>;
export type BlockPermissions = z.infer<typeof Permissions>;

/** A block as readers see it. `content` is text; object content is its JSON text. */
export const BlockSchema = z.object({
  id: z.string(),
  name: z.string(),
  blockClass: BlockClassValue,
  content: z.string(),
  readonly: z.boolean(),
  metadata: JsonObject,
  permissions: Permissions,
  /** Revision of the block's stream + 1: 1 after creation, +1 per event. */
  version: z.number().int().positive(),
  createdAt: z.date(),
  updatedAt: z.date(),
  /** CACHE blocks with a TTL: when the block stops being readable. */
  expiresAt: z.date().optional(),
});
export type Block = z.infer<typeof BlockSchema>;

/** The actor that `NVM.open` uses without one: the trusted local owner, whom permissions do not restrict. */
export const SYSTEM_ACTOR = 'system';

/** A block's state as folded from its stream. Times are epoch milliseconds (server timestamps). */
export interface BlockState {
  id: string;
  name: string;
  blockClass: BlockClass;
  content: string;
  readonly: boolean;
  metadata: BlockMetadata;
  permissions: BlockPermissions;
  ttlSeconds?: number;
  /** Number of events in the block's stream (revision + 1). */
  version: number;
  createdAt: number;
  updatedAt: number;
  status: 'live' | 'deleted' | 'expired';
}

/** Longest TTL a cache block or entry may have: ten years. A bigger one (1e300) would mean "never expires". */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** Epoch ms at which a block expires, or undefined when it has no TTL. TTL counts from the last write. */
export function expiresAtMs(state: BlockState): number | undefined {
  return state.ttlSeconds === undefined ? undefined : state.updatedAt + state.ttlSeconds * 1000;
}

/** Live and not past its TTL at `nowMs`. */
export function isReadable(state: BlockState | undefined, nowMs: number): boolean {
  if (!state || state.status !== 'live') return false;
  const expiresAt = expiresAtMs(state);
  return expiresAt === undefined || nowMs < expiresAt;
}

/** Live in the log but past its TTL, with no BlockExpired recorded yet. */
export function isDueForExpiry(state: BlockState, nowMs: number): boolean {
  const expiresAt = expiresAtMs(state);
  return state.status === 'live' && expiresAt !== undefined && nowMs >= expiresAt;
}

function allows(list: readonly string[] | undefined, actor: string): boolean {
  return actor === SYSTEM_ACTOR || list === undefined || list.includes('*') || list.includes(actor);
}

export const canRead = (state: Pick<BlockState, 'permissions'>, actor: string) => allows(state.permissions.read, actor);
export const canWrite = (state: Pick<BlockState, 'permissions'>, actor: string) => allows(state.permissions.write, actor);

/** A reader's copy: callers may mutate it without touching the view. */
export function toBlock(state: BlockState): Block {
  const expiresAt = expiresAtMs(state);
  return {
    id: state.id,
    name: state.name,
    blockClass: state.blockClass,
    content: state.content,
    readonly: state.readonly,
    metadata: structuredClone(state.metadata),
    permissions: structuredClone(state.permissions),
    version: state.version,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
    ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt) } : {}),
  };
}
