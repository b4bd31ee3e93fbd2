// Validation of read arguments at the API edge: block ids, block classes, metadata equality.
import { BlockClassValue, Id } from '@hvs-nvm/events';
import type { BlockClass } from './block.js';
import { BlockNotFoundError, InvalidBlockError } from './errors.js';
import { describe } from './input.js';

export function validBlockId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success)
    throw new BlockNotFoundError(typeof id === 'string' ? id : describe(id), 'not a block id');
  return id;
}

export function blockClassOf(value: unknown): BlockClass | undefined {
  if (value === undefined) return undefined;
  const parsed = BlockClassValue.safeParse(value);
  if (!parsed.success) {
    throw new InvalidBlockError(`unknown block class ${describe(value)}; use one of ${BlockClassValue.options.join(', ')}`);
  }
  return parsed.data;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
