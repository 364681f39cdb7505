// The side panel: counters, the top-10 leaderboard and the join QR code. Plain DOM, built once and updated in
// place (text only: names are never parsed as HTML).

import { drawQr } from '../qr';
import { language, t, type MessageKey } from '../i18n';
import type { WallState } from './state';
import { shownName, truncate } from './names';
import { countersAt, fitCount, fitRate, RATE_MINUTES, type Figure } from './counters';
import { wallFeatures } from './features';

const TOP = 10;
const RECENT_MS = 10 * 60_000;

/** A new element with a class, appended to `parent` when given (the wall page builds its DOM with it too). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, parent?: HTMLElement): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  parent?.appendChild(e);
  return e;
}

/** Writes a figure into its box, smaller when long, the full number for a screen reader when abbreviated. */
function show(e: HTMLElement, f: Figure): void {
  if (e.textContent !== f.text) e.textContent = f.text;
  if (e.dataset.size !== f.size) e.dataset.size = f.size;
  if (f.text !== f.full) e.setAttribute('aria-label', f.full);
  else e.removeAttribute('aria-label');
}

export class SidePanel {
  readonly root: HTMLElement;
  private readonly people: HTMLElement;
  private readonly links: HTMLElement;
  private readonly recent: HTMLElement;
  private readonly rows: Array<{ row: HTMLElement; rank: HTMLElement; dot: HTMLElement; name: HTMLElement; count: HTMLElement }> = [];
  private readonly qrBox: HTMLElement;
  private readonly qrCanvas: HTMLCanvasElement;
  private readonly qrUrl: HTMLElement;
  private qrFor: string | null = null;
  /** The elements whose text is chrome, with their message: written again when the language changes. */
  private readonly labels: Array<[HTMLElement, MessageKey]> = [];
  private readonly stats: HTMLElement;
  /** "Today" and "per minute" (the counters feature), apart from the three figures every wall has. */
  private readonly counters: HTMLElement;
  private readonly today: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly rateBox: HTMLElement;

  constructor(
    private readonly state: WallState,
    private readonly colorOf: (id: string) => string,
  ) {
    this.root = el('aside', 'panel');
    const stats = el('section', 'stats', this.root);
    this.stats = stats;
    const stat = (label: MessageKey): HTMLElement => {
      const box = el('div', 'stat', stats);
      const value = el('div', 'stat-value', box);
      this.labels.push([el('div', 'stat-label', box), label]);
      value.textContent = '0';
      return value;
    };
    this.people = stat('wall.stats.people');
    this.links = stat('wall.stats.connections');
    this.recent = stat('wall.stats.recent');
    this.counters = el('section', 'stats counters', this.root);
    const counter = (label: MessageKey): HTMLElement => {
      const box = el('div', 'stat counter', this.counters);
      const value = el('div', 'counter-value', box);
      this.labels.push([el('div', 'counter-label', box), label]);
      value.textContent = '0';
      return value;
    };
    this.today = counter('wall.stats.today');
    this.rate = counter('wall.stats.rate');
    this.rateBox = this.rate.parentElement as HTMLElement;

    const board = el('section', 'board', this.root);
    const title = el('h2', 'panel-title', board);
    title.id = 'wall-board-title';
    this.labels.push([title, 'wall.board.title']);
    const list = el('ol', 'board-list', board);
    list.setAttribute('aria-labelledby', title.id);
    for (let i = 0; i < TOP; i++) {
      const row = el('li', 'board-row', list);
      const rank = el('span', 'board-rank', row);
      const dot = el('span', 'board-dot', row);
      const name = el('bdi', 'board-name', row);
      const count = el('span', 'board-count', row);
      this.rows.push({ row, rank, dot, name, count });
    }

    this.qrBox = el('section', 'qr', this.root);
    this.qrCanvas = el('canvas', 'qr-code', this.qrBox);
    this.qrCanvas.setAttribute('role', 'img');
    this.labels.push([el('div', 'qr-label', this.qrBox), 'wall.qr.caption']);
    this.qrUrl = el('div', 'qr-url', this.qrBox);
    this.qrBox.hidden = true;
    this.relabel();
  }

  /** Writes the panel's own words in the page's language (names and figures are left to `update`). */
  relabel(): void {
    for (const [e, key] of this.labels) e.textContent = t(key);
    this.rows.forEach((r, i) => (r.rank.textContent = (i + 1).toLocaleString(language())));
    this.stats.setAttribute('aria-label', t('wall.stats.label'));
    this.counters.setAttribute('aria-label', t('wall.feature.counters'));
    this.rateBox.title = t('wall.stats.rate_hint', { minutes: RATE_MINUTES });
    this.qrCanvas.setAttribute('aria-label', t('wall.qr.label'));
  }

  update(serverNow: number): void {
    const s = this.state;
    const lang = language();
    show(this.people, fitCount(s.nodes.size, lang));
    show(this.links, fitCount(s.links.size, lang));
    show(this.recent, fitCount(s.linksSince(serverNow - RECENT_MS), lang));
    this.counters.hidden = !wallFeatures.on('counters');
    if (!this.counters.hidden) {
      const c = countersAt((since) => s.linksSince(since), serverNow);
      show(this.today, fitCount(c.today, lang));
      show(this.rate, fitRate(c.perMinute, lang));
    }
    const top = s.leaderboard(TOP);
    this.rows.forEach((r, i) => {
      const n = top[i];
      r.row.hidden = n === undefined;
      if (!n) return;
      // The name as sent: with initials only it already is the initials ("EZ"), never to be initialled again.
      r.name.textContent = shownName(n.name, 40);
      r.count.textContent = n.degree.toLocaleString(lang);
      r.count.setAttribute('aria-label', t('wall.board.count', { count: n.degree }));
      r.dot.style.background = this.colorOf(n.id);
    });
    this.updateQr(s.settings.joinUrl ?? null);
  }

  private updateQr(url: string | null): void {
    if (url === this.qrFor) return;
    this.qrFor = url;
    this.qrBox.hidden = url === null;
    if (url === null) return;
    try {
      drawQr(this.qrCanvas, url, 256, 2);
      this.qrUrl.textContent = truncate(url.replace(/^https?:\/\//, ''), 48);
    } catch (e) {
      // Too long for a QR code, or otherwise unencodable: no code rather than a broken one.
      console.warn('livewall: cannot make a QR code', e);
      this.qrBox.hidden = true;
    }
  }
}
