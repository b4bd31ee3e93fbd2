// JSON text of a caller's value, refusing what JSON.stringify would silently change instead of failing.
import { CodedError } from './errors.js';
import { describeValue, isPlainObject } from './values.js';

/** The value has no faithful JSON form; the message names the path. Callers wrap it in their own typed error. */
export class NotJsonError extends CodedError {
  constructor(message: string) {
    super('NOT_JSON', message, 400);
  }
}

export interface StrictJsonOptions {
  /** `{ "": 1 }` is valid JSON but no metadata filter can address it; refuse it (default: allowed). */
  refuseEmptyKeys?: boolean;
  /** An undefined property is dropped by JSON; refuse it instead (default: dropped; undefined in arrays is always refused). */
  refuseUndefinedProperties?: boolean;
}

/**
 * `JSON.stringify(value)`, but NaN and ±Infinity (which become null), functions, symbols and undefined in arrays
 * (dropped or nulled), bigints (a TypeError), and Maps, Sets or class instances (which become `{}`) are refused with
 * a {@link NotJsonError} naming where they are. A value with `toJSON` (a Date) is judged by what `toJSON` returns.
 * Cycles are refused by JSON.stringify itself, reported the same way.
 */
export function strictJsonText(value: unknown, label: string, options: StrictJsonOptions = {}): string {
  let json: string | undefined;
  // The replacer's first call is for the root, under the key '' of a wrapper object.
  let root = true;
  try {
    json = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      const isRoot = root;
      root = false;
      const where = isRoot ? label : `${label}.${key}`;
      if (!isRoot && key === '' && options.refuseEmptyKeys === true && !Array.isArray(this)) {
        throw new NotJsonError(`${label}: empty keys are not allowed`);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) throw new NotJsonError(`${where} is ${v}`);
      if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') throw new NotJsonError(`${where} is a ${typeof v}`);
      if (v === undefined && (isRoot || Array.isArray(this) || options.refuseUndefinedProperties === true)) {
        throw new NotJsonError(`${where} is undefined`);
      }
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlainObject(v)) {
        throw new NotJsonError(`${where} is ${describeValue(v, 60)}, which JSON cannot hold`);
      }
      return v;
    });
  } catch (err) {
    if (err instanceof NotJsonError) throw err;
    // A cycle, or a toJSON or getter that threw.
    throw new NotJsonError(`${label} is not JSON-serialisable: ${err instanceof Error ? err.message : describeValue(err, 60)}`);
  }
  if (json === undefined) throw new NotJsonError(`${label} has no JSON form`);
  return json;
}
