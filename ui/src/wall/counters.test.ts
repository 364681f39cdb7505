import { describe, expect, it } from 'vitest';
import { countersAt, fitCount, fitRate, localMidnight } from './counters';

/** "Links made at or after `since`" over a fixed list of times, like WallState.linksSince. */
const since = (times: number[]) => (t: number) => times.filter((x) => x >= t).length;

describe('counters', () => {
  it('counts today from local midnight and the rate over the last five minutes', () => {
    const now = new Date(2025, 4, 1, 0, 3, 0).getTime(); // 00:03 local
    const midnight = new Date(2025, 4, 1).getTime();
    expect(localMidnight(now)).toBe(midnight);
    const times = [
      midnight - 60_000, // yesterday 23:59, in the last five minutes but not today
      midnight - 10 * 60_000, // yesterday, long ago
      midnight + 30_000,
      midnight + 60_000,
      midnight + 2 * 60_000,
    ];
    expect(countersAt(since(times), now)).toEqual({ today: 3, perMinute: 4 / 5 });
    // Later that day, nothing in the last five minutes.
    expect(countersAt(since(times), now + 60 * 60_000)).toEqual({ today: 3, perMinute: 0 });
    // The next day starts at zero.
    expect(countersAt(since(times), new Date(2025, 4, 2, 9).getTime()).today).toBe(0);
  });

  it('writes figures with the language’s separators, abbreviated only when huge', () => {
    expect(fitCount(7, 'en')).toEqual({ text: '7', full: '7', size: 'l' });
    expect(fitCount(12345, 'en')).toEqual({ text: '12,345', full: '12,345', size: 'm' });
    expect(fitCount(12345, 'de').text).toBe('12.345');
    const big = fitCount(1_234_567, 'en');
    expect(big.text).toBe('1.2M');
    expect(big.full).toBe('1,234,567');
    expect(fitCount(123_456, 'en').text).toBe('123.5K');
    expect(fitCount(123_456, 'en').size).toBe('m');
    expect(fitCount(12_345_678, 'de').text).toMatch(/^12,3\s?Mio./);
  });

  it('writes a rate with one decimal while it is small', () => {
    expect(fitRate(0, 'en').text).toBe('0.0');
    expect(fitRate(2.4, 'de').text).toBe('2,4');
    expect(fitRate(37.2, 'en').text).toBe('37');
  });
});
