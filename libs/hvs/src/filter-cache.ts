// Compiled filters by their JSON text: a query loop repeats its filter, and compiling it (validation, closures, the
// payload plan) cost several µs per search.
import { isPlainObject } from '@hvs-nvm/events';
import { compileFilter, MAX_FILTER_DEPTH, type Predicate } from './filter.js';
import { payloadPlan } from './filter-plan.js';

/** Distinct filters kept (least recently used dropped first). */
const CACHE_SIZE = 64;

export interface CompiledFilter {
  match: Predicate;
  /** What the payload index can answer of it (deep-frozen: the index may key its own cache by it). */
  plan: ReturnType<typeof payloadPlan>;
}

/**
 * True when `v` is plain JSON that JSON.stringify renders faithfully: plain objects, arrays without holes, strings,
 * booleans, null and finite numbers (no undefined, functions, Dates, typed arrays, NaN), at most `depth` deep. Two
 * such values with the same JSON text are the same filter.
 */
function isPureJson(v: unknown, depth: number): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (depth <= 0) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isPureJson(v[i], depth - 1)) return false;
    return true;
  }
  if (!isPlainObject(v)) return false;
  for (const key in v) {
    if (!Object.hasOwn(v, key) || !isPureJson(v[key], depth - 1)) return false;
  }
  return true;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export class FilterCache {
  private readonly compiled = new Map<string, CompiledFilter>();

  /**
   * The compiled form of `filter`; throws InvalidFilterError as compileFilter does. A pure-JSON filter is compiled
   * once from a private copy (so later changes to the caller's object cannot reach the cached predicate); any other
   * is compiled every time (and most likely refused).
   */
  get(filter: unknown): CompiledFilter {
    if (!isPureJson(filter, MAX_FILTER_DEPTH + 1))
      return { match: compileFilter(filter), plan: deepFreeze(payloadPlan(filter as Record<string, unknown>)) };
    const key = JSON.stringify(filter);
    const hit = this.compiled.get(key);
    if (hit) {
      // Most recently used last.
      this.compiled.delete(key);
      this.compiled.set(key, hit);
      return hit;
    }
    const copy = JSON.parse(key) as Record<string, unknown>;
    const entry: CompiledFilter = { match: compileFilter(copy), plan: deepFreeze(payloadPlan(copy)) };
    if (this.compiled.size >= CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(key, entry);
    return entry;
  }
}
