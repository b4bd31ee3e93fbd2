// The raw baseline: hnswlib-node used directly, the way a careful caller would (one reused number[] per call).
import hnswlib from 'hnswlib-node';
import { row, type VectorSet } from './data.js';

export const HNSW = { M: 16, efConstruction: 200, ef: 64, seed: 100 } as const;

export function newRawIndex(
  space: 'l2' | 'cosine',
  d: number,
  capacity: number,
  M: number = HNSW.M,
  efConstruction: number = HNSW.efConstruction,
) {
  const index = new hnswlib.HierarchicalNSW(space, d);
  index.initIndex(capacity, M, efConstruction, HNSW.seed, false);
  index.setEf(HNSW.ef);
  return index;
}

/** Adds rows [from, to) of `set` under labels = row numbers, optionally mapped (e.g. into the Poincaré ball). */
export function addRows(
  index: hnswlib.HierarchicalNSW,
  set: VectorSet,
  from = 0,
  to = set.n,
  map?: (v: Float32Array, out: number[]) => void,
): void {
  const scratch = new Array<number>(set.d).fill(0);
  for (let i = from; i < to; i++) {
    const v = row(set, i);
    if (map) map(v, scratch);
    else for (let j = 0; j < set.d; j++) scratch[j] = v[j]!;
    index.addPoint(scratch, i);
  }
}

/** Lorentz-model input x ↦ its Poincaré-ball point x / (1 + √(1+|x|²)). */
export function toPoincare(v: Float32Array, out: number[]): void {
  let n2 = 0;
  for (let j = 0; j < v.length; j++) n2 += v[j]! * v[j]!;
  const f = 1 / (1 + Math.sqrt(1 + n2));
  for (let j = 0; j < v.length; j++) out[j] = v[j]! * f;
}
