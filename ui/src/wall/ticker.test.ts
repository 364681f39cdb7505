import { describe, expect, it } from 'vitest';
import { TICKER_SIZE, TickerRotation, agoText } from './ticker';

const e = (i: number) => ({ key: `k${i}`, source: `a${i}`, target: `b${i}`, at: i * 1000 });

describe('ticker', () => {
  it('shows new links first, then cycles through the newest', () => {
    const r = new TickerRotation();
    r.seed([e(1), e(3), e(2)]);
    expect([r.next(), r.next(), r.next(), r.next()].map((x) => x?.key)).toEqual(['k3', 'k2', 'k1', 'k3']);
    r.add(e(4));
    r.add(e(5));
    expect(r.next()?.key).toBe('k4');
    expect(r.next()?.key).toBe('k5');
    r.remove('k3');
    expect(r.size).toBe(4);
  });

  it('keeps only the newest links', () => {
    const r = new TickerRotation();
    r.seed(Array.from({ length: 40 }, (_, i) => e(i)));
    expect(r.size).toBe(TICKER_SIZE);
    expect(r.next()?.key).toBe('k39');
    expect(new TickerRotation().next()).toBeNull();
  });

  it('says how long ago, in the page’s language', () => {
    const now = 10_000_000;
    expect(agoText(now - 2000, now, 'en')).toBe('now');
    expect(agoText(now - 45_000, now, 'en')).toMatch(/45 sec/);
    expect(agoText(now - 3 * 60_000, now, 'en')).toMatch(/3 min/);
    expect(agoText(now - 3 * 60_000, now, 'de')).toMatch(/vor 3 Min/);
    expect(agoText(now - 5 * 3600_000, now, 'en')).toMatch(/5 hr/);
  });
});
