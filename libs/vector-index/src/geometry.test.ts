// Unit tests of the distance maths: known values, symmetry, numerical stability, validation and Poincaré round trips.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DimensionMismatchError, InvalidVectorError } from './errors.js';
import {
  distance,
  euclideanDistance,
  hyperboloidDistance,
  lorentzToPoincare,
  poincareDistance,
  poincareToLorentz,
  score,
  sphericalDistance,
  toVector,
} from './geometry.js';

const vec = fc
  .array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), {
    minLength: 4,
    maxLength: 4,
  })
  .map((a) => Float32Array.from(a));

describe('euclidean distance', () => {
  it('is the length of the difference', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
  });
  it('is symmetric and zero on identical vectors', () => {
    fc.assert(fc.property(vec, vec, (a, b) => euclideanDistance(a, b) === euclideanDistance(b, a) && euclideanDistance(a, a) === 0));
  });
});

describe('spherical distance', () => {
  it('is the angle between vectors, whatever their lengths', () => {
    expect(sphericalDistance([1, 0], [0, 5])).toBeCloseTo(Math.PI / 2, 12);
    expect(sphericalDistance([1, 0], [-2, 0])).toBeCloseTo(Math.PI, 12);
    expect(sphericalDistance([1, 1], [3, 3])).toBeCloseTo(0, 12);
  });
  it('resolves tiny angles that arccos alone would round to zero', () => {
    expect(sphericalDistance([1, 0], [1, 1e-6])).toBeCloseTo(1e-6, 12);
  });
  it('is symmetric and within [0, π]', () => {
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        fc.pre(a.some((x) => x !== 0) && b.some((x) => x !== 0));
        const d = sphericalDistance(a, b);
        return Math.abs(d - sphericalDistance(b, a)) < 1e-12 && d >= 0 && d <= Math.PI;
      }),
    );
  });
});

describe('hyperboloid distance', () => {
  it('from the origin is the radius asinh|x|', () => {
    const x = [Math.sinh(3), 0, 0];
    expect(hyperboloidDistance([0, 0, 0], x)).toBeCloseTo(3, 12);
  });
  it('along one geodesic through the origin adds radii', () => {
    expect(hyperboloidDistance([Math.sinh(2)], [-Math.sinh(5)])).toBeCloseTo(7, 10);
  });
  it('matches the Poincaré-ball formula', () => {
    const a = [0.3, -1.2, 2];
    const b = [1.5, 0.1, -0.7];
    expect(hyperboloidDistance(a, b)).toBeCloseTo(poincareDistance(lorentzToPoincare(a), lorentzToPoincare(b)), 10);
  });
  it('stays accurate for nearby points at radius 18, where the textbook formula cancels', () => {
    // Two points at radius 18 and 18.001 on one ray: the distance is exactly 0.001 up to float32 input rounding.
    const a = Float32Array.of(Math.sinh(18), 0);
    const b = Float32Array.of(Math.sinh(18.001), 0);
    const expected = Math.asinh(b[0]!) - Math.asinh(a[0]!);
    expect(hyperboloidDistance(a, b)).toBeCloseTo(expected, 9);
    expect(hyperboloidDistance(a, a)).toBe(0);
  });
  it('is symmetric and satisfies the triangle inequality', () => {
    fc.assert(
      fc.property(vec, vec, vec, (a, b, c) => {
        const ab = hyperboloidDistance(a, b);
        return (
          Math.abs(ab - hyperboloidDistance(b, a)) < 1e-9 * (1 + ab) && ab <= hyperboloidDistance(a, c) + hyperboloidDistance(c, b) + 1e-6
        );
      }),
    );
  });
});

describe('score', () => {
  it('is 1/(1+d) for euclidean and hyperboloid, cos d for spherical', () => {
    expect(score('euclidean', 1)).toBe(0.5);
    expect(score('hyperboloid', 3)).toBe(0.25);
    expect(score('spherical', Math.PI)).toBe(-1);
  });
});

describe('toVector', () => {
  it('accepts number[], Float32Array and Float64Array and returns Float32Array', () => {
    const f32 = Float32Array.of(1, 2);
    expect(toVector(f32, 2, 'euclidean')).toBe(f32);
    expect(toVector([1, 2], 2, 'euclidean')).toEqual(f32);
    expect(toVector(Float64Array.of(1, 2), 2, 'euclidean')).toEqual(f32);
  });
  it('rejects a wrong dimension with DimensionMismatchError', () => {
    expect(() => toVector([1, 2, 3], 2, 'euclidean')).toThrow(DimensionMismatchError);
    expect(() => toVector([1, 2, 3], 2, 'euclidean')).toThrow(/dimension 3.*dimension is 2/);
  });
  it('rejects NaN, Infinity and float32 overflow, naming the element', () => {
    expect(() => toVector([1, NaN], 2, 'euclidean')).toThrow(InvalidVectorError);
    expect(() => toVector([Infinity, 0], 2, 'hyperboloid')).toThrow(/element 0 is Infinity/);
    expect(() => toVector([1e39, 0], 2, 'euclidean')).toThrow(/element 0 is 1e\+39/);
  });
  it('rejects the zero vector in spherical geometry only', () => {
    expect(() => toVector([0, 0], 2, 'spherical')).toThrow(/zero vector/);
    expect(toVector([0, 0], 2, 'hyperboloid')).toEqual(Float32Array.of(0, 0));
  });
  it('rejects non-numeric input', () => {
    expect(() => toVector(['1', 2] as unknown as number[], 2, 'euclidean')).toThrow(/element 0 is string/);
    expect(() => toVector('12' as unknown as number[], 2, 'euclidean')).toThrow(InvalidVectorError);
    expect(() => toVector(null as unknown as number[], 2, 'euclidean')).toThrow(InvalidVectorError);
  });
});

describe('Poincaré ball helpers', () => {
  it('map the origin to the origin and radius r to tanh(r/2)', () => {
    expect([...lorentzToPoincare([0, 0])]).toEqual([0, 0]);
    expect(lorentzToPoincare([Math.sinh(2), 0])[0]).toBeCloseTo(Math.tanh(1), 14);
  });
  it('round-trip hyperboloid → ball → hyperboloid', () => {
    fc.assert(
      fc.property(vec, (x) => {
        const back = poincareToLorentz(lorentzToPoincare(x));
        return [...x].every((v, i) => Math.abs(back[i]! - v) <= 1e-9 * (1 + Math.abs(v)));
      }),
    );
  });
  it('preserve distance', () => {
    const p = [0.2, -0.5];
    const q = [-0.6, 0.1];
    expect(poincareDistance(p, q)).toBeCloseTo(hyperboloidDistance(poincareToLorentz(p), poincareToLorentz(q)), 10);
  });
  it('reject points outside the unit ball', () => {
    expect(() => poincareToLorentz([0.8, 0.6])).toThrow(InvalidVectorError);
    expect(() => poincareDistance([1, 0], [0, 0])).toThrow(InvalidVectorError);
  });
  it('distance of vectors of different lengths is a DimensionMismatchError', () => {
    expect(() => distance('euclidean', [1], [1, 2])).toThrow(DimensionMismatchError);
  });
});
