// Text helpers for people's names: grapheme-safe initials and truncation (emoji, combining marks and
// right-to-left scripts must never be cut in half).

type Segmenter = { segment(input: string): Iterable<{ segment: string }> };

let segmenter: Segmenter | null | undefined;

function graphemeSegmenter(): Segmenter | null {
  if (segmenter === undefined) {
    const S = (Intl as unknown as { Segmenter?: new (l?: string, o?: object) => Segmenter }).Segmenter;
    segmenter = S ? new S(undefined, { granularity: 'grapheme' }) : null;
  }
  return segmenter;
}

/** The user-perceived characters of `s`. */
export function graphemes(s: string): string[] {
  const seg = graphemeSegmenter();
  if (seg) return Array.from(seg.segment(s), (x) => x.segment);
  return Array.from(s);
}

/** Removes control and bidi-override characters a name should never carry onto a public screen. */
export function cleanName(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : '';
  // C0/C1 controls and explicit bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069).
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
}

/** Up to two initials: first grapheme of the first and of the last word ("Elijah Zhou" -> "EZ"). */
export function initials(name: string): string {
  const words = cleanName(name).split(' ').filter((w) => w.length > 0);
  if (words.length === 0) return '?';
  const first = graphemes(words[0] ?? '')[0] ?? '';
  const last = words.length > 1 ? (graphemes(words[words.length - 1] ?? '')[0] ?? '') : '';
  return (first + last).toLocaleUpperCase();
}

/** `s` cut to at most `max` graphemes, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  const g = graphemes(s);
  if (g.length <= max) return s;
  return g.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

/** How a person is named on the wall: initials when the event asks for them. */
export function displayName(name: string, initialsOnly: boolean): string {
  const clean = cleanName(name);
  if (initialsOnly) return initials(clean);
  return clean.length > 0 ? clean : '?';
}
