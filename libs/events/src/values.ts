// Caller values seen by every lib's argument checks: is it a plain object, and how to show it in an error message.

/** An object literal or `Object.create(null)`: not an array, a class instance, a Map or a Date. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** String(value) can itself throw (a hostile toString, a revoked proxy): never let describing a value fail. */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return typeof value;
    }
  }
}

/** `a Map object`: a class instance's name says more than its JSON ('{}' for a Map). Undefined for anything else. */
function classOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value) || isPlainObject(value)) {
    return undefined;
  }
  // The prototype's constructor, never an own key.
  const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return `a ${typeof name === 'string' && name !== '' ? name : 'non-plain'} object`;
}

/**
 * A caller's value for an error message, at most `maxChars` long. Never String(v) or a template literal on unknown
 * input: an object such as `{ toString: '' }` makes those throw a raw TypeError in place of the typed error being
 * built. Never throws, on cycles, bigints, huge arrays, revoked proxies or getters that throw.
 */
export function describeValue(value: unknown, maxChars = 120): string {
  let text: string;
  try {
    text =
      classOf(value) ??
      (typeof value === 'string'
        ? JSON.stringify(value)
        : ArrayBuffer.isView(value)
          ? `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`
          : (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? safeString(value)));
  } catch {
    // A cycle or a throwing getter; a revoked proxy throws even on Array.isArray.
    text = safeString(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** An error's message, whatever was thrown (user code such as a toJSON may throw anything, even null). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : `threw ${describeValue(err, 60)}`;
}

/**
 * A call's options argument: omitted or null (as from JSON callers) mean none; anything but a plain object is
 * refused through `refuse` (an array's `filter` is a function, a class instance's getters run code).
 */
export function optionsOf<T extends object>(options: T | null | undefined, call: string, refuse: (message: string) => Error): T {
  if (options === undefined || options === null) return {} as T;
  if (!isPlainObject(options)) throw refuse(`${call} options must be an object, got ${describeValue(options, 60)}`);
  return options;
}
