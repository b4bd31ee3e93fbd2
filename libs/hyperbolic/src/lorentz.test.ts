// The hyperboloid maths: distances against the textbook formula, the exp map staying on the surface.
import { describe, expect, it } from 'vitest';
import { arcosh1p, capRadius, expMapInPlace, hyperboloidDistance, lift, lorentzInner, projectTangent, storedDistance } from './lorentz.js';

const naive = (x: number[], y: number[]) => {
  const nx = Math.sqrt(1 + x.reduce((s, v) => s + v * v, 0));
  const ny = Math.sqrt(1 + y.reduce((s, v) => s + v * v, 0));
  return Math.acosh(Math.max(1, nx * ny - x.reduce((s, v, i) => s + v * y[i]!, 0)));
};

describe('hyperboloid distance', () => {
  it('matches arcosh(√(1+|x|²)√(1+|y|²) − x·y) for moderate points', () => {
    const x = [0.3, -1.2, 2];
    const y = [1.5, 0.1, -0.7];
    expect(hyperboloidDistance(x, y)).toBeCloseTo(naive(x, y), 12);
    expect(hyperboloidDistance(x, x)).toBe(0);
  });

  it('is the radius for a point and the origin, and stays accurate for nearby far-out points', () => {
    const r = 30;
    expect(hyperboloidDistance([Math.sinh(r), 0], [0, 0])).toBeCloseTo(r, 9);
    // Two points at radius 20 an angle 1e-9 apart: d ≈ 2 asinh(sinh(20) · sin(θ/2)), where the naive form rounds to 0.
    const s = Math.sinh(20);
    const t = 1e-9;
    const d = hyperboloidDistance([s, 0], [s * Math.cos(t), s * Math.sin(t)]);
    expect(d).toBeCloseTo(2 * Math.asinh(s * Math.sin(t / 2)), 6);
    expect(d).toBeGreaterThan(0.2);
  });

  it('arcosh1p is log1p-accurate near 0', () => {
    expect(arcosh1p(1e-20)).toBeCloseTo(Math.sqrt(2e-20), 25);
    expect(arcosh1p(Math.cosh(3) - 1)).toBeCloseTo(3, 12);
  });
});

describe('exp map', () => {
  it('moves a point by the tangent vector length along the surface', () => {
    const dim1 = 4;
    const p = new Float64Array(dim1);
    lift([0.5, -0.2, 1], p, 0);
    const start = p.slice();
    const v = new Float64Array([0.3, 0.7, -0.4, 0.2]);
    projectTangent(p, 0, v, dim1);
    expect(lorentzInner(p, 0, v, 0, dim1)).toBeCloseTo(0, 12);
    const len = Math.sqrt(lorentzInner(v, 0, v, 0, dim1));
    expMapInPlace(p, 0, v, dim1);
    expect(lorentzInner(p, 0, p, 0, dim1)).toBeCloseTo(-1, 10);
    expect(storedDistance(start, 0, p, 0, dim1)).toBeCloseTo(len, 10);
  });
});

describe('capRadius', () => {
  it('pulls a point beyond the cap back onto it along its ray, and leaves nearer points alone', () => {
    const p = new Float64Array(4);
    lift([3, 4, 0], p, 0); // radius asinh 5 ≈ 2.31
    capRadius(p, 0, 4, 1);
    expect(storedDistance(p, 0, Float64Array.from([1, 0, 0, 0]), 0, 4)).toBeCloseTo(1, 12);
    expect(p[1]! / p[2]!).toBeCloseTo(3 / 4, 12);
    expect(lorentzInner(p, 0, p, 0, 4)).toBeCloseTo(-1, 12);
    const q = Float64Array.from(p);
    capRadius(q, 0, 4, 2);
    expect(Array.from(q)).toEqual(Array.from(p));
  });
});
