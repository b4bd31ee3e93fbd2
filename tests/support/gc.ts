// A callable gc() without --expose-gc on the command line (vitest workers, tsx): V8 makes it available at run time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Makes `globalThis.gc` callable if it is not; false when the runtime refuses. */
export function ensureGc(): boolean {
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') return true;
  try {
    setFlagsFromString('--expose-gc');
    (globalThis as { gc?: unknown }).gc = runInNewContext('gc') as unknown;
    return typeof (globalThis as { gc?: unknown }).gc === 'function';
  } catch {
    return false;
  }
}
