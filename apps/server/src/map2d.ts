// 2-D maps of vectors for the dashboard. Hyperboloid: each point's Poincaré-ball image, orthogonally projected onto
// the plane through the origin that keeps the most of the points' second moment (a rotation, then the first two
// coordinates: the image stays inside the unit disk). Euclidean and spherical (as unit vectors): a PCA map (centred).
// Principal directions by power iteration on XᵀX without forming it (d may be 768): an eigensolver library would
// build the d×d matrix and decompose all of it; two directions cost 2·n·d per step here.
import { lorentzToPoincare, type Geometry } from '@hvs-nvm/hvs';

export interface Axes {
  geometry: Geometry;
  /** Subtracted before projecting (zero for the disk map, which turns about the origin). */
  centre: Float64Array;
  a: Float64Array;
  b: Float64Array;
  /** Share of the (centred, for PCA) second moment each axis keeps. */
  kept: [number, number];
  /** True when the coordinates lie in the unit (Poincaré) disk. */
  disk: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function normalise(v: Float64Array): number {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return n;
}

function orthogonalise(v: Float64Array, against: Float64Array[]): void {
  for (const u of against) {
    const c = dot(v, u);
    for (let j = 0; j < v.length; j++) v[j]! -= c * u[j]!;
  }
}

/** The top eigenvector of RᵀR (rows R) orthogonal to `against`, and its eigenvalue. */
function topDirection(rows: Float64Array[], dim: number, against: Float64Array[], maxSteps = 60): { v: Float64Array; value: number } {
  let v = new Float64Array(dim);
  // A fixed, generic start: the same map for the same data.
  for (let j = 0; j < dim; j++) v[j] = 1 + ((j * 7919) % 13) / 13;
  orthogonalise(v, against);
  if (normalise(v) === 0) return { v, value: 0 };
  let value = 0;
  for (let step = 0; step < maxSteps; step++) {
    const next = new Float64Array(dim);
    for (const r of rows) {
      const c = dot(r, v);
      for (let j = 0; j < dim; j++) next[j]! += c * r[j]!;
    }
    orthogonalise(next, against);
    const prev = value;
    value = dot(next, v);
    if (normalise(next) === 0) break;
    v = next;
    // A map needs the plane, not digits: stop once the eigenvalue settles to 1e-6.
    if (step > 5 && Math.abs(value - prev) <= 1e-6 * Math.abs(value)) break;
  }
  return { v, value };
}

/** A point as the map sees it: the ball image for hyperboloid, the unit vector for spherical. */
function prepared(x: ArrayLike<number>, geometry: Geometry): Float64Array {
  if (geometry === 'hyperboloid') return lorentzToPoincare(x);
  const p = Float64Array.from(x);
  if (geometry === 'spherical') normalise(p);
  return p;
}

/** The map's two axes, fitted on `sample` (the caller passes a few hundred: plenty for two directions). */
export function fitAxes(sample: ArrayLike<number>[], geometry: Geometry): Axes {
  const dim = sample[0]?.length ?? 0;
  const disk = geometry === 'hyperboloid';
  const points = sample.map((x) => prepared(x, geometry));
  const centre = new Float64Array(dim);
  if (!disk && points.length > 0) for (const p of points) for (let j = 0; j < dim; j++) centre[j]! += p[j]! / points.length;
  let total = 0;
  const rows = points.map((p) => {
    for (let j = 0; j < dim; j++) p[j]! -= centre[j]!;
    total += dot(p, p);
    return p;
  });
  const a = topDirection(rows, dim, []);
  const b = topDirection(rows, dim, [a.v]);
  const share = (v: number) => (total > 0 ? Math.max(0, v) / total : 0);
  return { geometry, centre, a: a.v, b: b.v, kept: [share(a.value), share(b.value)], disk };
}

/** A vector's place on the map. */
export function project(axes: Axes, x: ArrayLike<number>): [number, number] {
  const p = prepared(x, axes.geometry);
  let u = 0;
  let v = 0;
  for (let j = 0; j < p.length; j++) {
    const c = p[j]! - axes.centre[j]!;
    u += c * axes.a[j]!;
    v += c * axes.b[j]!;
  }
  return [u, v];
}
