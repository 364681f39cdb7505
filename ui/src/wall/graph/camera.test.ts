import { describe, expect, it } from 'vitest';
import { easeInOutCubic, fitBox, flyCamera, type Camera } from './camera';

describe('camera flights', () => {
  it('starts and ends exactly on the two views, eased in between', () => {
    const from: Camera = { x: 0, y: 0, scale: 0.5 };
    const to: Camera = { x: 400, y: -200, scale: 2 };
    const out: Camera = { x: 0, y: 0, scale: 1 };
    expect(flyCamera(from, to, 0, 2000, out)).toEqual(from);
    expect(flyCamera(from, to, 1, 2000, out)).toEqual(to);
    expect(flyCamera(from, to, 0.1, 2000, out).x).toBeLessThan(40);
    expect(easeInOutCubic(0.5)).toBeCloseTo(0.5);
    expect(easeInOutCubic(2)).toBe(1);
  });

  it('pulls back in the middle of a long pan, not a short one', () => {
    const out: Camera = { x: 0, y: 0, scale: 1 };
    const far = flyCamera({ x: 0, y: 0, scale: 1 }, { x: 5000, y: 0, scale: 1 }, 0.5, 2000, out).scale;
    expect(far).toBeCloseTo(0.5);
    const near = flyCamera({ x: 0, y: 0, scale: 1 }, { x: 20, y: 0, scale: 1 }, 0.5, 2000, out).scale;
    expect(near).toBeGreaterThan(0.99);
  });

  it('fits a box with a margin and no closer than the cap', () => {
    const out: Camera = { x: 0, y: 0, scale: 1 };
    expect(fitBox({ minX: -100, minY: -50, maxX: 100, maxY: 50 }, 1000, 600, 100, 10, out)).toEqual({ x: 0, y: 0, scale: 4 });
    expect(fitBox({ minX: 10, minY: 10, maxX: 10, maxY: 10 }, 1000, 600, 100, 3, out)).toEqual({ x: 10, y: 10, scale: 3 });
  });
});
