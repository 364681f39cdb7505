import { describe, expect, it } from 'vitest';
import {
  STREAK_WINDOW_MS,
  StreakTracker,
  eventMilestoneCrossed,
  isEventMilestone,
  isPersonMilestone,
  streakWorthSaying,
} from './streaks';

const MIN = 60_000;

describe('milestone rules', () => {
  it('knows the event milestones: 100, 250, 500, 1,000, then every 1,000', () => {
    const all = Array.from({ length: 5000 }, (_, i) => i + 1).filter(isEventMilestone);
    expect(all).toEqual([100, 250, 500, 1000, 2000, 3000, 4000, 5000]);
    expect(eventMilestoneCrossed(99, 100)).toBe(100);
    expect(eventMilestoneCrossed(100, 101)).toBeNull();
    expect(eventMilestoneCrossed(240, 260)).toBe(250);
    expect(eventMilestoneCrossed(1999, 3001)).toBe(3000);
    expect(eventMilestoneCrossed(5, 5)).toBeNull();
  });

  it('knows a person’s milestones and which streaks are worth saying', () => {
    expect([...Array(30).keys()].filter(isPersonMilestone)).toEqual([5, 10, 25]);
    expect([...Array(21).keys()].filter(streakWorthSaying)).toEqual([3, 5, 10, 15, 20]);
  });
});

describe('StreakTracker', () => {
  it('says "3 in 10 minutes" once a person makes a third link within ten minutes, and not again for the same size', () => {
    const s = new StreakTracker();
    s.seed(0);
    expect(s.link('ada', 1, 'b', 1, 0, 1)).toEqual([]);
    expect(s.link('ada', 2, 'c', 1, 4 * MIN, 2)).toEqual([]);
    expect(s.link('ada', 3, 'd', 1, 9 * MIN, 3)).toEqual([{ kind: 'streak', person: 'ada', count: 3 }]);
    // The window slides (the first link falls out) and stays at three: nothing new to say.
    expect(s.link('ada', 4, 'e', 1, 11 * MIN, 4)).toEqual([]);
    // Two more within the window: five.
    expect(s.link('ada', 5, 'f', 1, 12 * MIN, 5)).toEqual([
      { kind: 'person', person: 'ada', count: 5 },
    ]);
  });

  it('needs the links within the window, and a new streak after a pause', () => {
    const s = new StreakTracker();
    s.link('ada', 1, 'b', 1, 0, 1);
    s.link('ada', 2, 'c', 1, 6 * MIN, 2);
    expect(s.link('ada', 3, 'd', 1, STREAK_WINDOW_MS, 3)).toEqual([]);
    // A pause, then three quick ones: a streak again.
    s.link('ada', 4, 'e', 1, 60 * MIN, 4);
    s.link('ada', 5, 'f', 1, 61 * MIN, 5);
    expect(s.link('ada', 6, 'g', 1, 62 * MIN, 6)).toEqual([{ kind: 'streak', person: 'ada', count: 3 }]);
  });

  it('counts both people of a link', () => {
    const s = new StreakTracker();
    s.link('a', 1, 'g', 1, 0, 1);
    s.link('b', 1, 'g', 2, MIN, 2);
    expect(s.link('c', 1, 'g', 3, 2 * MIN, 3)).toEqual([{ kind: 'streak', person: 'g', count: 3 }]);
  });

  it('says the event’s milestones once, not those already reached when the wall loaded', () => {
    const s = new StreakTracker();
    s.seed(1000);
    expect(s.link('a', 1, 'b', 1, 0, 1001)).toEqual([]);
    const t = new StreakTracker();
    t.seed(99);
    expect(t.link('a', 1, 'b', 1, 0, 100)).toEqual([{ kind: 'event', count: 100 }]);
    // A link removed, then made again: the 100th is not said twice.
    t.setTotal(99);
    expect(t.link('a', 1, 'c', 1, MIN * 30, 100)).toEqual([]);
  });

  it('says a person’s 5th, 10th and 25th connection once each', () => {
    const s = new StreakTracker();
    expect(s.link('a', 10, 'b', 25, 0, 50)).toEqual([
      { kind: 'person', person: 'a', count: 10 },
      { kind: 'person', person: 'b', count: 25 },
    ]);
    expect(s.link('a', 10, 'c', 1, 20 * MIN, 51)).toEqual([]);
  });
});
