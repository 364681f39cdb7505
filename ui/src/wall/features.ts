// The wall's feature flags: which of its features are on right now.
//
// What it offers (for anything drawing on the wall, renderer.ts and ui/src/wall/graph/ included):
// - `FEATURES`: the ten feature names, in the order the help overlay lists them;
// - `DEFAULT_FEATURES`: the defaults (all on except clusters, heat and tour), as the server fills them in;
// - `normalFeatures(raw)`: a `WallFeatures` from whatever an event's `settings.wall` holds (missing or non-boolean
//   fields take their defaults), for old servers and caches too;
// - `FeatureStore`: `current()` (the event's settings overridden by this page's key toggles), `on(name)`,
//   `subscribe(fn)` (called with the new flags and the names that changed; answers the unsubscribe function),
//   `setEvent(settings.wall)` (the wall calls it from every snapshot and live `event` frame) and `toggle(name)`
//   (the wall's keys). Toggles live in memory only: a reload returns to the event's settings. A toggle holds until
//   the organiser changes that same feature, which then wins.
// - `wallFeatures`: the wall page's one store, shared by every module of the page (`mountWall` resets it).
// No DOM here: the Vitest tests drive it by hand.
// Layout note for overlays at the bottom of `.stage`: the ticker takes its bottom `var(--ticker-h)` (a CSS variable
// on `.stage`, 0px while the ticker is off): place them at `bottom: calc(<gap> + var(--ticker-h))`.

import type { WallFeatures } from '../bindings/WallFeatures';

export type { WallFeatures };
export type Feature = keyof WallFeatures;

export const FEATURES: readonly Feature[] = [
  'spotlight',
  'ticker',
  'streaks',
  'medals',
  'counters',
  'search',
  'pathFinder',
  'clusters',
  'heat',
  'tour',
];

export const DEFAULT_FEATURES: Readonly<WallFeatures> = Object.freeze({
  spotlight: true,
  ticker: true,
  streaks: true,
  medals: true,
  counters: true,
  search: true,
  pathFinder: true,
  clusters: false,
  heat: false,
  tour: false,
});

/** `raw` (an event's `settings.wall`, maybe absent or partial) as a full set of flags. */
export function normalFeatures(raw: unknown): WallFeatures {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<Feature, unknown>>;
  const out = { ...DEFAULT_FEATURES };
  for (const f of FEATURES) {
    const v = o[f];
    if (typeof v === 'boolean') out[f] = v;
  }
  return out;
}

export type FeatureListener = (flags: Readonly<WallFeatures>, changed: readonly Feature[]) => void;

export class FeatureStore {
  private event: WallFeatures = { ...DEFAULT_FEATURES };
  /** Key toggles of this page: the value each toggled feature has, whatever the event says. */
  private readonly overrides = new Map<Feature, boolean>();
  private flags: WallFeatures = { ...DEFAULT_FEATURES };
  private readonly listeners = new Set<FeatureListener>();

  /** The flags in force: the event's settings, overridden by this page's key toggles. */
  current(): Readonly<WallFeatures> {
    return this.flags;
  }

  on(f: Feature): boolean {
    return this.flags[f];
  }

  /** Calls `fn` after every change of the flags in force; answers the function that stops it. */
  subscribe(fn: FeatureListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The event's settings (`settings.wall`) as they are now; a feature the organiser changed drops its toggle. */
  setEvent(raw: unknown): void {
    const next = normalFeatures(raw);
    for (const f of FEATURES) if (next[f] !== this.event[f]) this.overrides.delete(f);
    this.event = next;
    this.recompute();
  }

  /** Flips `f` on this page (a key on the wall); answers its new value. */
  toggle(f: Feature): boolean {
    const v = !this.flags[f];
    if (v === this.event[f]) this.overrides.delete(f);
    else this.overrides.set(f, v);
    this.recompute();
    return v;
  }

  /** Back to the defaults, no toggles, no listeners (a new wall mounted on the page). */
  reset(): void {
    this.listeners.clear();
    this.overrides.clear();
    this.event = { ...DEFAULT_FEATURES };
    this.flags = { ...DEFAULT_FEATURES };
  }

  private recompute(): void {
    const next = { ...this.event };
    for (const [f, v] of this.overrides) next[f] = v;
    const changed = FEATURES.filter((f) => next[f] !== this.flags[f]);
    if (changed.length === 0) return;
    this.flags = next;
    for (const fn of [...this.listeners]) fn(next, changed);
  }
}

/** The wall page's flags, read by every part of the wall. */
export const wallFeatures = new FeatureStore();
