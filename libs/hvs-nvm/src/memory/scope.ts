// Who a memory belongs to: any of an agent, a user and a run. Kept as top-level metadata keys of the memory (on its
// block and its vector alike), so one filter selects it in the dense index and the full-text index.
import { z } from 'zod';

export const SCOPE_KEYS = ['agentId', 'userId', 'runId'] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

const ScopeId = z.string().min(1).max(256);

export interface MemoryScope {
  agentId?: string;
  userId?: string;
  runId?: string;
}

export const MemoryScopeSchema = z.strictObject({
  agentId: ScopeId.optional(),
  userId: ScopeId.optional(),
  runId: ScopeId.optional(),
});

/** The scope of a read: with `shared` and an agentId, memories of no agent (the operator's, shared) count too. */
export interface ReadScope extends MemoryScope {
  shared?: boolean;
}

export const ReadScopeSchema = MemoryScopeSchema.extend({ shared: z.boolean().optional() });

/** The scope keys given, as metadata (absent keys left out). */
export function scopeMetadata(scope: MemoryScope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SCOPE_KEYS) if (scope[key] !== undefined) out[key] = scope[key];
  return out;
}

/** The scope a memory's metadata records. */
export function scopeOf(metadata: Record<string, unknown>): MemoryScope {
  const out: MemoryScope = {};
  for (const key of SCOPE_KEYS) if (typeof metadata[key] === 'string') out[key] = metadata[key];
  return out;
}

/** Whether a memory's metadata is within `scope` (every key given must match; `shared`: or the memory has no agent). */
export function inScope(metadata: Record<string, unknown>, scope: ReadScope): boolean {
  return SCOPE_KEYS.every(
    (key) =>
      scope[key] === undefined ||
      metadata[key] === scope[key] ||
      (key === 'agentId' && scope.shared === true && metadata[key] === undefined),
  );
}

/** Metadata keys a caller may not set by hand: the scope (set through its options) and the version its vector was embedded from. */
export const MEMORY_OWN_KEYS = new Set<string>([...SCOPE_KEYS, 'memory_version']);

/** A filter plus the scope, as one metadata filter (undefined: no condition). */
export function combinedFilter(filter: Record<string, unknown> | undefined, scope: ReadScope): Record<string, unknown> | undefined {
  const { agentId, ...rest } = scopeMetadata(scope);
  const agent = agentId === undefined ? {} : scope.shared ? { $or: [{ agentId }, { agentId: { $exists: false } }] } : { agentId };
  const parts = [agent, rest, ...(filter && Object.keys(filter).length > 0 ? [filter] : [])].filter((p) => Object.keys(p).length > 0);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $and: parts };
}
