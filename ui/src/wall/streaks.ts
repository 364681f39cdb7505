// Streaks and milestones: when the wall says "Ada: 3 in 10 minutes", "1,000 connections!" or "Grace: 10
// connections". Pure rules over live links (times on the server clock); the wall turns what they answer into
// toasts. Nothing is said for links already there when the wall loaded.

/** A streak: this many links of one person ... */
export const STREAK_COUNT = 3;
/** ... within this long. */
export const STREAK_WINDOW_MS = 10 * 60_000;

/** Whether the event's `n`th connection is a milestone: 100th, 250th, 500th, 1,000th, then every 1,000th. */
export function isEventMilestone(n: number): boolean {
  return n === 100 || n === 250 || n === 500 || (n >= 1000 && n % 1000 === 0);
}

/** The largest event milestone in `(prev, next]`, if any (a batch of links may cross one without landing on it). */
export function eventMilestoneCrossed(prev: number, next: number): number | null {
  if (next <= prev) return null;
  if (next >= 1000) {
    const m = Math.floor(next / 1000) * 1000;
    if (m > prev) return m;
  }
  for (const m of [500, 250, 100]) if (m <= next && m > prev) return m;
  return null;
}

/** Whether a person's `n`th connection is a milestone: the 5th, 10th and 25th. */
export function isPersonMilestone(n: number): boolean {
  return n === 5 || n === 10 || n === 25;
}

/** Whether a streak of `n` links within the window is worth saying: 3, 5, then every 5 (10, 15, ...). */
export function streakWorthSaying(n: number): boolean {
  return n === STREAK_COUNT || n === 5 || (n >= 10 && n % 5 === 0);
}

/** What the wall says about one live link. */
export type Cheer =
  | { kind: 'streak'; person: string; count: number }
  | { kind: 'person'; person: string; count: number }
  | { kind: 'event'; count: number };

/**
 * Follows live links and answers what is worth a toast. Each streak size is said once per streak (a sliding
 * window that stays at 3 is not said again); each milestone once, even when links are removed and made again.
 */
export class StreakTracker {
  /** Recent link times per person (within the window of their newest link). */
  private readonly recent = new Map<string, number[]>();
  /** The largest streak size reached in each person's current streak. */
  private readonly said = new Map<string, number>();
  /** The largest degree milestone said per person. */
  private readonly personSaid = new Map<string, number>();
  private eventSaid = 0;
  private total = 0;

  /** The event's total when the wall loads (or reloads its snapshot): milestones at or below it are not said. */
  seed(total: number): void {
    this.total = total;
    this.eventSaid = Math.max(this.eventSaid, eventMilestoneCrossed(0, total) ?? 0);
  }

  /** The total changed without a live link (a link removed, a person hidden). */
  setTotal(total: number): void {
    this.total = total;
  }

  /**
   * A live link between `a` (now of degree `degreeA`) and `b`, made at `at`, the event now having `total` links.
   * Answers the cheers, the event's milestone first.
   */
  link(a: string, degreeA: number, b: string, degreeB: number, at: number, total: number): Cheer[] {
    const out: Cheer[] = [];
    const m = eventMilestoneCrossed(Math.max(this.total, this.eventSaid), total);
    this.total = total;
    if (m !== null) {
      this.eventSaid = m;
      out.push({ kind: 'event', count: m });
    }
    const people: Array<[string, number]> = [
      [a, degreeA],
      [b, degreeB],
    ];
    for (const [p, degree] of people) {
      const n = this.push(p, at);
      const streak = n >= STREAK_COUNT && n > (this.said.get(p) ?? 0) && streakWorthSaying(n);
      if (n < STREAK_COUNT) this.said.delete(p);
      else this.said.set(p, Math.max(n, this.said.get(p) ?? 0));
      if (isPersonMilestone(degree) && degree > (this.personSaid.get(p) ?? 0)) {
        this.personSaid.set(p, degree);
        out.push({ kind: 'person', person: p, count: degree });
      } else if (streak) {
        // One toast per person per link: a milestone says more than a streak.
        out.push({ kind: 'streak', person: p, count: n });
      }
    }
    return out;
  }

  /** Forgets a person's streak (hidden, removed). */
  forget(id: string): void {
    this.recent.delete(id);
    this.said.delete(id);
  }

  /** Adds a link time for `p`; answers how many of their links fall within the window ending at the newest. */
  private push(p: string, at: number): number {
    let times = this.recent.get(p);
    if (!times) this.recent.set(p, (times = []));
    times.push(at);
    if (times.length > 1 && (times[times.length - 2] ?? 0) > at) times.sort((x, y) => x - y);
    const newest = times[times.length - 1] ?? at;
    while (times.length > 0 && (times[0] ?? 0) <= newest - STREAK_WINDOW_MS) times.shift();
    return times.length;
  }
}
