// The wall's extra counters: connections "today" (since local midnight) and the rate per minute, and how any
// count is written so it fits its box (locale separators; abbreviated from 100,000: "123K"). Pure: the clock
// and the link times come in as arguments.

/** The rate is the average over this many minutes. */
export const RATE_MINUTES = 5;

/** Local midnight of the day `now` falls in (ms since the epoch). */
export function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export interface Counters {
  /** Links made since local midnight. */
  today: number;
  /** Links per minute over the last `RATE_MINUTES` minutes. */
  perMinute: number;
}

/** The counters at `now` (server clock), from "how many links were made at or after this time". */
export function countersAt(linksSince: (since: number) => number, now: number): Counters {
  return {
    today: linksSince(localMidnight(now)),
    perMinute: linksSince(now - RATE_MINUTES * 60_000) / RATE_MINUTES,
  };
}

/** A size class for a figure's box, by how many characters it has. */
export type FigureSize = 'l' | 'm' | 's';

export interface Figure {
  text: string;
  /** The full figure, for a title or a screen reader, when `text` is abbreviated. */
  full: string;
  size: FigureSize;
}

/** `n` written in `lang` to fit a counter box: separators, abbreviated from 100,000, a smaller font when long. */
export function fitCount(n: number, lang: string): Figure {
  const full = Math.round(n).toLocaleString(lang);
  const text =
    Math.abs(n) >= 100_000
      ? new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 }).format(n)
      : full;
  return { text, full, size: sizeOf(text) };
}

/** A rate per minute: one decimal under 10 ("2.4"), whole above ("37"). */
export function fitRate(perMinute: number, lang: string): Figure {
  if (perMinute >= 10) return fitCount(perMinute, lang);
  const text = perMinute.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return { text, full: text, size: sizeOf(text) };
}

function sizeOf(text: string): FigureSize {
  const len = [...text].length;
  return len <= 4 ? 'l' : len <= 6 ? 'm' : 's';
}
