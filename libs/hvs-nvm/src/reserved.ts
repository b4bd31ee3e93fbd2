// The patterns' own vector entries: written with the reserved metadata key (which the public API refuses), found and trusted only with it.
import { z } from 'zod';
import type { HVS, VectorInput } from '@hvs-nvm/hvs';
import { RESERVED_METADATA_KEY, storeReservedVectors } from '@hvs-nvm/hvs/internal';

export type EntryKind = 'fact' | 'cache_entry' | 'document';

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
): Promise<string> {
  const [stored] = await storeReservedVectors(hvs, [
    { vector, metadata: { ...metadata, [RESERVED_METADATA_KEY]: { kind } }, ...(id !== undefined ? { id } : {}) },
  ]);
  return stored!;
}

/** Refuses caller metadata that claims the reserved key (it would be laundered into a trusted entry). */
export const WithoutReservedKey = z
  .record(z.string(), z.unknown())
  .refine((m) => !Object.hasOwn(m, RESERVED_METADATA_KEY), `metadata key '${RESERVED_METADATA_KEY}' is reserved for HVS-NVM's own entries`);
