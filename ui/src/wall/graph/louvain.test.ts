import { describe, expect, it } from 'vitest';
import { louvain, modularity } from './louvain';

function clique(first: number, size: number, a: number[], b: number[]): void {
  for (let i = first; i < first + size; i++) for (let j = i + 1; j < first + size; j++) a.push(i), b.push(j);
}

/** A seeded generator (mulberry32), so the planted graphs are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('louvain', () => {
  it('splits two cliques joined by one link into two communities', () => {
    const a: number[] = [];
    const b: number[] = [];
    clique(0, 6, a, b);
    clique(6, 6, a, b);
    a.push(5), b.push(6);
    const { of, count } = louvain(12, a, b);
    expect(count).toBe(2);
    for (let i = 1; i < 6; i++) expect(of[i]).toBe(of[0]);
    for (let i = 7; i < 12; i++) expect(of[i]).toBe(of[6]);
    expect(of[0]).not.toBe(of[6]);
    expect(modularity(12, a, b, of)).toBeGreaterThan(0.4);
  });

  it('finds each clique of a ring of cliques (the level merging at work)', () => {
    const a: number[] = [];
    const b: number[] = [];
    const k = 8;
    for (let c = 0; c < k; c++) {
      clique(c * 5, 5, a, b);
      a.push(c * 5), b.push(((c + 1) % k) * 5 + 1);
    }
    const { of, count } = louvain(k * 5, a, b);
    expect(count).toBe(k);
    for (let c = 0; c < k; c++) for (let i = 1; i < 5; i++) expect(of[c * 5 + i]).toBe(of[c * 5]);
  });

  it('recovers planted groups in a random graph', () => {
    const random = rng(7);
    const groups = 4;
    const per = 40;
    const n = groups * per;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const same = Math.floor(i / per) === Math.floor(j / per);
        if (random() < (same ? 0.25 : 0.005)) a.push(i), b.push(j);
      }
    const { of, count } = louvain(n, a, b);
    expect(count).toBe(groups);
    // Each planted group is (almost) one community.
    for (let g = 0; g < groups; g++) {
      const votes = new Map<number, number>();
      for (let i = g * per; i < (g + 1) * per; i++) votes.set(of[i]!, (votes.get(of[i]!) ?? 0) + 1);
      expect(Math.max(...votes.values())).toBeGreaterThanOrEqual(per - 2);
    }
  });

  it('numbers communities largest first and leaves people without links alone', () => {
    const a: number[] = [];
    const b: number[] = [];
    clique(3, 3, a, b); // nodes 3..5
    clique(6, 5, a, b); // nodes 6..10, the largest
    const { of, count } = louvain(11, a, b);
    expect(count).toBe(2 + 3);
    expect(of[6]).toBe(0);
    expect(of[3]).toBe(1);
    expect(new Set([of[0], of[1], of[2]]).size).toBe(3);
  });

  it('copes with no nodes, no links and repeated links', () => {
    expect(louvain(0, [], []).count).toBe(0);
    expect(louvain(3, [], []).count).toBe(3);
    const r = louvain(2, [0, 0, 1], [1, 1, 0]);
    expect(r.count).toBe(1);
  });

  it('clusters 5,000 people and 25,000 links in well under a second', () => {
    const random = rng(3);
    const n = 5000;
    const a: number[] = [];
    const b: number[] = [];
    for (let e = 0; e < 25_000; e++) {
      const x = Math.floor(random() * n);
      // Mostly within a neighbourhood of 50, so there is structure to find.
      const y = random() < 0.8 ? (x + 1 + Math.floor(random() * 50)) % n : Math.floor(random() * n);
      a.push(x), b.push(y);
    }
    const started = performance.now();
    const { of, count } = louvain(n, a, b);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(count).toBeGreaterThan(5);
    expect(count).toBeLessThan(500);
    expect(modularity(n, a, b, of)).toBeGreaterThan(0.5);
  });
});
