// The ticker's logic: which links scroll by next and how long ago each was made ("2 min ago", in the page's
// language by Intl). Pure; view.ts moves the strip. The strip is a stream: items are appended at its end as room
// appears and dropped once they have scrolled off, so a new link never makes the line jump.

/** The newest links the ticker cycles through. */
export const TICKER_SIZE = 12;

export interface TickerEntry {
  key: string;
  source: string;
  target: string;
  /** When the link was made (server clock, ms). */
  at: number;
}

/**
 * The order entries scroll by: links not yet shown first (oldest first, so they come in the order they were
 * made), then round and round the newest `TICKER_SIZE`.
 */
export class TickerRotation {
  private recent: TickerEntry[] = [];
  private fresh: TickerEntry[] = [];
  private cursor = 0;

  /** The links already there when the wall loaded (any order); none of them counts as fresh. */
  seed(entries: Iterable<TickerEntry>): void {
    this.recent = [...entries].sort((a, b) => b.at - a.at).slice(0, TICKER_SIZE);
    this.fresh = [];
    this.cursor = 0;
  }

  /** A new link: shown next, then one of the newest. */
  add(e: TickerEntry): void {
    this.recent = [e, ...this.recent.filter((r) => r.key !== e.key)].slice(0, TICKER_SIZE);
    this.fresh.push(e);
    if (this.fresh.length > TICKER_SIZE) this.fresh.shift();
  }

  /** A link removed (moderation): it scrolls by no more. */
  remove(key: string): void {
    this.recent = this.recent.filter((r) => r.key !== key);
    this.fresh = this.fresh.filter((r) => r.key !== key);
  }

  /** Whether a new link waits to be appended. */
  get hasFresh(): boolean {
    return this.fresh.length > 0;
  }

  get size(): number {
    return this.recent.length;
  }

  /** The next entry to append to the strip, or null when there is none. */
  next(): TickerEntry | null {
    const f = this.fresh.shift();
    if (f) return f;
    if (this.recent.length === 0) return null;
    const e = this.recent[this.cursor % this.recent.length] ?? null;
    this.cursor = (this.cursor + 1) % this.recent.length;
    return e;
  }
}

/** How long ago `at` was at `now`, in `lang`: "now", "45 sec. ago", "2 min. ago", "3 hr. ago". */
export function agoText(at: number, now: number, lang: string): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
  if (s < 10) return rtf.format(0, 'second');
  if (s < 60) return rtf.format(-s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return rtf.format(-m, 'minute');
  const h = Math.floor(m / 60);
  if (h < 24) return rtf.format(-h, 'hour');
  return rtf.format(-Math.floor(h / 24), 'day');
}
