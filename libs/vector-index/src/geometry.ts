// Distance maths of the three geometries (exact, in float64 over float32 data), scores, vector validation and Poincaré-ball helpers.
import { DimensionMismatchError, InvalidVectorError } from './errors.js';

export type Geometry = 'euclidean' | 'spherical' | 'hyperboloid';
export const GEOMETRIES: readonly Geometry[] = ['euclidean', 'spherical', 'hyperboloid'];

export type VectorInput = number[] | Float32Array | Float64Array;

/** Distance from a prepared query to the vector stored at `offset` of `data` (an arena or a plain vector). */
export type DistanceFrom = (data: ArrayLike<number>, offset: number) => number;

/**
 * Prepares a query once (norms, Lorentz time coordinate) so that many distances can be taken
 * against an arena without allocating a view per vector.
 */
export function distanceFrom(geometry: Geometry, query: ArrayLike<number>, scratch?: Float64Array): DistanceFrom {
  const dim = query.length;
  // A plain loop: Float64Array.from goes through the iterator protocol, several µs per query. A caller that
  // prepares one query at a time can lend its own buffer (allocating a typed array is ~0.5 µs).
  const q = scratch && scratch.length === dim ? scratch : new Float64Array(dim);
  let qn2 = 0;
  for (let i = 0; i < dim; i++) {
    const x = query[i]!;
    q[i] = x;
    qn2 += x * x;
  }
  const qn = Math.sqrt(qn2);

  switch (geometry) {
    case 'euclidean':
      return (data, offset) => {
        let s = 0;
        for (let i = 0; i < dim; i++) {
          const t = data[offset + i]! - q[i]!;
          s += t * t;
        }
        return Math.sqrt(s);
      };
    case 'spherical':
      return (data, offset) => {
        let dot = 0;
        let xn2 = 0;
        for (let i = 0; i < dim; i++) {
          const x = data[offset + i]!;
          dot += x * q[i]!;
          xn2 += x * x;
        }
        const angle = sphericalFromSums(dot, xn2, qn);
        if (angle >= 0 || angle !== angle) return angle;
        const xn = Math.sqrt(xn2);
        // arccos is ill-conditioned near 1; the chord between unit vectors gives the small angle exactly.
        let chord2 = 0;
        for (let i = 0; i < dim; i++) {
          const t = data[offset + i]! / xn - q[i]! / qn;
          chord2 += t * t;
        }
        return 2 * Math.asin(Math.min(1, Math.sqrt(chord2) / 2));
      };
    case 'hyperboloid': {
      const q0 = Math.sqrt(1 + qn2);
      const qr = Math.asinh(qn);
      return (data, offset) => {
        let dot = 0;
        let xn2 = 0;
        for (let i = 0; i < dim; i++) {
          const x = data[offset + i]!;
          dot += x * q[i]!;
          xn2 += x * x;
        }
        const x0 = Math.sqrt(1 + xn2);
        // cosh d − 1 by the textbook formula; far points (the vast majority in a scan) are accurate this way.
        const big = x0 * q0;
        let t = big - dot - 1;
        if (t <= 1e-7 * big) {
          // Near points at large radius cancel catastrophically (x0·q0 ≈ 1e15 at radius 18). Split into a
          // radial and an angular part, both non-negative: cosh d − 1 = 2 sinh²((r−s)/2) + |x||q|·|x̂ − q̂|²/2.
          const xn = Math.sqrt(xn2);
          const sh = Math.sinh((Math.asinh(xn) - qr) / 2);
          let chord2 = 0;
          if (xn > 0 && qn > 0) {
            for (let i = 0; i < dim; i++) {
              const u = data[offset + i]! / xn - q[i]! / qn;
              chord2 += u * u;
            }
          }
          t = 2 * sh * sh + (xn * qn * chord2) / 2;
        }
        // arcosh(1 + t) without forming 1 + t, so tiny distances keep their digits.
        return t > 0 ? Math.log1p(t + Math.sqrt(t * (t + 2))) : 0;
      };
    }
  }
}

/**
 * The angle between x and the query from Σx·q, Σx² and |q|, as `distanceFrom`'s spherical function finishes it; −1
 * when the angle is too small for arccos (cos > 0.9999), where the caller computes the chord from the vectors.
 */
export function sphericalFromSums(dot: number, xn2: number, qn: number): number {
  const c = dot / (Math.sqrt(xn2) * qn);
  return c > 0.9999 ? -1 : Math.acos(Math.max(-1, c));
}

