import { describe, expect, it } from 'vitest';
import { LayoutCore } from './layout';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('LayoutCore', () => {
  it('places a newcomer next to the node it met and keeps the others in place', () => {
    const core = new LayoutCore(seeded(1));
    core.apply({ t: 'add-nodes', slots: [0, 1, 2, 3], near: [-1, -1, -1, -1] });
    core.apply({ t: 'add-links', pairs: [0, 1, 1, 2, 2, 3] });
    let i = 0;
    while (core.step(1000) && i++ < 10);
    const before = core.positions();
    core.apply({ t: 'add-nodes', slots: [4], near: [3] });
    core.apply({ t: 'add-links', pairs: [3, 4] });
    core.step(0); // one tick
    const after = core.positions();
    const p3 = core.position(3);
    const p4 = core.position(4);
    expect(p3 && p4).toBeTruthy();
    if (!p3 || !p4) return;
    expect(Math.hypot(p4.x - p3.x, p4.y - p3.y)).toBeLessThan(80);
    // The re-heat is gentle: nobody jumps.
    for (let s = 0; s < 4; s++) {
      const dx = (after[s * 2] ?? 0) - (before[s * 2] ?? 0);
      const dy = (after[s * 2 + 1] ?? 0) - (before[s * 2 + 1] ?? 0);
      expect(Math.hypot(dx, dy)).toBeLessThan(5);
    }
    expect(core.alpha).toBeLessThanOrEqual(0.12);
  });

  it('forgets removed nodes and their links, and ignores bad slots', () => {
    const core = new LayoutCore(seeded(2));
    core.apply({ t: 'add-nodes', slots: [0, 1, -5, 1.5], near: [-1, 0] });
    core.apply({ t: 'add-links', pairs: [0, 1, 0, 9, 0, 0] });
    core.apply({ t: 'remove-nodes', slots: [1, 7] });
    core.step(5);
    const pos = core.positions();
    expect(core.nodeCount).toBe(1);
    expect(Number.isNaN(pos[2])).toBe(true);
    expect(Number.isFinite(pos[0])).toBe(true);
  });
});

describe('layout clusters', () => {
  it('answers communities by slot, for the slots the drawing side handed out', () => {
    const core = new LayoutCore(() => 0.5);
    // Slots 0..3 and 5..8 are two cliques joined by 3-5; slot 4 was never used.
    const slots = [0, 1, 2, 3, 5, 6, 7, 8];
    core.apply({ t: 'add-nodes', slots, near: slots.map(() => -1) });
    const pairs: number[] = [];
    for (const group of [[0, 1, 2, 3], [5, 6, 7, 8]])
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) pairs.push(group[i]!, group[j]!);
    pairs.push(3, 5);
    core.apply({ t: 'add-links', pairs });
    const { of, count } = core.clusters();
    expect(count).toBe(2);
    expect(of[4]).toBe(-1);
    expect(new Set([of[0], of[1], of[2], of[3]]).size).toBe(1);
    expect(new Set([of[5], of[6], of[7], of[8]]).size).toBe(1);
    expect(of[0]).not.toBe(of[5]);
  });
});
