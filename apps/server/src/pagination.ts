// Cursor pages over a list the server holds in full (blocks): in creation order, ids breaking ties, so a page
// boundary stays put when things are added or deleted meanwhile.
import { HttpError } from './problem.js';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export const DEFAULT_PAGE_SIZE = 100;

interface Position {
  t: number;
  i: string;
}

const encode = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');

function decode(cursor: string): Position {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (typeof p.t === 'number' && typeof p.i === 'string') return p;
  } catch {
    // reported below
  }
  throw new HttpError(400, 'INVALID_CURSOR', `'${cursor.slice(0, 60)}' is not a cursor this list returned`);
}

/** The page after `cursor` (from the start without one) of `limit` items. */
export function paginate<T extends { id: string; createdAt: Date }>(
  all: readonly T[],
  options: { cursor?: string; limit?: number },
): Page<T> {
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const key = (x: T): Position => ({ t: x.createdAt.getTime(), i: x.id });
  const before = (a: Position, b: Position) => a.t < b.t || (a.t === b.t && a.i < b.i);
  const sorted = [...all].sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0));
  const after = options.cursor ? decode(options.cursor) : undefined;
  const from = after ? sorted.findIndex((x) => before(after, key(x))) : 0;
  const items = from < 0 ? [] : sorted.slice(from, from + limit);
  const more = from >= 0 && from + limit < sorted.length;
  return { items, ...(more ? { nextCursor: encode(key(items.at(-1)!)) } : {}) };
}
