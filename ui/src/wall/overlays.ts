// The wall's other DOM overlays over the graph: the ticker strip at the bottom, the toasts (streaks, milestones,
// key feedback) and the keys' help. What they show is decided elsewhere (ticker.ts, streaks.ts, keys.ts,
// features.ts); these only draw it, in the page's language.

import { language, t, type MessageKey } from '../i18n';
import type { Feature, WallFeatures } from './features';
import { FEATURE_KEYS } from './keys';
import { el } from './panel';
import { shownName } from './names';
import type { WallState } from './state';
import { agoText, TickerRotation, type TickerEntry } from './ticker';

/** Pixels a second the ticker moves at 1080p (it scales with the root font size). */
const TICKER_SPEED = 90;
/** How much faster it moves while a new link waits to come into view. */
const CATCH_UP = 4;

export class TickerStrip {
  readonly root: HTMLElement;
  readonly rotation = new TickerRotation();
  private readonly label: HTMLElement;
  private readonly window: HTMLElement;
  private readonly track: HTMLElement;
  /** The items on the track, with their width (measured once, when appended). */
  private items: Array<{ el: HTMLElement; ago: HTMLElement; entry: TickerEntry; width: number; fresh: boolean }> = [];
  private offset = 0;
  private last = 0;
  private lastAgo = 0;
  private rem = 16;
  private lastRem = 0;

  constructor(
    parent: HTMLElement,
    private readonly state: WallState,
  ) {
    this.root = el('div', 'ticker', parent);
    this.label = el('div', 'ticker-label', this.root);
    this.window = el('div', 'ticker-window', this.root);
    this.track = el('div', 'ticker-track', this.window);
    this.relabel();
  }

  relabel(): void {
    this.label.textContent = t('wall.ticker.label');
    this.root.setAttribute('aria-label', t('wall.ticker.label'));
    this.clear();
  }

  /** Empties the strip (it refills from the rotation at the next frame). */
  clear(): void {
    this.track.replaceChildren();
    this.items = [];
    this.offset = 0;
  }

  /** Moves the strip on; `serverNow` dates the "ago" texts. */
  frame(now: number, serverNow: number): void {
    const dt = this.last === 0 ? 0 : Math.min(100, now - this.last);
    this.last = now;
    if (now - this.lastRem > 1000) {
      this.lastRem = now;
      this.rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    }
    const width = this.window.clientWidth;
    this.offset -= (TICKER_SPEED * this.boost(width) * (this.rem / 16) * dt) / 1000;
    // Scrolled off: out, and the track shifts back by its width (nothing on screen moves).
    for (let first = this.items[0]; first && -this.offset > first.width; first = this.items[0]) {
      this.offset += first.width;
      first.el.remove();
      this.items.shift();
    }
    const room = width + 40;
    let used = this.items.reduce((s, i) => s + i.width, 0);
    for (let guard = 0; used + this.offset < room && guard < 20; guard++) {
      const fresh = this.rotation.hasFresh;
      const entry = this.rotation.next();
      if (!entry) break;
      const item = this.item(entry, serverNow, fresh);
      if (!item) continue;
      used += item.width;
    }
    this.root.classList.toggle('ticker-empty', this.items.length === 0);
    const sign = document.documentElement.dir === 'rtl' ? -1 : 1;
    this.track.style.transform = `translateX(${(sign * this.offset).toFixed(1)}px)`;
    if (now - this.lastAgo > 5000) {
      this.lastAgo = now;
      const lang = language();
      for (const i of this.items) i.ago.textContent = agoText(i.entry.at, serverNow, lang);
    }
  }

  /** The texts on the strip (the test hook shows them). */
  texts(): string[] {
    return this.items.map((i) => i.el.textContent ?? '');
  }

  /** Faster while a new link is still beyond the right edge, so it comes into view within a few seconds. */
  private boost(width: number): number {
    let x = this.offset;
    for (const i of this.items) {
      if (i.fresh && x + i.width * 0.5 > width) return CATCH_UP;
      x += i.width;
    }
    return this.rotation.hasFresh ? CATCH_UP : 1;
  }

