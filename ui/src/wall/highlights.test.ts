import { describe, expect, it } from 'vitest';
import { BEAT_MS, Highlighter, IDLE_MS } from './highlights';

const h = (i: number) => ({ key: `k${i}`, source: `a${i}`, target: `b${i}` });

describe('Highlighter', () => {
  it('shows one connection per beat when they trickle in', () => {
    const hl = new Highlighter();
    hl.push(h(1), 0);
    hl.push(h(2), 10);
    expect(hl.tick(20, () => null)).toMatchObject({ pair: h(1), more: 0 });
    expect(hl.tick(30, () => null)).toBeNull();
    expect(hl.tick(20 + BEAT_MS, () => null)).toMatchObject({ pair: h(2), more: 0 });
  });

  it('coalesces a rush into one caption naming the newest', () => {
    const hl = new Highlighter();
    for (let i = 0; i < 50; i++) hl.push(h(i), i);
    expect(hl.tick(100, () => null)).toEqual({ pair: h(49), more: 49, replay: false });
    expect(hl.waiting).toBe(0);
  });

  it('replays an earlier connection when nothing happens for a while', () => {
    const hl = new Highlighter(() => 0.5);
    hl.push(h(1), 0);
    hl.tick(1, () => null);
    expect(hl.tick(IDLE_MS - 10, () => h(7))).toBeNull();
    expect(hl.tick(IDLE_MS + 1, (r) => (r === 0.5 ? h(7) : null))).toEqual({ pair: h(7), more: 0, replay: true });
    expect(hl.tick(IDLE_MS + BEAT_MS + 2, () => h(8))).toBeNull();
  });
});