export function distance(geometry: Geometry, a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DimensionMismatchError(a.length, b.length);
  // Plain number[] stays float64: rounding it to float32 here would move points by ~1e-8.
  return distanceFrom(geometry, a)(b, 0);
}

export const euclideanDistance = (a: ArrayLike<number>, b: ArrayLike<number>): number => distance('euclidean', a, b);
export const sphericalDistance = (a: ArrayLike<number>, b: ArrayLike<number>): number => distance('spherical', a, b);
export const hyperboloidDistance = (a: ArrayLike<number>, b: ArrayLike<number>): number => distance('hyperboloid', a, b);

/** Similarity in (0, 1] for euclidean and hyperboloid, cos d in [−1, 1] for spherical. */
export function score(geometry: Geometry, d: number): number {
  return geometry === 'spherical' ? Math.cos(d) : 1 / (1 + d);
}

/**
 * Validates a vector for a store of `dimension` and `geometry`. A valid Float32Array is returned
 * as is (no copy on the hot path); other inputs are converted once.
 */
export function toVector(input: VectorInput, dimension: number, geometry: Geometry): Float32Array<ArrayBuffer> {
  let v: Float32Array<ArrayBuffer>;
  if (input instanceof Float32Array) {
    // A view on shared memory could change under us after validation: copy only then.
    v = input.buffer instanceof ArrayBuffer ? (input as Float32Array<ArrayBuffer>) : new Float32Array(input);
  } else if (input instanceof Float64Array) v = new Float32Array(input);
  else if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      if (typeof input[i] !== 'number') {
        throw new InvalidVectorError(`element ${i} is ${typeof input[i]}, not a number`);
      }
    }
    v = Float32Array.from(input);
  } else {
    const kind = input === null ? 'null' : typeof input === 'object' ? (input as object).constructor.name : typeof input;
    throw new InvalidVectorError(`expected number[], Float32Array or Float64Array, got ${kind}`);
  }
  checkVector(v, dimension, geometry, input);
  return v;
}

/**
 * Throws unless `v` has the store's dimension, only finite values (after float32 rounding), and is non-zero in
 * spherical geometry. A Float64Array is taken as is (a hyperboloid index keeps float64 coordinates).
 */
export function checkVector(v: Float32Array | Float64Array, dimension: number, geometry: Geometry, original: ArrayLike<number> = v): void {
  if (!(v instanceof Float32Array || v instanceof Float64Array)) throw new InvalidVectorError('expected a Float32Array');
  if (v.length !== dimension) throw new DimensionMismatchError(dimension, v.length);
  let n2 = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) {
      // Report the caller's value: 1e39 is finite in float64 but overflows float32.
      throw new InvalidVectorError(`element ${i} is ${String(original[i])}, not a finite float32 value`);
    }
    n2 += x * x;
  }
  if (geometry === 'spherical' && n2 === 0) {
    throw new InvalidVectorError('the zero vector has no direction in spherical geometry');
  }
}

/** Squared Euclidean norm in float64. */
function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/**
 * Hyperboloid point (spatial part x; time part √(1+|x|²)) to the Poincaré ball: p = x / (1 + √(1+|x|²)).
 * Float64 out: at radius 18 the ball coordinates sit within 1e-8 of the boundary, beyond float32.
 */
export function lorentzToPoincare(x: ArrayLike<number>): Float64Array {
  const f = 1 / (1 + Math.sqrt(1 + norm2(x)));
  const p = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) p[i] = x[i]! * f;
  return p;
}

/** Poincaré ball (|p| < 1) to the spatial part of the hyperboloid point: x = 2p / (1 − |p|²). */
export function poincareToLorentz(p: ArrayLike<number>): Float64Array {
  const n2 = norm2(p);
  if (!(n2 < 1)) throw new InvalidVectorError(`a Poincaré-ball point needs |p| < 1, got |p|² = ${n2}`);
  const f = 2 / (1 - n2);
  const x = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) x[i] = p[i]! * f;
  return x;
}

/** Hyperbolic distance in the Poincaré ball: arcosh(1 + 2|p−q|² / ((1−|p|²)(1−|q|²))). */
export function poincareDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new DimensionMismatchError(p.length, q.length);
  const a = 1 - norm2(p);
  const b = 1 - norm2(q);
  if (!(a > 0 && b > 0)) throw new InvalidVectorError('Poincaré-ball points need |p| < 1');
  let d2 = 0;
  for (let i = 0; i < p.length; i++) d2 += (p[i]! - q[i]!) ** 2;
  const t = (2 * d2) / (a * b);
  return Math.log1p(t + Math.sqrt(t * (t + 2)));
}
