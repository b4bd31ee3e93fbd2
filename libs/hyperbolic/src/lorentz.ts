// The maths of the hyperboloid (Lorentz) model in float64: inner product, distance, tangent projection, exp map.
// A point is stored whole, (x0, x1..xd) with x0 = √(1+|x|²); the public vectors are the spatial part x1..xd.

/** Minkowski inner product ⟨a,b⟩_L = −a0·b0 + Σ ai·bi of two points stored at offsets `i` and `j`. */
export function lorentzInner(a: Float64Array, i: number, b: Float64Array, j: number, dim1: number): number {
  let s = -a[i]! * b[j]!;
  for (let k = 1; k < dim1; k++) s += a[i + k]! * b[j + k]!;
  return s;
}

/** arcosh(1 + z) for z ≥ 0, accurate when z is tiny (log1p form). */
export function arcosh1p(z: number): number {
  if (!(z > 0)) return 0;
  return Math.log1p(z + Math.sqrt(z * (z + 2)));
}

/**
 * Distance of two points given by their spatial parts, arcosh(√(1+|x|²)√(1+|y|²) − x·y), computed without
 * cancellation: with radii r = asinh|x| and unit directions, −⟨x,y⟩_L − 1 = 2 sinh²((r_x − r_y)/2) + |x||y|·|x̂ − ŷ|²/2,
 * a sum of two non-negative terms, so far-out points in nearly the same direction keep their distance.
 */
export function hyperboloidDistance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xx = 0;
  let yy = 0;
  for (let k = 0; k < x.length; k++) {
    xx += x[k]! * x[k]!;
    yy += y[k]! * y[k]!;
  }
  const a = Math.sqrt(xx);
  const b = Math.sqrt(yy);
  const h = Math.sinh((Math.asinh(a) - Math.asinh(b)) / 2);
  let angular = 0;
  if (a > 0 && b > 0) {
    for (let k = 0; k < x.length; k++) {
      const t = x[k]! / a - y[k]! / b;
      angular += t * t;
    }
  }
  return arcosh1p(2 * h * h + (a * b * angular) / 2);
}

/** Lifts spatial coordinates onto the hyperboloid: writes (√(1+|x|²), x) at `out[at..]`. */
export function lift(x: ArrayLike<number>, out: Float64Array, at: number): void {
  let s = 0;
  for (let k = 0; k < x.length; k++) {
    out[at + 1 + k] = x[k]!;
    s += x[k]! * x[k]!;
  }
  out[at] = Math.sqrt(1 + s);
}

/** Projects an ambient vector `v` (in place) onto the tangent space at point `p`: v + ⟨p,v⟩_L p. */
export function projectTangent(p: Float64Array, i: number, v: Float64Array, dim1: number): void {
  const c = lorentzInner(p, i, v, 0, dim1);
  for (let k = 0; k < dim1; k++) v[k]! += c * p[i + k]!;
}

/**
 * Exponential map in place: p ← cosh(|v|)p + sinh(|v|)v/|v| for a tangent vector v at p, then re-normalised onto
 * the hyperboloid (x0 recomputed from the spatial part, which keeps rounding from drifting off the surface).
 */
export function expMapInPlace(p: Float64Array, i: number, v: Float64Array, dim1: number): void {
  const n2 = lorentzInner(v, 0, v, 0, dim1);
  const norm = Math.sqrt(Math.max(n2, 0));
  if (norm < 1e-15) return;
  const c = Math.cosh(norm);
  const s = Math.sinh(norm) / norm;
  let spatial = 0;
  for (let k = 1; k < dim1; k++) {
    const x = c * p[i + k]! + s * v[k]!;
    p[i + k] = x;
    spatial += x * x;
  }
  p[i] = Math.sqrt(1 + spatial);
}

/** Distance between two stored points (offsets i, j), cancellation-free like `hyperboloidDistance`. */
export function storedDistance(a: Float64Array, i: number, b: Float64Array, j: number, dim1: number): number {
  return arcosh1p(storedGap(a, i, b, j, dim1));
}

/** Spatial norm of a stored point. */
export function spatialNorm(a: Float64Array, i: number, dim1: number): number {
  let s = 0;
  for (let k = 1; k < dim1; k++) s += a[i + k]! * a[i + k]!;
  return Math.sqrt(s);
}

/** −⟨a,b⟩_L − 1 ≥ 0 for two stored points, as 2 sinh²(Δr/2) + |a||b|·|â − b̂|²/2 (see `hyperboloidDistance`). */
export function storedGap(a: Float64Array, i: number, b: Float64Array, j: number, dim1: number): number {
  const na = spatialNorm(a, i, dim1);
  const nb = spatialNorm(b, j, dim1);
  return gapFromParts(a, i, na, Math.asinh(na), b, j, nb, Math.asinh(nb), dim1);
}

/** The gap with the norms and radii (asinh of the norms) already known, for loops that reuse them. */
export function gapFromParts(
  a: Float64Array,
  i: number,
  na: number,
  ra: number,
  b: Float64Array,
  j: number,
  nb: number,
  rb: number,
  dim1: number,
): number {
  const h = Math.sinh((ra - rb) / 2);
  if (na === 0 || nb === 0) return 2 * h * h;
  let angular = 0;
  for (let k = 1; k < dim1; k++) {
    const t = a[i + k]! / na - b[j + k]! / nb;
    angular += t * t;
  }
  return 2 * h * h + (na * nb * angular) / 2;
}

/** Pulls a stored point back along its ray to distance `max` from the origin (1, 0, …, 0) if it lies beyond it. */
export function capRadius(p: Float64Array, i: number, dim1: number, max: number): void {
  const norm = spatialNorm(p, i, dim1);
  if (!(Math.asinh(norm) > max)) return;
  const scale = Math.sinh(max) / norm;
  for (let k = 1; k < dim1; k++) p[i + k]! *= scale;
  p[i] = Math.cosh(max);
}
