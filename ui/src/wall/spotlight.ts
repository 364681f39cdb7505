// The spotlight banner: "Ada connected with Grace" with both people's avatars (or initials discs), large enough to
// read across a room, for each new link the queue (highlights.ts) hands it; "+7 more" when a rush was skipped, and
// "Earlier tonight" over a replayed link. DOM only; the queue decides what and when.

import { t, tNodes } from '../i18n';
import type { Caption } from './highlights';
import { SHOW_MS } from './highlights';
import { el } from './panel';
import { shownName } from './names';
import type { NodeState } from './state';

/** A person's round picture: their photo when it loads, else the server's initials on their colour. */
export function disc(node: NodeState, color: string, cls: string): HTMLElement {
  const d = el('span', `disc ${cls}`);
  d.style.background = color;
  d.textContent = node.initials;
  d.setAttribute('aria-hidden', 'true');
  if (node.avatar) {
    const img = el('img', 'disc-img', d);
    img.alt = '';
    img.decoding = 'async';
    img.addEventListener('error', () => img.remove(), { once: true });
    img.src = node.avatar;
  }
  return d;
}

export class SpotlightBanner {
  readonly root: HTMLElement;
  private hideTimer = 0;
  /** The text of the banner showing now, or null. */
  showing: string | null = null;

  constructor(parent: HTMLElement) {
    // The existing caption, grown into the spotlight (its class is kept: tests and kiosks know it).
    this.root = el('div', 'caption spotlight', parent);
    this.root.setAttribute('aria-live', 'polite');
  }

  show(c: Caption, a: NodeState, b: NodeState, colorOf: (id: string) => string): string {
    const na = shownName(a.name, 40);
    const nb = shownName(b.name, 40);
    const box = this.root;
    box.replaceChildren();
    box.classList.toggle('spotlight-replay', c.replay);
    const discs = el('div', 'spot-discs', box);
    discs.append(disc(a, colorOf(a.id), 'spot-disc'), disc(b, colorOf(b.id), 'spot-disc'));
    const words = el('div', 'spot-words', box);
    if (c.replay) el('span', 'caption-kicker', words).textContent = t('wall.caption.earlier');
    const line = el('div', 'caption-line', words);
    for (const n of tNodes('wall.spotlight.connected', { a: na, b: nb })) {
      if (n instanceof HTMLElement) n.className = 'caption-name';
      else {
        const s = el('span', 'caption-join');
        s.textContent = n.textContent;
        line.append(s);
        continue;
      }
      line.append(n);
    }
    if (c.more > 0) el('span', 'caption-more', words).textContent = t('wall.spotlight.more', { count: c.more });
    box.classList.remove('show');
    void box.offsetWidth; // restart the slide-in
    box.classList.add('show');
    window.clearTimeout(this.hideTimer);
    // Out just before the next may come, so two banners never sit on top of each other.
    this.hideTimer = window.setTimeout(() => this.hide(), SHOW_MS - 250);
    this.showing = line.textContent;
    return `${na} ↔ ${nb}`;
  }

  hide(): void {
    window.clearTimeout(this.hideTimer);
    this.root.classList.remove('show');
    this.showing = null;
  }

  destroy(): void {
    window.clearTimeout(this.hideTimer);
  }
}
