import { describe, expect, it } from 'vitest';
import { adjacency, shortestPath } from './path';

const e = (source: string, target: string) => ({ source, target });

describe('shortestPath', () => {
  it('finds a chain two hops long', () => {
    const links = [e('ada', 'grace'), e('grace', 'linus'), e('linus', 'ken')];
    expect(shortestPath(links, 'ada', 'linus')).toEqual(['ada', 'grace', 'linus']);
    expect(shortestPath(links, 'linus', 'ada')).toEqual(['linus', 'grace', 'ada']);
  });

  it('prefers the shortest of several chains', () => {
    const links = [e('a', 'b'), e('b', 'c'), e('c', 'd'), e('d', 'z'), e('a', 'x'), e('x', 'z')];
    expect(shortestPath(links, 'a', 'z')).toEqual(['a', 'x', 'z']);
  });

  it('says null when nothing joins the two', () => {
    const links = [e('a', 'b'), e('c', 'd')];
    expect(shortestPath(links, 'a', 'd')).toBeNull();
    expect(shortestPath(links, 'a', 'nobody')).toBeNull();
  });

  it('answers the person alone for a chain to themselves, and one hop for direct links', () => {
    const links = [e('a', 'b')];
    expect(shortestPath(links, 'a', 'a')).toEqual(['a']);
    expect(shortestPath(links, 'b', 'a')).toEqual(['b', 'a']);
  });

  it('is the same answer whichever way links are stored, and ignores self-links', () => {
    const links = [e('a', 'a'), e('b', 'a'), e('c', 'b'), e('a', 'd'), e('d', 'c')];
    const adj = adjacency(links);
    expect(adj.get('a')).toEqual(['b', 'd']);
    expect(shortestPath(adj, 'a', 'c')).toEqual(['a', 'b', 'c']);
  });

  it('walks a long line of 20,000 people quickly', () => {
    const links = Array.from({ length: 20_000 }, (_, i) => e(`p${i}`, `p${i + 1}`));
    const started = performance.now();
    const chain = shortestPath(links, 'p0', 'p20000');
    expect(chain?.length).toBe(20_001);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
