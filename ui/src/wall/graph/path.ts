// "How am I connected to ...": the shortest chain of links between two people, by breadth-first search over the
// wall's links. Pure: the wall hands in its links (`WallState.links.values()`), the tests hand in their own.

export interface Edge {
  readonly source: string;
  readonly target: string;
}

/** Each person's neighbours, in the order the links come. */
export function adjacency(links: Iterable<Edge>): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  const add = (a: string, b: string): void => {
    let list = adj.get(a);
    if (!list) adj.set(a, (list = []));
    list.push(b);
  };
  for (const l of links) {
    if (l.source === l.target) continue;
    add(l.source, l.target);
    add(l.target, l.source);
  }
  return adj;
}

/**
 * The people on a shortest chain from `from` to `to`, both included (`[from]` when they are the same person);
 * null when no chain joins them. Among chains of equal length the one found first through the earliest links wins,
 * so the answer is the same on every wall. O(people + links).
 */
export function shortestPath(links: Iterable<Edge> | Map<string, string[]>, from: string, to: string): string[] | null {
  const adj = links instanceof Map ? links : adjacency(links);
  if (from === to) return [from];
  if (!adj.has(from) || !adj.has(to)) return null;
  const parent = new Map<string, string>([[from, from]]);
  let frontier = [from];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const nb of adj.get(id) ?? []) {
        if (parent.has(nb)) continue;
        parent.set(nb, id);
        if (nb === to) {
          const chain = [to];
          for (let at = id; at !== from; at = parent.get(at) ?? from) chain.push(at);
          chain.push(from);
          return chain.reverse();
        }
        next.push(nb);
      }
    }
    frontier = next;
  }
  return null;
}
