// The shape rules every JSON input (metadata, filters, block content, HTTP bodies) shares: bounded nesting, no `__proto__` keys.

/** Deepest nesting of objects and arrays accepted in metadata, block content and HTTP bodies. */
export const MAX_INPUT_JSON_DEPTH = 64;

/**
 * Keys refused anywhere in a JSON input. `JSON.parse` makes `__proto__` an own key, but every object spread, zod
 * record or `obj[key] = v` copy after it sets the prototype instead, so the key silently disappears (a filter
 * `{"__proto__": {...}}` became `{}`, matching everything). `constructor` and `prototype` survive those copies as
 * ordinary keys, so they stay allowed.
 */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(['__proto__']);

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export interface JsonShapeProblem {
  /** `depth`: nested deeper than allowed; `key`: a forbidden key. */
  kind: 'depth' | 'key';
  message: string;
}

/**
 * Why `value` breaks the shape rules (too deep, or a forbidden key, with the key's path), or undefined when it is
 * fine. Iterative, so a 100,000-deep input is answered rather than overflowing the stack; anything that is not a
 * plain object or array is a leaf here (the callers' own checks say what JSON cannot hold). `label` starts the
 * paths in the message.
 */
export function jsonShapeProblem(value: unknown, label: string, maxDepth = MAX_INPUT_JSON_DEPTH): JsonShapeProblem | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: label }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    const isArray = Array.isArray(v);
    if (!isArray && !isPlain(v)) continue;
    if (depth >= maxDepth) return { kind: 'depth', message: `${path} is nested more than ${maxDepth} levels deep` };
    if (isArray) {
      v.forEach((e: unknown, i) => stack.push({ v: e, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = `${path}.${key}`;
      if (FORBIDDEN_JSON_KEYS.has(key)) return { kind: 'key', message: `${at}: the key '${key}' is not allowed` };
      stack.push({ v: v[key], depth: depth + 1, path: at });
    }
  }
  return undefined;
}
