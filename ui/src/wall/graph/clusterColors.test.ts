import { describe, expect, it } from 'vitest';
import { clusterPalette, realClusters } from './clusterColors';

describe('cluster colours', () => {
  it('gives the largest communities the palette in order the first time', () => {
    const of = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, -1]);
    const prev = new Int8Array(of.length).fill(-1);
    expect(Array.from(clusterPalette(of, 3, prev, 12))).toEqual([0, 1, -1]);
    expect(realClusters(of, 3)).toBe(2);
  });

  it('keeps colours when a recomputation numbers the same communities differently', () => {
    const first = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const palette1 = clusterPalette(first, 2, new Int8Array(6).fill(-1), 12);
    const prev = Int8Array.from(Array.from(first, (c) => palette1[c]!));
    // The second group grew and is now community 0.
    const second = Int32Array.from([1, 1, 1, 0, 0, 0, 0]);
    const prev2 = Int8Array.from([...prev, -1]);
    const palette2 = clusterPalette(second, 2, prev2, 12);
    expect(palette2[1]).toBe(palette1[0]);
    expect(palette2[0]).toBe(palette1[1]);
  });

  it('runs out of colours gracefully', () => {
    const of = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(clusterPalette(of, 3, new Int8Array(9).fill(-1), 2))).toEqual([0, 1, -1]);
  });
});
