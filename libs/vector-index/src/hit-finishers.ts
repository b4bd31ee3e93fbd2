// How a graph's ranked labels become hits: exact distances (and, when asked, copies of the vectors) over a small
// reader of the index's slots. Three ways: the native gather (float64 sums and vector copies in one call), the lorentz
// rescore of a few more than k, and the quantized read-back of each hit's float element.
import type { Coordinates, Metric } from '@hvs-nvm/hnsw';
import { distanceFrom, sphericalFromSums, type Geometry } from './geometry.js';
import type { IdTable } from './id-table.js';
import type { SearchHit } from './index-options.js';
import { byDistance } from './slots.js';

/** What the finishers read of the index's slots. */
export interface SlotReader {
  readonly dimension: number;
  readonly geometry: Geometry;
  /** The graph's metric. */
  readonly space: Metric;
  /** The graph holds codes: elements are read back per label (`elementOf`), the arena is empty. */
  readonly quantized: boolean;
  /** Ids by label (undefined for a free slot): the index's current array. */
  ids(): IdTable;
  /** The zero-copy view of the graph's elements (see VectorIndex.arena). */
  arena(): Float32Array | Float64Array;
  /** Where label's element starts in the arena. */
  offset(label: number): number;
  /** Label's laid-out element and where it starts: in the arena, or (quantized) read into a scratch element. */
  elementOf(label: number): [Float32Array | Float64Array, number];
  /** Copies label's original vector into `out` at `at`. */
  copyLabel(label: number, out: Float32Array, at: number): void;
  /** The native gather (see Graph.gather): float64 sums of labels' exact distances, and copies of their vectors. */
  gather(query: Coordinates, labels: Uint32Array, count: number, sums: Float64Array, vectors?: Float32Array): void;
}

/** The caller's allocator for the hits' vectors: one array of `floats`, of which the hits get views in order. */
export type VectorBlock = (floats: number) => Float32Array;

export class HitFinisher {
  /** The float64 sums `gather` returns for a search's hits (two per hit at most). */
  private sums = new Float64Array(128);
  /** Lorentz: the rescored hits' labels, nearest first, for the native copy of their vectors. */
  private order = new Uint32Array(32);

  constructor(
    private readonly slots: SlotReader,
    /** The prepared query buffer (see distanceFrom), shared with the index's other searches. */
    private readonly queryScratch: Float64Array,
  ) {}

  /**
   * Hits of graph-ranked labels (euclidean, spherical), ascending by exact distance: the distances finished from the
   * float64 sums `gather` accumulates natively (bit for bit what distanceFrom gives), which also copies the hits'
   * vectors into the array `vectors` gives, when asked.
   */
  ranked(query: Coordinates, labels: Uint32Array, count: number, vectors?: VectorBlock): SearchHit[] {
    if (count === 0) return [];
    const slots = this.slots;
    if (slots.quantized) return this.quantized(query, labels, count, vectors);
    const dim = slots.dimension;
    const spherical = slots.geometry === 'spherical';
    if (this.sums.length < 2 * count) this.sums = new Float64Array(2 * count);
    const sums = this.sums;
    const block = vectors?.(count * dim);
    slots.gather(query, labels, count, sums, block);
    let qn = 0;
    if (spherical) {
      let qn2 = 0;
      for (let i = 0; i < dim; i++) qn2 += query[i]! * query[i]!;
      qn = Math.sqrt(qn2);
    }
    const ids = slots.ids();
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = ids.at(label);
      if (id === undefined) continue;
      let distance = spherical ? sphericalFromSums(sums[2 * i]!, sums[2 * i + 1]!, qn) : Math.sqrt(sums[i]!);
      // A tiny angle (near-duplicate): arccos is ill-conditioned there, distanceFrom takes the chord.
      if (distance < 0) distance = distanceFrom(slots.geometry, query, this.queryScratch)(slots.arena(), slots.offset(label));
      hits.push(block ? { id, label, distance, data: viewOf(block, i, dim) } : { id, label, distance });
    }
    // The graph ranks by float32 distances: the exact ones are nearly always in the same order already.
    return sortedByDistance(hits);
  }

  /**
   * A lorentz graph ranks by cosh d − 1 rounded to float32: a few more of the beam's nearest than k are rescored
   * exactly in float64 and cut to k; the vectors of the k are then copied natively in one call.
   */
  lorentz(query: Coordinates, k: number, labels: Uint32Array, count: number, vectors?: VectorBlock): SearchHit[] {
    const slots = this.slots;
    const dist = distanceFrom(slots.geometry, query, this.queryScratch);
    const ids = slots.ids();
    const arena = slots.arena();
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = ids.at(label);
      if (id !== undefined) hits.push({ id, label, distance: dist(arena, slots.offset(label)) });
    }
    sortedByDistance(hits);
    if (hits.length > k) hits.length = k;
    if (vectors && hits.length > 0) {
      const dim = slots.dimension;
      const block = vectors(hits.length * dim);
      if (this.order.length < hits.length) this.order = new Uint32Array(hits.length);
      const order = this.order;
      for (let i = 0; i < hits.length; i++) order[i] = hits[i]!.label;
      if (slots.space === 'lorentz64') {
        // float64 elements: gather copies float32 elements only; the k copies round to float32 here.
        for (let i = 0; i < hits.length; i++) slots.copyLabel(order[i]!, block, i * dim);
      } else {
        // No sums for this metric: gather only copies the vectors (the element's time coordinate stays behind).
        slots.gather(query, order, hits.length, this.sums, block);
      }
      for (let i = 0; i < hits.length; i++) hits[i]!.data = viewOf(block, i, dim);
    }
    return hits;
  }

  /** A quantized graph's hits: it holds codes, so each hit's float element is read back and its distance taken in JS. */
  private quantized(query: Coordinates, labels: Uint32Array, count: number, vectors?: VectorBlock): SearchHit[] {
    const slots = this.slots;
    const dist = distanceFrom(slots.geometry, query, this.queryScratch);
    const dim = slots.dimension;
    const ids = slots.ids();
    const block = vectors?.(count * dim);
    const hits: SearchHit[] = [];
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      const id = ids.at(label);
      if (id === undefined) continue;
      const distance = dist(...slots.elementOf(label));
      if (!block) {
        hits.push({ id, label, distance });
        continue;
      }
      slots.copyLabel(label, block, i * dim);
      hits.push({ id, label, distance, data: viewOf(block, i, dim) });
    }
    return sortedByDistance(hits);
  }
}

/** The i-th vector of `block`: the constructor costs ~60 % of what `subarray` does (no species lookup). */
function viewOf(block: Float32Array, i: number, dim: number): Float32Array {
  return new Float32Array(block.buffer, block.byteOffset + i * dim * Float32Array.BYTES_PER_ELEMENT, dim);
}

/**
 * Sorts hits ascending by distance in place. An insertion sort: the hits come nearly ordered (the graph's float32
 * ranking), where Array.prototype.sort's comparator calls cost more than the few moves.
 */
export function sortedByDistance(hits: SearchHit[]): SearchHit[] {
  if (hits.length > 64) return hits.sort(byDistance);
  for (let i = 1; i < hits.length; i++) {
    const h = hits[i]!;
    let j = i - 1;
    while (j >= 0 && hits[j]!.distance > h.distance) {
      hits[j + 1] = hits[j]!;
      j--;
    }
    hits[j + 1] = h;
  }
  return hits;
}
