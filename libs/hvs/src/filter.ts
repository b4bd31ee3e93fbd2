// The metadata filter language (MongoDB-style): validation and compilation to a predicate over metadata.
import { z } from 'zod';
import { describeValue, InvalidFilterError } from './errors.js';
import { FORBIDDEN_JSON_KEYS, isPlainObject, jsonShapeProblem } from '@hvs-nvm/events';

/** Deepest nesting of objects and arrays in a filter: real filters use a handful; 5,000 `$not`s overflowed the stack. */
export const MAX_FILTER_DEPTH = 32;

/**
 * `{ path: value }` is equality (deep for objects and arrays); `{ path: { $op: operand } }` applies
 * operators; `$and`/`$or`/`$nor` take lists of filters, `$not` a filter (top level) or an operator
 * object (field level). Paths are dotted: `'a.b.c'`.
 */
export const FilterSchema = z.record(z.string(), z.unknown()).superRefine((filter, ctx) => {
  try {
    compileFilter(filter);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});
export type Filter = z.infer<typeof FilterSchema>;

export type Metadata = Record<string, unknown>;
export type Predicate = (metadata: Metadata) => boolean;
/** A test on the values found at a path (empty when the path is missing). */
type FieldTest = (values: unknown[]) => boolean;

const FIELD_OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$not']);
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor', '$not']);

/** Validates `filter` (throws InvalidFilterError) and returns a predicate that never throws on any metadata. */
export function compileFilter(filter: unknown): Predicate {
  // Before the recursive compiler runs: its depth is the filter's.
  const problem = jsonShapeProblem(filter, 'filter', MAX_FILTER_DEPTH);
  if (problem !== undefined) throw new InvalidFilterError(problem.message);
  return compileDocument(filter, 'filter');
}

function compileDocument(filter: unknown, where: string): Predicate {
  if (!isPlainObject(filter)) throw new InvalidFilterError(`${where} must be an object, got ${describeValue(filter)}`);
  const parts: Predicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) parts.push(compileLogical(key, value, where));
    else parts.push(compileField(parsePath(key, where), value, `${where}.${key}`));
  }
  return all(parts);
}

function compileLogical(op: string, operand: unknown, where: string): Predicate {
  if (!LOGICAL_OPERATORS.has(op)) {
    throw new InvalidFilterError(`unknown operator '${op}' in ${where}; top-level operators are ${[...LOGICAL_OPERATORS].join(' ')}`);
  }
  if (op === '$not') {
    const inner = compileDocument(operand, `${where}.$not`);
    return (m) => !inner(m);
  }
  if (!Array.isArray(operand) || operand.length === 0) {
    throw new InvalidFilterError(`${op} in ${where} needs a non-empty array of filters, got ${describeValue(operand)}`);
  }
  const parts = operand.map((f, i) => compileDocument(f, `${where}.${op}[${i}]`));
  if (op === '$and') return all(parts);
  if (op === '$or') return (m) => parts.some((p) => p(m));
  return (m) => !parts.some((p) => p(m));
}

function compileField(path: string[], value: unknown, where: string): Predicate {
  const test = isOperatorObject(value, where) ? compileOperators(value, where) : equalsTest(checkJson(value, where));
  return (m) => test(resolve(m, path));
}

/** An object whose keys all start with '$' holds operators; mixing them with plain keys is ambiguous. */
function isOperatorObject(value: unknown, where: string): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  const ops = keys.filter((k) => k.startsWith('$')).length;
  if (ops > 0 && ops < keys.length) {
    throw new InvalidFilterError(`${where} mixes operators and plain keys (${keys.join(', ')}); use one or the other`);
  }
  return ops > 0;
}

function compileOperators(ops: Record<string, unknown>, where: string): FieldTest {
  const tests = Object.entries(ops).map(([op, operand]) => compileOperator(op, operand, `${where}.${op}`));
  return tests.length === 1 ? tests[0]! : (values) => tests.every((t) => t(values));
}

