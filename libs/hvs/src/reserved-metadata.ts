// The metadata key HVS-NVM's patterns keep for their own entries: refused on the public write path, so its presence vouches for an entry.
import { ReservedMetadataError } from './errors.js';

/** Top-level metadata key that only the patterns write (through @hvs-nvm/hvs/internal). */
export const RESERVED_METADATA_KEY = '_hvsnvm';

/** The HVS method behind `storeReservedVectors`; only ./internal.ts hands it out. */
export const storeReserved = Symbol('hvs.storeReserved');

/** Refuses metadata that claims the reserved key (item: its index in a batch). */
export function refuseReservedMetadata(metadata: Record<string, unknown>, item: number): void {
  if (Object.hasOwn(metadata, RESERVED_METADATA_KEY)) throw new ReservedMetadataError(RESERVED_METADATA_KEY, item);
}
