// Colours by major (or company): each category keeps the colour it was first given for the whole evening.

/** Distinct, bright-on-dark hues (Okabe-Ito inspired, extended). */
export const PALETTE = [
  '#4cc9f0', '#f72585', '#ffd166', '#06d6a0', '#f4845f', '#b388ff',
  '#90be6d', '#ff70a6', '#48bfe3', '#e9c46a', '#ef476f', '#72efdd',
] as const;
export const OTHER = '#8d99ae';

export class CategoryColors {
  private readonly assigned = new Map<string, string>();

  /** The colour of `category`; categories past the palette share the neutral "other" colour. */
  color(category: string | null): string {
    if (category === null) return OTHER;
    const known = this.assigned.get(category);
    if (known) return known;
    const c = this.assigned.size < PALETTE.length ? (PALETTE[this.assigned.size] ?? OTHER) : OTHER;
    this.assigned.set(category, c);
    return c;
  }

  /** Gives the palette to the most common categories first (call once with the snapshot's counts). */
  seed(counts: Map<string, number>): void {
    for (const [cat] of [...counts.entries()].sort((a, b) => b[1] - a[1])) this.color(cat);
  }
}

/** Which field colours the wall: majors when most people have one, else companies. */
export function categoryField(people: Iterable<{ major: string | null; company: string | null }>): 'major' | 'company' {
  let majors = 0;
  let companies = 0;
  for (const p of people) {
    if (p.major) majors++;
    if (p.company) companies++;
  }
  return majors >= companies ? 'major' : 'company';
}
