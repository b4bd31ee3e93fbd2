// What sibling libs (@hvs-nvm/hvs-nvm) may use and callers of the store may not: writing the metadata key reserved for the patterns.
import type { BatchItem, HVS } from './hvs.js';
import { storeReserved } from './reserved-metadata.js';

export { RESERVED_METADATA_KEY } from './reserved-metadata.js';

/** batchStoreVectors for the patterns' own entries, whose metadata carries the reserved key. */
export function storeReservedVectors(hvs: HVS, items: BatchItem[]): Promise<string[]> {
  return hvs[storeReserved](items);
}
