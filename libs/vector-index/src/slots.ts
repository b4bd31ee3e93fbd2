// The index's slot rules that need none of its state: id and k checks, and hit order.
import { describeValue, InvalidArgumentError, InvalidIdError } from './errors.js';
import type { SearchHit } from './index-options.js';

/** The id of each slot (undefined for a free one): an IdTable, or a plain array. */
export interface LabelIds {
  at(label: number): string | undefined;
}

const MAX_ID_LENGTH = 256;

export function byDistance(a: SearchHit, b: SearchHit): number {
  return a.distance - b.distance;
}

/** The k nearest of labelled distances, as hits of the labels still holding an id. */
export function topHits(labelToId: LabelIds, found: Map<number, number>, k: number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const [label, distance] of found) {
    const id = labelToId.at(label);
    if (id !== undefined) hits.push({ id, label, distance });
  }
  return hits.sort(byDistance).slice(0, k);
}

export function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) throw new InvalidIdError(id);
}

/** `what` must be a positive integer (k, ef): InvalidArgumentError naming it and the value otherwise. */
export function checkPositiveInteger(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got ${describeValue(n)}`);
}

export const checkK = (k: number): void => checkPositiveInteger('k', k);
