// Which connection the caption shows, and when. Live connections queue up; one is shown per beat, and a rush
// (more than RUSH waiting) is coalesced into one caption ("… and 12 more") so the wall stays readable. After
// IDLE_MS without news an earlier connection is shown again, so a quiet wall does not look frozen.

export interface Highlight {
  key: string;
  source: string;
  target: string;
}

export interface Caption {
  /** The pair shown. */
  pair: Highlight;
  /** How many more arrived in the same beat. */
  more: number;
  /** True when this is an earlier connection shown again. */
  replay: boolean;
}

export const BEAT_MS = 1600;
export const RUSH = 3;
export const IDLE_MS = 20_000;
export const REPLAY_EVERY_MS = 7000;
const MAX_QUEUE = 500;

export class Highlighter {
  private queue: Highlight[] = [];
  private overflow = 0;
  private lastBeat = -Infinity;
  private lastLive = -Infinity;
  private lastReplay = -Infinity;

  constructor(private readonly random: () => number = Math.random) {}

  push(h: Highlight, now: number): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.overflow++;
    }
    this.queue.push(h);
    this.lastLive = now;
  }

  /** Called every frame; returns a caption to show when one is due. `pick` chooses an earlier link to replay. */
  tick(now: number, pick: (r: number) => Highlight | null): Caption | null {
    if (now - this.lastBeat < BEAT_MS) return null;
    if (this.queue.length > 0) {
      this.lastBeat = now;
      if (this.queue.length > RUSH) {
        const last = this.queue[this.queue.length - 1] as Highlight;
        const more = this.queue.length - 1 + this.overflow;
        this.queue = [];
        this.overflow = 0;
        return { pair: last, more, replay: false };
      }
      const next = this.queue.shift() as Highlight;
      return { pair: next, more: 0, replay: false };
    }
    if (now - this.lastLive >= IDLE_MS && now - this.lastReplay >= REPLAY_EVERY_MS) {
      const pair = pick(this.random());
      this.lastReplay = now;
      this.lastBeat = now;
      if (pair) return { pair, more: 0, replay: true };
    }
    return null;
  }

  get waiting(): number {
    return this.queue.length;
  }
}
