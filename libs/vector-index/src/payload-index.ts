// The payload index: an inverted index from (metadata path, scalar value) to the sorted slots holding it, evaluated
// into candidate slots for a filtered search (terms, ranges, and/or), with a small cache of recent answers.
import { intersect, PostingList, toBitset, union } from './posting-list.js';

export type PayloadScalar = string | number | boolean;

/**
 * What a filter asks of the payload, as the caller's filter language translates it. Paths are object keys from the
 * metadata's root; arrays on the way are looked through (an array's elements are matched one by one, and an array of
 * objects is walked element by element), as the MongoDB-style filters of HVS do.
 * - `terms`: some value at `path` equals one of `values`;
 * - `range`: some value at `path` of the bound's type (number or string) compares to it as `cmp` says;
 * - `all`: no restriction the index can apply (the caller checks that part itself).
 */
export type PayloadQuery =
  | { op: 'all' }
  | { op: 'terms'; path: readonly string[]; values: readonly PayloadScalar[] }
  | { op: 'range'; path: readonly string[]; cmp: '$gt' | '$gte' | '$lt' | '$lte'; value: number | string }
  | { op: 'and'; parts: readonly PayloadQuery[] }
  | { op: 'or'; parts: readonly PayloadQuery[] };

/** Slots a query may match, ascending. `exact`: they are exactly its matches (no slot needs checking). */
export interface PayloadCandidates {
  labels: Uint32Array;
  exact: boolean;
  /** The same slots as a bitset (bit L of byte L >> 3), built once per cached answer. */
  bitset(): Uint8Array;
}

/** Strings longer than this are not kept as terms: their slots go to the path's overflow list. */
export const MAX_TERM_LENGTH = 256;
/** A document with more terms than this, or nested deeper, is kept whole in the overflow list every query includes. */
export const MAX_TERMS_PER_DOCUMENT = 512;
export const MAX_PATH_DEPTH = 8;
const CACHE_SIZE = 16;
/** Joins path segments in keys; a metadata key holding it is not indexed (its document overflows). */
const SEP = '\u0000';

/** The terms of one path: postings by value, kept sorted by value on demand for ranges. */
class PathTerms {
  readonly numbers = new Map<number, PostingList>();
  readonly strings = new Map<string, PostingList>();
  readonly booleans = new Map<boolean, PostingList>();
  /** Slots with a value here the index does not keep (a long string): every query on this path includes them. */
  readonly overflow = new PostingList();
  private sortedNumbers?: number[];
  private sortedStrings?: string[];

  mapOf(value: PayloadScalar): Map<PayloadScalar, PostingList> {
    const m = typeof value === 'number' ? this.numbers : typeof value === 'string' ? this.strings : this.booleans;
    return m as Map<PayloadScalar, PostingList>;
  }

  add(value: PayloadScalar, label: number): void {
    const m = this.mapOf(value);
    let p = m.get(value);
    if (!p) {
      p = new PostingList();
      m.set(value, p);
      this.keysChanged(value);
    }
    p.add(label);
  }

  delete(value: PayloadScalar, label: number): void {
    const m = this.mapOf(value);
    const p = m.get(value);
    if (!p || !p.delete(label) || p.size > 0) return;
    m.delete(value);
    this.keysChanged(value);
  }

  private keysChanged(value: PayloadScalar): void {
    if (typeof value === 'number') this.sortedNumbers = undefined;
    else if (typeof value === 'string') this.sortedStrings = undefined;
  }

  /** Postings of the values `cmp bound` admits. */
  range(cmp: '$gt' | '$gte' | '$lt' | '$lte', bound: number | string): Uint32Array[] {
    const keys: (number | string)[] =
      typeof bound === 'number'
        ? (this.sortedNumbers ??= [...this.numbers.keys()].sort((a, b) => a - b))
        : (this.sortedStrings ??= [...this.strings.keys()].sort());
    const m = (typeof bound === 'number' ? this.numbers : this.strings) as Map<number | string, PostingList>;
    // First key above (or at) the bound, by binary search over the sorted keys.
    const firstAbove = (inclusive: boolean) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! < bound || (!inclusive && keys[mid] === bound)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const [from, to] =
      cmp === '$gt' ? [firstAbove(false), keys.length] : cmp === '$gte' ? [firstAbove(true), keys.length] : [0, firstAbove(cmp === '$lt')];
    const out: Uint32Array[] = [];
    for (let i = from; i < to; i++) out.push(m.get(keys[i]!)!.view());
    return out;
  }

  get empty(): boolean {
    return this.numbers.size + this.strings.size + this.booleans.size === 0 && this.overflow.size === 0;
  }
}

type Emit = (path: string, value: PayloadScalar | undefined) => void;

