// Text helpers for people's names: display safety only (control and bidi characters out, grapheme-safe
// truncation, so emoji, combining marks and right-to-left scripts are never cut in half). What a person is called
// on a wall, initials included, is the server's decision: nothing here derives initials from a name, which may
// already be the initials ("EZ") when the event shows initials only.

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

/** `s` cut to at most `max` graphemes, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  const g = graphemes(s);
  if (g.length <= max) return s;
  return g.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

/** A name as the wall shows it: as the server sent it (cleaned by the state), cut to `max` graphemes; '?' for none. */
export function shownName(name: string, max: number): string {
  return truncate(name.length > 0 ? name : '?', max);
}

/** The text of an avatar disc: the server's initials, '?' when it sent none (an older server, an old cached snapshot). */
export function discInitials(raw: unknown): string {
  const s = cleanName(raw);
  return s.length > 0 ? s : '?';
}
