// What the payload index can answer of a filter: equality, $in and ranges on dotted paths, combined by $and/$or.
import type { PayloadQuery, PayloadScalar } from '@hvs-nvm/vector-index';

/**
 * The payload query of a valid filter (see filter.ts) and whether it says exactly what the filter does. Parts the
 * index cannot answer ($ne, $nin, $not, $nor, $exists, null, object or array operands, paths with numeric segments)
 * become `all` and make the plan inexact: the filter then still decides among the index's candidates.
 */
export function payloadPlan(filter: Record<string, unknown>): { query: PayloadQuery; exact: boolean } {
  const state = { exact: true };
  const query = documentQuery(filter, state);
  return { query, exact: state.exact };
}

interface State {
  exact: boolean;
}

const ALL: PayloadQuery = { op: 'all' };

function isScalar(v: unknown): v is PayloadScalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function inexact(state: State): PayloadQuery {
  state.exact = false;
  return ALL;
}

function and(parts: PayloadQuery[]): PayloadQuery {
  const useful = parts.filter((p) => p.op !== 'all');
  if (useful.length === 0) return ALL;
  return useful.length === 1 ? useful[0]! : { op: 'and', parts: useful };
}

function documentQuery(filter: Record<string, unknown>, state: State): PayloadQuery {
  const parts: PayloadQuery[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      parts.push(and(value.map((f) => (isObject(f) ? documentQuery(f, state) : inexact(state)))));
    } else if (key === '$or' && Array.isArray(value)) {
      const alternatives = value.map((f) => (isObject(f) ? documentQuery(f, state) : inexact(state)));
      parts.push(alternatives.some((p) => p.op === 'all') ? ALL : { op: 'or', parts: alternatives });
    } else if (key.startsWith('$')) {
      parts.push(inexact(state));
    } else {
      parts.push(fieldQuery(key, value, state));
    }
  }
  return and(parts);
}

function fieldQuery(key: string, value: unknown, state: State): PayloadQuery {
  const path = key.split('.');
  // A numeric segment may index into an array: the index keeps no positions.
  if (path.some((s) => s.length === 0 || /^\d+$/.test(s))) return inexact(state);
  const isOperators = isObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));
  if (!isOperators) return isScalar(value) ? { op: 'terms', path, values: [value] } : inexact(state);
  const parts: PayloadQuery[] = [];
  for (const [op, operand] of Object.entries(value)) {
    switch (op) {
      case '$eq':
        parts.push(isScalar(operand) ? { op: 'terms', path, values: [operand] } : inexact(state));
        break;
      case '$in':
        parts.push(Array.isArray(operand) && operand.every(isScalar) ? { op: 'terms', path, values: operand } : inexact(state));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        parts.push(
          (typeof operand === 'number' && Number.isFinite(operand)) || typeof operand === 'string'
            ? { op: 'range', path, cmp: op, value: operand }
            : inexact(state),
        );
        break;
      default:
        parts.push(inexact(state));
    }
  }
  return and(parts);
}
