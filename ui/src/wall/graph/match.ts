// Type-ahead over the names the wall shows: accents and case ignored, a name that starts with the query first,
// then one with a word that does, then any that contains it; more connected people first among equals.

export interface Candidate {
  readonly id: string;
  readonly name: string;
  readonly degree: number;
}

/** `s` folded for matching: lower case, no accents, single spaces. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLocaleLowerCase().replace(/\s+/g, ' ').trim();
}

/** The best `limit` people for `query` (none for an empty query). */
export function matchPeople(query: string, people: Iterable<Candidate>, limit = 8): Candidate[] {
  const q = fold(query);
  if (q.length === 0) return [];
  const hits: Array<{ c: Candidate; rank: number }> = [];
  for (const c of people) {
    const name = fold(c.name);
    const at = name.indexOf(q);
    if (at < 0) continue;
    const rank = name === q ? 0 : at === 0 ? 1 : name[at - 1] === ' ' || name[at - 1] === '-' ? 2 : 3;
    hits.push({ c, rank });
  }
  hits.sort((x, y) => x.rank - y.rank || y.c.degree - x.c.degree || x.c.name.localeCompare(y.c.name));
  return hits.slice(0, limit).map((h) => h.c);
}
