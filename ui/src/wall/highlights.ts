// The spotlight's queue: which new link the spotlight banner shows, and when. Each new link is shown for SHOW_MS;
// links arriving meanwhile wait in a queue of at most MAX_WAITING (the oldest waiting make room for newer ones),
// and the next banner says how many were skipped ("+7 more"), so a rush never leaves the wall minutes behind.
// After IDLE_MS without news an earlier connection is shown again, so a quiet wall does not look frozen.
// Pure: the clock comes in as `now`; spotlight.ts draws the banner.

export interface Highlight {
  key: string;
  source: string;
  target: string;
}

export interface Caption {
  /** The pair shown. */
  pair: Highlight;
  /** How many new links were skipped (not shown) since the previous banner. */
  more: number;
  /** True when this is an earlier connection shown again. */
  replay: boolean;
}

/** How long one banner stays before the next may replace it. */
export const SHOW_MS = 4000;
/** Links waiting for the banner at most; more push the oldest waiting out (counted as skipped). */
export const MAX_WAITING = 5;
export const IDLE_MS = 20_000;
export const REPLAY_EVERY_MS = 7000;

export class Highlighter {
  private queue: Highlight[] = [];
  private skipped = 0;
  private lastBeat = -Infinity;
  private lastLive = -Infinity;
  private lastReplay = -Infinity;

  constructor(private readonly random: () => number = Math.random) {}

  push(h: Highlight, now: number): void {
    if (this.queue.length >= MAX_WAITING) {
      this.queue.shift();
      this.skipped++;
    }
    this.queue.push(h);
    this.lastLive = now;
  }

  /** Called every frame; returns a caption to show when one is due. `pick` chooses an earlier link to replay. */
  tick(now: number, pick: (r: number) => Highlight | null): Caption | null {
    if (now - this.lastBeat < SHOW_MS) return null;
    const next = this.queue.shift();
    if (next) {
      this.lastBeat = now;
      const more = this.skipped;
      this.skipped = 0;
      return { pair: next, more, replay: false };
    }
    if (now - this.lastLive >= IDLE_MS && now - this.lastReplay >= REPLAY_EVERY_MS) {
      const pair = pick(this.random());
      this.lastReplay = now;
      if (pair) {
        this.lastBeat = now;
        return { pair, more: 0, replay: true };
      }
    }
    return null;
  }

  /** Drops what waits (the spotlight was switched off); a link shown later starts at once. */
  clear(): void {
    this.queue = [];
    this.skipped = 0;
    this.lastBeat = -Infinity;
  }

  get waiting(): number {
    return this.queue.length;
  }
}
