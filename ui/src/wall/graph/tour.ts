// The kiosk tour's schedule: for each new link, fly in to both people, hold, then ease back out to the whole
// graph. Pure (times are handed in), so the tests run it on a fake clock; the renderer only follows its focus.
//
// It never fights a person at the wall: while someone is searching or finding a path (`busy`), the tour lets go of
// the camera at once and drops links that come meanwhile.

export interface TourPair {
  readonly source: string;
  readonly target: string;
}

export type TourPhase = 'idle' | 'in' | 'hold' | 'out';

export interface TourTiming {
  /** The flight in to a pair (or from one pair to the next). */
  flyMs: number;
  /** How long a pair stays in view once arrived. */
  holdMs: number;
  /** The flight back out to the whole graph. */
  backMs: number;
  /** Links waiting their turn; a rush keeps only the newest. */
  maxQueue: number;
}

export const TOUR_TIMING: TourTiming = { flyMs: 1400, holdMs: 3000, backMs: 1600, maxQueue: 3 };

export interface TourStep {
  phase: TourPhase;
  /** The pair the camera should show, null for the whole graph. */
  focus: TourPair | null;
  /** True when the phase or the focus changed at this tick (the camera starts a new flight). */
  changed: boolean;
  /** How long the flight that starts now should take (0 when nothing starts). */
  flightMs: number;
}

export class TourScheduler {
  private queue: TourPair[] = [];
  private phase: TourPhase = 'idle';
  private focus: TourPair | null = null;
  private since = 0;

  constructor(private readonly timing: TourTiming = TOUR_TIMING) {}

  get current(): TourPhase {
    return this.phase;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A new link to visit. */
  push(pair: TourPair): void {
    this.queue.push(pair);
    if (this.queue.length > this.timing.maxQueue) this.queue.splice(0, this.queue.length - this.timing.maxQueue);
  }

  /** Forgets everything and lets go of the camera (the tour switched off). */
  cancel(): void {
    this.queue = [];
    this.phase = 'idle';
    this.focus = null;
  }

  /** Advances to `now`; `busy` when a person is using the wall (then the tour stays out of the way). */
  tick(now: number, busy: boolean): TourStep {
    if (busy) {
      const changed = this.phase !== 'idle';
      this.cancel();
      // No flight of its own: whoever is busy owns the camera.
      return { phase: 'idle', focus: null, changed, flightMs: 0 };
    }
    const t = this.timing;
    const start = (phase: TourPhase, focus: TourPair | null, flightMs: number): TourStep => {
      this.phase = phase;
      this.focus = focus;
      this.since = now;
      return { phase, focus, changed: true, flightMs };
    };
    switch (this.phase) {
      case 'idle':
      case 'out': {
        const next = this.queue.shift();
        if (next) return start('in', next, t.flyMs);
        if (this.phase === 'out' && now - this.since >= t.backMs) return { ...start('idle', null, 0), changed: true };
        break;
      }
      case 'in':
        if (now - this.since >= t.flyMs) {
          this.phase = 'hold';
          this.since = now;
          return { phase: 'hold', focus: this.focus, changed: false, flightMs: 0 };
        }
        break;
      case 'hold':
        if (now - this.since >= t.holdMs) {
          const next = this.queue.shift();
          return next ? start('in', next, t.flyMs) : start('out', null, t.backMs);
        }
        break;
    }
    return { phase: this.phase, focus: this.focus, changed: false, flightMs: 0 };
  }
}
