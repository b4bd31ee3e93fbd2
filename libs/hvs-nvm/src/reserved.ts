// The patterns' own vector entries: written with the reserved metadata key (which the public API refuses), found and trusted only with it.
import { z } from 'zod';
import type { HVS, VectorInput } from '@hvs-nvm/hvs';
import { RESERVED_METADATA_KEY, storeReservedVectors } from '@hvs-nvm/hvs/internal';
import { SourceLinkSchema, type SourceLink } from './provenance/sources.js';

export type EntryKind = 'fact' | 'cache_entry' | 'document' | 'memory';

/** The metadata filter that finds only entries a pattern of this kind wrote. */
export function entriesOf(kind: EntryKind): Record<string, unknown> {
  return { [`${RESERVED_METADATA_KEY}.kind`]: kind };
}

/** Stores a pattern's entry: `metadata` in the seed's shape, plus the reserved key naming its kind. */
export async function storeEntry(
  hvs: HVS,
  kind: EntryKind,
  vector: VectorInput,
  metadata: Record<string, unknown>,
  id?: string,
  sources?: readonly SourceLink[],
): Promise<string> {
  // The links live under the reserved key: only the patterns write them, so provenance can trust them.
  const reserved = { kind, ...(sources && sources.length > 0 ? { sources: sources.map((s) => ({ ...s })) } : {}) };
  const [stored] = await storeReservedVectors(hvs, [
    { vector, metadata: { ...metadata, [RESERVED_METADATA_KEY]: reserved }, ...(id !== undefined ? { id } : {}) },
  ]);
  return stored!;
}

/** Refuses caller metadata that claims the reserved key (it would be laundered into a trusted entry). */
export const WithoutReservedKey = z
  .record(z.string(), z.unknown())
  .refine((m) => !Object.hasOwn(m, RESERVED_METADATA_KEY), `metadata key '${RESERVED_METADATA_KEY}' is reserved for HVS-NVM's own entries`);

/** The source links an entry's reserved metadata records: [] when it records none, null when they are malformed. */
export function sourcesOf(metadata: Record<string, unknown>): SourceLink[] | null {
  const reserved = metadata[RESERVED_METADATA_KEY];
  const sources = typeof reserved === 'object' && reserved !== null ? (reserved as { sources?: unknown }).sources : undefined;
  if (sources === undefined) return [];
  const parsed = z.array(SourceLinkSchema).safeParse(sources);
  return parsed.success ? parsed.data : null;
}

/** The kind an entry's reserved metadata names, if any. */
export function kindOf(metadata: Record<string, unknown>): string | undefined {
  const reserved = metadata[RESERVED_METADATA_KEY];
  const kind = typeof reserved === 'object' && reserved !== null ? (reserved as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : undefined;
}
