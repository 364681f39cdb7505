import { describe, expect, it } from 'vitest';
import { HEAT_WINDOW_MS, HeatLog, heatWeight } from './heat';

describe('heat decay', () => {
  it('glows fully when new and fades smoothly to nothing over ten minutes', () => {
    expect(HEAT_WINDOW_MS).toBe(600_000);
    expect(heatWeight(0)).toBe(1);
    expect(heatWeight(-50)).toBe(1);
    expect(heatWeight(300_000)).toBeCloseTo(0.25, 6);
    expect(heatWeight(599_000)).toBeGreaterThan(0);
    expect(heatWeight(599_000)).toBeLessThan(0.001);
    expect(heatWeight(600_000)).toBe(0);
    expect(heatWeight(Number.NaN)).toBe(0);
    let prev = 2;
    for (let t = 0; t <= 600_000; t += 10_000) {
      const w = heatWeight(t);
      expect(w).toBeLessThan(prev);
      prev = w;
    }
  });

  it('keeps the newest links when full and forgets expired ones', () => {
    const log = new HeatLog(3);
    log.add(1, 2, 0);
    log.add(3, 4, 1000);
    log.add(5, 6, 2000);
    log.add(7, 8, 3000);
    expect(log.size).toBe(3);
    expect(log.slotA[log.index(0)]).toBe(3);
    expect(log.slotA[log.index(2)]).toBe(7);
    log.prune(1000 + HEAT_WINDOW_MS);
    expect(log.size).toBe(2);
    expect(log.slotB[log.index(0)]).toBe(6);
    log.prune(10 * HEAT_WINDOW_MS);
    expect(log.size).toBe(0);
  });

  it('stops a removed person glowing', () => {
    const log = new HeatLog(4);
    log.add(1, 2, 0);
    log.add(2, 3, 0);
    log.add(4, 5, 0);
    log.forgetSlot(2);
    const alive = [0, 1, 2].map((k) => heatWeight(100 - (log.at[log.index(k)] ?? 0)));
    expect(alive).toEqual([0, 0, expect.any(Number)]);
    expect(alive[2]).toBeGreaterThan(0.99);
  });
});