/**
 * Every (path, scalar) of a document, as the filters see them: a scalar at a path, each scalar element of an array
 * at a path, and through arrays of objects. `undefined` marks a value kept in the path's overflow. Returns false
 * when the document exceeds the limits (then it is kept whole in the overflow list).
 */
function walkTerms(metadata: Record<string, unknown>, emit: Emit): boolean {
  let terms = 0;
  let ok = true;
  const leaf = (path: string, v: unknown) => {
    if (typeof v === 'number' || typeof v === 'boolean') emit(path, v);
    else if (typeof v === 'string') emit(path, v.length <= MAX_TERM_LENGTH ? v : undefined);
    else return;
    if (++terms > MAX_TERMS_PER_DOCUMENT) ok = false;
  };
  const object = (o: Record<string, unknown>, path: string, depth: number) => {
    if (depth >= MAX_PATH_DEPTH) {
      ok = false;
      return;
    }
    for (const key in o) {
      if (!ok) return;
      if (key.includes(SEP)) {
        ok = false;
        return;
      }
      value(o[key], path === '' ? key : path + SEP + key, depth + 1);
    }
  };
  const value = (v: unknown, path: string, depth: number) => {
    if (v === null || typeof v !== 'object') return leaf(path, v);
    if (Array.isArray(v)) {
      for (const e of v) {
        if (!ok) return;
        if (e !== null && typeof e === 'object') {
          if (!Array.isArray(e)) object(e as Record<string, unknown>, path, depth);
        } else {
          leaf(path, e);
        }
      }
      return;
    }
    object(v as Record<string, unknown>, path, depth);
  };
  object(metadata, '', 0);
  return ok;
}

/** True when `v` and everything it holds are frozen. */
function deepFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(deepFrozen);
}

/**
 * The inverted index. The caller adds each live slot's metadata once and removes it with the same metadata before
 * the slot changes or goes (the index keeps no copy of documents).
 */
export class PayloadIndex {
  private readonly paths = new Map<string, PathTerms>();
  /** Slots whose documents exceed the limits: in every answer, which is then inexact. */
  private readonly overflow = new PostingList();
  /** Bumped by every change: cached answers of older versions are stale. */
  private version = 0;
  private readonly cache = new Map<string, { version: number; answer: PayloadCandidates | undefined }>();
  /** Cache keys of deep-frozen queries (such a query cannot change, so its key is computed once). */
  private readonly keys = new WeakMap<PayloadQuery, string>();

  add(label: number, metadata: Record<string, unknown>): void {
    this.version++;
    const ok = walkTerms(metadata, (path, v) => {
      let terms = this.paths.get(path);
      if (!terms) this.paths.set(path, (terms = new PathTerms()));
      if (v === undefined) terms.overflow.add(label);
      else terms.add(v, label);
    });
    if (!ok) this.overflow.add(label);
  }

  remove(label: number, metadata: Record<string, unknown>): void {
    this.version++;
    walkTerms(metadata, (path, v) => {
      const terms = this.paths.get(path);
      if (!terms) return;
      if (v === undefined) terms.overflow.delete(label);
      else terms.delete(v, label);
      if (terms.empty) this.paths.delete(path);
    });
    this.overflow.delete(label);
  }

  /** Distinct (path, value) terms held. */
  get terms(): number {
    let n = 0;
    for (const t of this.paths.values()) n += t.numbers.size + t.strings.size + t.booleans.size;
    return n;
  }

