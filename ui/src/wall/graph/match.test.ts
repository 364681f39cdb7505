import { describe, expect, it } from 'vitest';
import { fold, matchPeople } from './match';

const people = [
  { id: '1', name: 'Ada Lovelace', degree: 3 },
  { id: '2', name: 'Grace Hopper', degree: 9 },
  { id: '3', name: 'Adèle Ndiaye', degree: 1 },
  { id: '4', name: 'Linus Adam', degree: 5 },
  { id: '5', name: 'Nadia Haddad', degree: 2 },
  { id: '6', name: 'ليلى حداد', degree: 2 },
];

describe('search matching', () => {
  it('ranks names that start with the query, then words that do, then any match', () => {
    expect(matchPeople('ad', people).map((p) => p.name)).toEqual(['Ada Lovelace', 'Adèle Ndiaye', 'Linus Adam', 'Nadia Haddad']);
  });

  it('ignores case and accents', () => {
    expect(fold('  Adèle   NDIAYE ')).toBe('adele ndiaye');
    expect(matchPeople('ADELE', people).map((p) => p.id)).toEqual(['3']);
    expect(matchPeople('ليلى', people).map((p) => p.id)).toEqual(['6']);
  });

  it('answers nothing for an empty query and at most the limit', () => {
    expect(matchPeople('  ', people)).toEqual([]);
    expect(matchPeople('a', people, 2)).toHaveLength(2);
  });
});
