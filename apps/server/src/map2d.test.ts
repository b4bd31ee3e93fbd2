import { describe, expect, it } from 'vitest';
import { lorentzToPoincare } from '@hvs-nvm/hvs';
import { fitAxes, project } from './map2d.js';

/** A seeded generator, so that a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return a / 2 ** 31 - 0.5;
  };
}

/** Points spread over a tilted plane in 8-d (spans u and v), with a little noise off it. */
function planar(n: number, offset: number[], scale = 1) {
  const r = rng(7);
  const u = [1, 1, 0, 0, 0, 0, 0, 0].map((x) => x / Math.SQRT2);
  const v = [0, 0, 1, 0, -1, 0, 0, 0].map((x) => x / Math.SQRT2);
  return Array.from({ length: n }, () => {
    const s = 3 * r() * scale;
    const t = r() * scale;
    return u.map((_, j) => offset[j]! + s * u[j]! + t * v[j]! + 0.001 * r());
  });
}

describe('2-D maps', () => {
  it('PCA finds the plane the points span, whatever their mean', () => {
    const points = planar(500, [5, -2, 0, 7, 0, 1, 0, 0]);
    const axes = fitAxes(points, 'euclidean');
    expect(axes.kept[0] + axes.kept[1]).toBeGreaterThan(0.999);
    expect(axes.kept[0]).toBeGreaterThan(axes.kept[1]);
    // The first axis is the wide direction u (up to sign).
    expect(Math.abs(axes.a[0]! * Math.SQRT1_2 + axes.a[1]! * Math.SQRT1_2)).toBeCloseTo(1, 3);
    // Distances within the plane are kept: the map is a rigid motion of it.
    const [x0, y0] = project(axes, points[0]!);
    const [x1, y1] = project(axes, points[1]!);
    const d = Math.hypot(...points[0]!.map((c, j) => c - points[1]![j]!));
    expect(Math.hypot(x1 - x0, y1 - y0)).toBeCloseTo(d, 2);
  });

  it('the hyperboloid map keeps every point inside the Poincaré disk and turns about the origin', () => {
    const points = planar(500, [0, 0, 0, 0, 0, 0, 0, 0], 20);
    const axes = fitAxes(points, 'hyperboloid');
    expect(axes.disk).toBe(true);
    expect([...axes.centre].every((c) => c === 0)).toBe(true);
    for (const p of points) {
      const [x, y] = project(axes, p);
      expect(Math.hypot(x, y)).toBeLessThan(1);
      // A point in the plane keeps its ball radius: the projection drops only the (tiny) off-plane part.
      const ball = lorentzToPoincare(p);
      expect(Math.hypot(x, y)).toBeCloseTo(Math.hypot(...ball), 2);
    }
  });

  it('spherical vectors are mapped as unit vectors', () => {
    const axes = fitAxes(
      [
        [2, 0, 0],
        [0, 3, 0],
        [-4, 0, 0],
        [0, -5, 0],
      ],
      'spherical',
    );
    expect(Math.hypot(...project(axes, [10, 0, 0]))).toBeCloseTo(1, 6);
    expect(axes.kept[0] + axes.kept[1]).toBeCloseTo(1, 6);
  });

  it('an empty or degenerate sample gives a map, not NaN', () => {
    const axes = fitAxes(
      [
        [1, 1],
        [1, 1],
      ],
      'euclidean',
    );
    expect(project(axes, [1, 1]).every(Number.isFinite)).toBe(true);
    expect(fitAxes([], 'hyperboloid').kept).toEqual([0, 0]);
  });
});
