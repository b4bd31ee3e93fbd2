// Blocks on the wire between the block-view query service and its remote readers: dates travel as epoch milliseconds.
import type { Block } from './block.js';
import type { BlockHistoryEntry } from './types.js';

/** Dates travel as epoch milliseconds. */
export type WireBlock = Omit<Block, 'createdAt' | 'updatedAt' | 'expiresAt'> & { createdAt: number; updatedAt: number; expiresAt?: number };

export function toWire(b: Block): WireBlock {
  const { createdAt, updatedAt, expiresAt, ...rest } = b;
  return {
    ...rest,
    createdAt: createdAt.getTime(),
    updatedAt: updatedAt.getTime(),
    ...(expiresAt ? { expiresAt: expiresAt.getTime() } : {}),
  };
}

export function fromWire(b: WireBlock): Block {
  const { createdAt, updatedAt, expiresAt, ...rest } = b;
  return {
    ...rest,
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
    ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt) } : {}),
  };
}

export type WireHistoryEntry = Omit<BlockHistoryEntry, 'at'> & { at: number };