  private item(entry: TickerEntry, serverNow: number, fresh: boolean): { width: number } | null {
    const a = this.state.nodes.get(entry.source);
    const b = this.state.nodes.get(entry.target);
    if (!a || !b) return null;
    const e = el('span', 'ticker-item', this.track);
    el('bdi', 'ticker-name', e).textContent = shownName(a.name, 32);
    el('span', 'ticker-arrow', e).textContent = ' ↔ ';
    el('bdi', 'ticker-name', e).textContent = shownName(b.name, 32);
    const ago = el('span', 'ticker-ago', e);
    ago.textContent = agoText(entry.at, serverNow, language());
    const item = { el: e, ago, entry, width: e.offsetWidth, fresh };
    this.items.push(item);
    return item;
  }
}

export type ToastKind = 'streak' | 'person' | 'event' | 'info';

const TOAST_MS: Record<ToastKind, number> = { streak: 6000, person: 6000, event: 8000, info: 2500 };
const MAX_TOASTS = 3;

/** Short notes stacked in the top corner; the oldest goes when a fourth comes. */
export class ToastStack {
  readonly root: HTMLElement;
  private readonly timers = new Set<number>();

  constructor(parent: HTMLElement) {
    this.root = el('div', 'toasts', parent);
    // A status region (polite): screen readers read each toast once; its label names the region.
    this.root.setAttribute('role', 'status');
    this.root.setAttribute('aria-live', 'polite');
    this.relabel();
  }

  relabel(): void {
    this.root.setAttribute('aria-label', t('wall.toasts.label'));
  }

  push(kind: ToastKind, text: string): void {
    while (this.root.childElementCount >= MAX_TOASTS) this.root.firstElementChild?.remove();
    const toast = el('div', `toast toast-${kind}`, this.root);
    toast.dir = 'auto';
    if (kind !== 'info') el('span', 'toast-mark', toast).textContent = kind === 'streak' ? '⚡' : '★';
    el('span', 'toast-text', toast).textContent = text;
    const timer = window.setTimeout(() => {
      this.timers.delete(timer);
      toast.classList.add('toast-out');
      window.setTimeout(() => toast.remove(), 400);
    }, TOAST_MS[kind]);
    this.timers.add(timer);
  }

  /** Removes the streak and milestone toasts (the feature was switched off). */
  clearCheers(): void {
    for (const e of [...this.root.querySelectorAll('.toast:not(.toast-info)')]) e.remove();
  }

  texts(): string[] {
    return Array.from(this.root.querySelectorAll('.toast-text'), (e) => e.textContent ?? '');
  }

  destroy(): void {
    for (const h of this.timers) window.clearTimeout(h);
  }
}

/** The words for each feature's name. */
export const FEATURE_NAMES: Readonly<Record<Feature, MessageKey>> = {
  spotlight: 'wall.feature.spotlight',
  ticker: 'wall.feature.ticker',
  streaks: 'wall.feature.streaks',
  medals: 'wall.feature.medals',
  counters: 'wall.feature.counters',
  search: 'wall.feature.search',
  pathFinder: 'wall.feature.pathFinder',
  clusters: 'wall.feature.clusters',
  heat: 'wall.feature.heat',
  tour: 'wall.feature.tour',
};

/** The keys' help: each key, what it switches and whether that is on now. */
export class HelpOverlay {
  readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = el('div', 'help', parent);
    this.root.setAttribute('role', 'dialog');
    this.root.hidden = true;
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  toggle(flags: Readonly<WallFeatures>): void {
    if (this.open) this.close();
    else {
      this.root.hidden = false;
      this.render(flags);
    }
  }

  close(): void {
    this.root.hidden = true;
  }

  /** Writes the help again (the flags or the language changed) when it is open. */
  render(flags: Readonly<WallFeatures>): void {
    if (!this.open) return;
    const box = this.root;
    box.replaceChildren();
    const title = el('h2', 'help-title', box);
    title.id = 'wall-help-title';
    title.textContent = t('wall.keys.title');
    box.setAttribute('aria-labelledby', title.id);
    const list = el('dl', 'help-list', box);
    const row = (key: string, what: string, state: boolean | null): void => {
      const r = el('div', 'help-row', list);
      el('kbd', 'help-key', el('dt', 'help-dt', r)).textContent = key;
      const dd = el('dd', 'help-dd', r);
      el('span', 'help-what', dd).textContent = what;
      if (state !== null) {
        const s = el('span', `help-state ${state ? 'help-on' : 'help-off'}`, dd);
        s.textContent = t(state ? 'wall.keys.on' : 'wall.keys.off');
      }
    };
    for (const [key, f] of FEATURE_KEYS) row(key, t(FEATURE_NAMES[f]), flags[f]);
    row('?', t('wall.keys.help'), null);
    row('Esc', t('wall.keys.close'), null);
  }
}