  /**
   * The slots `query` may match, below `bound` (the index's slot count), or undefined when the index cannot narrow
   * it (every slot may match). Answers are cached until the next change.
   */
  candidates(query: PayloadQuery, bound: number): PayloadCandidates | undefined {
    let key = this.keys.get(query);
    if (key === undefined) {
      key = JSON.stringify(query);
      if (deepFrozen(query)) this.keys.set(query, key);
    }
    const hit = this.cache.get(key);
    if (hit && hit.version === this.version) return hit.answer;
    const set = this.evaluate(query, bound);
    let answer: PayloadCandidates | undefined;
    if (set) {
      let labels = set.labels;
      let exact = set.exact;
      if (this.overflow.size > 0) {
        labels = union([labels, this.overflow.view()], bound);
        exact = false;
      }
      let bits: Uint8Array | undefined;
      answer = { labels, exact, bitset: () => (bits ??= toBitset(labels, bound)) };
    }
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { version: this.version, answer });
    return answer;
  }

  private evaluate(q: PayloadQuery, bound: number): { labels: Uint32Array; exact: boolean } | undefined {
    switch (q.op) {
      case 'all':
        return undefined;
      case 'terms':
      case 'range': {
        if (q.path.length === 0 || q.path.some((s) => s.includes(SEP))) return undefined;
        const terms = this.paths.get(q.path.join(SEP));
        if (!terms) return { labels: new Uint32Array(0), exact: true };
        const lists: Uint32Array[] = [];
        let exact = true;
        if (q.op === 'range') {
          lists.push(...terms.range(q.cmp, q.value));
          // A long string may compare either way: its slots are candidates of any string range.
          if (typeof q.value === 'string' && terms.overflow.size > 0) {
            lists.push(terms.overflow.view());
            exact = false;
          }
        } else {
          for (const v of q.values) {
            if (typeof v === 'string' && v.length > MAX_TERM_LENGTH) {
              if (terms.overflow.size > 0) lists.push(terms.overflow.view());
              exact = false;
              continue;
            }
            const p = terms.mapOf(v).get(v);
            if (p) lists.push(p.view());
          }
        }
        return { labels: union(lists, bound), exact };
      }
      case 'and': {
        const parts: Uint32Array[] = [];
        let exact = true;
        for (const p of q.parts) {
          const r = this.evaluate(p, bound);
          if (!r) {
            exact = false;
            continue;
          }
          parts.push(r.labels);
          exact &&= r.exact;
        }
        return parts.length === 0 ? undefined : { labels: intersect(parts), exact };
      }
      case 'or': {
        const parts: Uint32Array[] = [];
        let exact = true;
        for (const p of q.parts) {
          const r = this.evaluate(p, bound);
          if (!r) return undefined;
          parts.push(r.labels);
          exact &&= r.exact;
        }
        return { labels: union(parts, bound), exact };
      }
    }
  }

  /** The index as bytes for a snapshot: a JSON directory of terms, then their postings as one Uint32 run. */
  serialize(): Buffer {
    const directory: [string, [number, PayloadScalar, number][], number][] = [];
    const lists: Uint32Array[] = [];
    let total = 0;
    const take = (p: PostingList) => {
      lists.push(p.view());
      total += p.size;
      return p.size;
    };
    for (const [path, t] of this.paths) {
      const values: [number, PayloadScalar, number][] = [];
      for (const [type, m] of [
        [0, t.numbers],
        [1, t.strings],
        [2, t.booleans],
      ] as const) {
        for (const [v, p] of m as Map<PayloadScalar, PostingList>) values.push([type, v, take(p)]);
      }
      directory.push([path, values, take(t.overflow)]);
    }
    const header = Buffer.from(
      JSON.stringify({ format: 'hvs-payload-index', version: 1, paths: directory, overflow: take(this.overflow) }),
    );
    const out = Buffer.alloc(4 + header.length + ((4 - (header.length % 4)) % 4) + total * 4);
    out.writeUInt32LE(header.length, 0);
    header.copy(out, 4);
    let at = out.length - total * 4;
    for (const l of lists) {
      Buffer.from(l.buffer, l.byteOffset, l.byteLength).copy(out, at);
      at += l.byteLength;
    }
    return out;
  }

  /** The index `serialize` wrote, or undefined when the bytes are not one (then rebuild it from the documents). */
  static deserialize(bytes: Buffer): PayloadIndex | undefined {
    try {
      const headerLength = bytes.readUInt32LE(0);
      const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as {
        format: string;
        version: number;
        paths: [string, [number, PayloadScalar, number][], number][];
        overflow: number;
      };
      if (header.format !== 'hvs-payload-index' || header.version !== 1) return undefined;
      const blobStart = 4 + headerLength + ((4 - (headerLength % 4)) % 4);
      const words = (bytes.length - blobStart) / 4;
      if (!Number.isInteger(words)) return undefined;
      const all = new Uint32Array(words);
      Buffer.from(all.buffer).set(bytes.subarray(blobStart));
      let at = 0;
      const next = (n: number) => {
        if (at + n > words) throw new RangeError('postings overrun');
        const p = new PostingList(all.slice(at, at + n));
        at += n;
        return p;
      };
      const index = new PayloadIndex();
      for (const [path, values, overflow] of header.paths) {
        const t = new PathTerms();
        for (const [type, v, n] of values) {
          if (typeof v !== (['number', 'string', 'boolean'] as const)[type]) return undefined;
          const m = (type === 0 ? t.numbers : type === 1 ? t.strings : t.booleans) as Map<PayloadScalar, PostingList>;
          m.set(v, next(n));
        }
        const o = next(overflow);
        for (const label of o.view()) t.overflow.add(label);
        index.paths.set(path, t);
      }
      for (const label of next(header.overflow).view()) index.overflow.add(label);
      return at === words ? index : undefined;
    } catch {
      return undefined;
    }
  }
}
