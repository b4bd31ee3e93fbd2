// Resolving an as-of point (a time or a cut) to one position per store, and the time that point stands for.
import type { AsOf, Cut } from './cut.js';
import type { EventStore } from './event-store.js';

export type StoreKey = keyof Cut;

/** Positions of the stores asked for, and the moment they stand for (the newest event at the point, or the time). */
export interface ResolvedAsOf {
  positions: Partial<Record<StoreKey, number>>;
  time: Date;
}

/**
 * The position of each store at `asOf`. A time picks, in each store, the last event recorded at or before it. A cut
 * gives positions; a store it does not name gets the position of the moment its named stores reach (so
 * `HVS.open({ asOf: nvm.cut() })` sees the mailboxes as they were then too). Positions past a store's head are clamped.
 */
export async function resolveAsOf(asOf: AsOf, stores: Partial<Record<StoreKey, EventStore>>): Promise<ResolvedAsOf> {
  const keys = Object.keys(stores) as StoreKey[];
  const positions: Partial<Record<StoreKey, number>> = {};
  if (asOf instanceof Date) {
    for (const k of keys) positions[k] = await stores[k]!.positionAt(asOf);
    return { positions, time: asOf };
  }
  let time: Date | undefined;
  for (const k of ['hvs', 'mail', 'nvm'] as const) {
    const at = asOf[k];
    if (at === undefined) continue;
    const store = stores[k];
    if (store) positions[k] = Math.min(at, await store.headPosition());
    // The moment of the cut: the newest of the times of its named positions that this process can read.
    const t = store ? await store.timeAt(positions[k]!) : undefined;
    if (t && (!time || t > time)) time = t;
  }
  time ??= new Date();
  for (const k of keys) positions[k] ??= await stores[k]!.positionAt(time);
  return { positions, time };
}
