import { describe, expect, it } from 'vitest';
import { Highlighter, IDLE_MS, MAX_WAITING, SHOW_MS } from './highlights';

const h = (i: number) => ({ key: `k${i}`, source: `a${i}`, target: `b${i}` });

describe('spotlight queue', () => {
  it('shows each new link for SHOW_MS, the next one waiting meanwhile', () => {
    const hl = new Highlighter();
    hl.push(h(1), 0);
    hl.push(h(2), 10);
    expect(hl.tick(20, () => null)).toEqual({ pair: h(1), more: 0, replay: false });
    expect(hl.tick(20 + SHOW_MS - 1, () => null)).toBeNull();
    expect(hl.waiting).toBe(1);
    expect(hl.tick(20 + SHOW_MS, () => null)).toEqual({ pair: h(2), more: 0, replay: false });
    expect(hl.tick(20 + 2 * SHOW_MS, () => null)).toBeNull();
  });

  it('keeps at most MAX_WAITING, the newest, and says how many were skipped', () => {
    const hl = new Highlighter();
    hl.push(h(0), 0);
    expect(hl.tick(1, () => null)?.pair).toEqual(h(0));
    for (let i = 1; i <= 12; i++) hl.push(h(i), i);
    expect(hl.waiting).toBe(MAX_WAITING);
    // 1..7 were pushed out by 8..12: the next banner names 8 and says "+7 more".
    expect(hl.tick(1 + SHOW_MS, () => null)).toEqual({ pair: h(8), more: 7, replay: false });
    expect(hl.tick(1 + 2 * SHOW_MS, () => null)).toEqual({ pair: h(9), more: 0, replay: false });
  });

  it('starts afresh when cleared (the spotlight switched off)', () => {
    const hl = new Highlighter();
    for (let i = 0; i < 9; i++) hl.push(h(i), i);
    hl.tick(10, () => null);
    hl.clear();
    expect(hl.waiting).toBe(0);
    hl.push(h(20), 20);
    expect(hl.tick(21, () => null)).toEqual({ pair: h(20), more: 0, replay: false });
  });

  it('replays an earlier connection when nothing happens for a while', () => {
    const hl = new Highlighter(() => 0.5);
    hl.push(h(1), 0);
    hl.tick(1, () => null);
    expect(hl.tick(IDLE_MS - 10, () => h(7))).toBeNull();
    expect(hl.tick(IDLE_MS + 1, (r) => (r === 0.5 ? h(7) : null))).toEqual({ pair: h(7), more: 0, replay: true });
    expect(hl.tick(IDLE_MS + SHOW_MS + 2, () => h(8))).toBeNull();
  });
});
