// Upcasting: old schema versions of an event are lifted, step by step, to the current one before validation.
import type { EventType } from './schemas.js';

export type Upcaster = (data: unknown) => unknown;

const upcasters = new Map<string, Upcaster>();

/** Registers the step that lifts `type` data from `fromVersion` to `fromVersion + 1`. */
export function registerUpcaster(type: EventType, fromVersion: number, upcast: Upcaster): void {
  upcasters.set(`${type}@${fromVersion}`, upcast);
}

export function upcast(type: EventType, fromVersion: number, toVersion: number, data: unknown): unknown {
  let out = data;
  for (let v = fromVersion; v < toVersion; v++) {
    const step = upcasters.get(`${type}@${v}`);
    if (!step) throw new Error(`no upcaster for ${type} from schema version ${v} to ${v + 1}`);
    out = step(out);
  }
  return out;
}