function compileOperator(op: string, operand: unknown, where: string): FieldTest {
  switch (op) {
    case '$eq':
      return equalsTest(checkJson(operand, where));
    case '$ne': {
      const eq = equalsTest(checkJson(operand, where));
      return (values) => !eq(values);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw new InvalidFilterError(`${op} at ${where} needs an array, got ${describeValue(operand)}`);
      const tests = operand.map((v, i) => equalsTest(checkJson(v, `${where}[${i}]`)));
      const isIn: FieldTest = (values) => tests.some((t) => t(values));
      return op === '$in' ? isIn : (values) => !isIn(values);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (!((typeof operand === 'number' && Number.isFinite(operand)) || typeof operand === 'string')) {
        throw new InvalidFilterError(`${op} at ${where} needs a finite number or a string, got ${describeValue(operand)}`);
      }
      const cmp = comparator(op, operand);
      // Only values of the operand's type compare (no 2 < '10' surprises); array elements count one by one.
      return (values) => candidates(values).some((v) => typeof v === typeof operand && cmp(v as number | string));
    }
    case '$exists': {
      if (typeof operand !== 'boolean')
        throw new InvalidFilterError(`$exists at ${where} needs true or false, got ${describeValue(operand)}`);
      return (values) => values.length > 0 === operand;
    }
    case '$not': {
      if (!isPlainObject(operand) || !isOperatorObject(operand, where)) {
        throw new InvalidFilterError(`$not at ${where} needs an operator object such as { $gt: 3 }, got ${describeValue(operand)}`);
      }
      const inner = compileOperators(operand, where);
      return (values) => !inner(values);
    }
    default:
      throw new InvalidFilterError(`unknown operator '${op}' at ${where}; field operators are ${[...FIELD_OPERATORS].join(' ')}`);
  }
}

function comparator(op: string, operand: number | string): (v: number | string) => boolean {
  switch (op) {
    case '$gt':
      return (v) => v > operand;
    case '$gte':
      return (v) => v >= operand;
    case '$lt':
      return (v) => v < operand;
    default:
      return (v) => v <= operand;
  }
}

/** Equality as in MongoDB: a value, or any element of an array value, equals; null also matches a missing field. */
function equalsTest(expected: unknown): FieldTest {
  if (expected === null) return (values) => values.length === 0 || candidates(values).some((v) => v === null);
  if (typeof expected !== 'object') return (values) => candidates(values).some((v) => v === expected);
  return (values) => candidates(values).some((v) => deepEqual(v, expected));
}

/** The values themselves plus, for arrays, their elements. */
function candidates(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    out.push(v);
    if (Array.isArray(v)) for (const e of v) out.push(e);
  }
  return out;
}

/** All values at a dotted path; arrays on the way are traversed element by element (or indexed by a numeric segment). */
function resolve(metadata: unknown, path: string[]): unknown[] {
  const out: unknown[] = [];
  const walk = (value: unknown, i: number): void => {
    if (i === path.length) {
      out.push(value);
      return;
    }
    const segment = path[i]!;
    if (Array.isArray(value)) {
      if (/^\d+$/.test(segment) && Number(segment) < value.length) walk(value[Number(segment)], i + 1);
      for (const element of value) if (isPlainObject(element)) walk(element, i);
    } else if (isPlainObject(value) && Object.hasOwn(value, segment)) {
      walk(value[segment], i + 1);
    }
  };
  walk(metadata, 0);
  return out;
}

function parsePath(key: string, where: string): string[] {
  const path = key.split('.');
  if (path.some((s) => s.length === 0)) throw new InvalidFilterError(`field path ${describeValue(key)} in ${where} has an empty segment`);
  const forbidden = path.find((s) => FORBIDDEN_JSON_KEYS.has(s));
  if (forbidden !== undefined)
    throw new InvalidFilterError(`field path ${describeValue(key)} in ${where}: the key '${forbidden}' is not allowed`);
  return path;
}

/** Operands must be JSON values, as metadata is: no undefined, NaN, functions or class instances. */
function checkJson(value: unknown, where: string): unknown {
  const ok = (v: unknown): boolean => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v);
    if (Array.isArray(v)) return v.every(ok);
    if (isPlainObject(v)) return Object.values(v).every(ok);
    return false;
  };
  if (!ok(value)) throw new InvalidFilterError(`${where} is not a JSON value: ${describeValue(value) ?? typeof value}`);
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    // Key order does not matter: metadata goes through JSON and several writers.
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function all(parts: Predicate[]): Predicate {
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0]!;
  return (m) => parts.every((p) => p(m));
}
