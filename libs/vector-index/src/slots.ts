// The index's slot rules that need none of its state: id and k checks, hit order, and slots rebuilt from a snapshot.
import { describeValue, InvalidArgumentError, InvalidIdError } from './errors.js';
import type { SearchHit } from './index-options.js';

const MAX_ID_LENGTH = 256;

export function byDistance(a: SearchHit, b: SearchHit): number {
  return a.distance - b.distance;
}

/** The k nearest of labelled distances, as hits of the labels still holding an id. */
export function topHits(labelToId: readonly (string | undefined)[], found: Map<number, number>, k: number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const [label, distance] of found) {
    const id = labelToId[label];
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

/**
 * The slots of a snapshot's id list (an id per label, null for a free label): the free list, lowest labels reused
 * first as a live index would after deletes in order, and the live count; undefined when an entry is neither. (The
 * map by id is left to the index, which builds it when first needed.)
 */
export function slotsFromIds(
  ids: readonly unknown[],
  nextLabel: number,
): { labelToId: (string | undefined)[]; freeLabels: number[]; live: number } | undefined {
  const labelToId = new Array<string | undefined>(nextLabel);
  const freeLabels: number[] = [];
  let live = 0;
  for (let label = 0; label < nextLabel; label++) {
    const id = ids[label];
    if (typeof id === 'string') {
      labelToId[label] = id;
      live++;
    } else if (id === null) {
      freeLabels.push(label);
    } else {
      return undefined;
    }
  }
  return { labelToId, freeLabels: freeLabels.reverse(), live };
}
