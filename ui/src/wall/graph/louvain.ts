// Community detection (Louvain: Blondel et al. 2008) on an undirected graph given as edge lists of node indices.
// Runs in the layout worker. Deterministic (nodes visited in index order), so every wall colours alike and the
// tests can pin results. O(links) per pass, a handful of passes per level, a few levels.
//
// Each level: move nodes one at a time to the neighbouring community with the best modularity gain until no move
// helps; then merge each community into one node (weights summed, internal links as self-loops) and repeat.

export interface Communities {
  /** Community of each node, 0 = the largest; ties by lowest node index. */
  readonly of: Int32Array;
  readonly count: number;
}

interface Level {
  n: number;
  /** CSR adjacency without self-loops. */
  start: Int32Array;
  nbr: Int32Array;
  w: Float64Array;
  /** Weight of each node's self-loop (its merged internal links). */
  loop: Float64Array;
  /** Weighted degree (self-loops counted twice). */
  k: Float64Array;
}

function build(n: number, a: ArrayLike<number>, b: ArrayLike<number>, wt: ArrayLike<number> | null, loops: Float64Array): Level {
  const deg = new Int32Array(n + 1);
  const m = a.length;
  for (let e = 0; e < m; e++) {
    const x = a[e] ?? 0;
    const y = b[e] ?? 0;
    if (x === y) continue;
    deg[x + 1]!++;
    deg[y + 1]!++;
  }
  for (let i = 0; i < n; i++) deg[i + 1]! += deg[i]!;
  const start = deg.slice();
  const fill = deg.slice(0, n);
  const nbr = new Int32Array(start[n]!);
  const w = new Float64Array(start[n]!);
  const k = new Float64Array(n);
  const loop = loops.slice();
  for (let i = 0; i < n; i++) k[i] = 2 * loop[i]!;
  for (let e = 0; e < m; e++) {
    const x = a[e] ?? 0;
    const y = b[e] ?? 0;
    const we = wt ? (wt[e] ?? 1) : 1;
    if (x === y) {
      loop[x]! += we;
      k[x]! += 2 * we;
      continue;
    }
    nbr[fill[x]!] = y;
    w[fill[x]!++] = we;
    nbr[fill[y]!] = x;
    w[fill[y]!++] = we;
    k[x]! += we;
    k[y]! += we;
  }
  return { n, start, nbr, w, loop, k };
}

/** One level of local moves; answers each node's community (renumbered 0..) and whether anything moved. */
function moveNodes(g: Level, m2: number, resolution: number): { comm: Int32Array; count: number; moved: boolean } {
  const { n, start, nbr, w, k } = g;
  const comm = new Int32Array(n);
  const tot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    comm[i] = i;
    tot[i] = k[i]!;
  }
  const toComm = new Float64Array(n);
  const touched = new Int32Array(n);
  let movedAny = false;
  for (let pass = 0; pass < 50; pass++) {
    let moves = 0;
    for (let i = 0; i < n; i++) {
      const ci = comm[i]!;
      const ki = k[i]!;
      let nt = 0;
      for (let p = start[i]!; p < start[i + 1]!; p++) {
        const c = comm[nbr[p]!]!;
        if (toComm[c] === 0) touched[nt++] = c;
        toComm[c]! += w[p]!;
      }
      tot[ci]! -= ki;
      // Staying put is the baseline; another community must do strictly better.
      let best = ci;
      let bestGain = toComm[ci]! - (resolution * tot[ci]! * ki) / m2;
      for (let t = 0; t < nt; t++) {
        const c = touched[t]!;
        const gain = toComm[c]! - (resolution * tot[c]! * ki) / m2;
        if (gain > bestGain + 1e-12) {
          best = c;
          bestGain = gain;
        }
      }
      tot[best]! += ki;
      if (best !== ci) {
        comm[i] = best;
        moves++;
      }
      for (let t = 0; t < nt; t++) toComm[touched[t]!] = 0;
    }
    if (moves === 0) break;
    movedAny = true;
  }
  const renum = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const c = comm[i]!;
    if (renum[c] === -1) renum[c] = count++;
    comm[i] = renum[c]!;
  }
  return { comm, count, moved: movedAny };
}

/** Louvain communities of the `n` nodes joined by the links (a[e], b[e]). */
export function louvain(n: number, a: ArrayLike<number>, b: ArrayLike<number>, resolution = 1): Communities {
  const of = new Int32Array(n);
  for (let i = 0; i < n; i++) of[i] = i;
  if (n === 0) return { of, count: 0 };
  let g = build(n, a, b, null, new Float64Array(n));
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += g.k[i]!;
  if (m2 > 0) {
    for (let level = 0; level < 20; level++) {
      const { comm, count, moved } = moveNodes(g, m2, resolution);
      if (!moved) break;
      for (let i = 0; i < n; i++) of[i] = comm[of[i]!]!;
      if (count === g.n) break;
      // Merge: one node per community, links between communities summed (duplicates add up in the CSR).
      const ea: number[] = [];
      const eb: number[] = [];
      const ew: number[] = [];
      const loops = new Float64Array(count);
      for (let i = 0; i < g.n; i++) {
        loops[comm[i]!]! += g.loop[i]!;
        for (let p = g.start[i]!; p < g.start[i + 1]!; p++) {
          const j = g.nbr[p]!;
          if (j < i) continue;
          const ci = comm[i]!;
          const cj = comm[j]!;
          if (ci === cj) loops[ci]! += g.w[p]!;
          else {
            ea.push(ci);
            eb.push(cj);
            ew.push(g.w[p]!);
          }
        }
      }
      g = build(count, ea, eb, ew, loops);
    }
  }
  // Renumber by size, largest first (ties: the community of the lowest node first).
  const size = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = of[i]!;
    size.set(c, (size.get(c) ?? 0) + 1);
    if (!first.has(c)) first.set(c, i);
  }
  const order = [...size.keys()].sort((x, y) => size.get(y)! - size.get(x)! || first.get(x)! - first.get(y)!);
  const rank = new Map<number, number>(order.map((c, r) => [c, r]));
  for (let i = 0; i < n; i++) of[i] = rank.get(of[i]!)!;
  return { of, count: order.length };
}

/** Newman's modularity of a partition (for tests and tuning). */
export function modularity(n: number, a: ArrayLike<number>, b: ArrayLike<number>, of: ArrayLike<number>): number {
  const m = a.length;
  if (m === 0) return 0;
  const inside = new Map<number, number>();
  const degree = new Map<number, number>();
  for (let e = 0; e < m; e++) {
    const cx = of[a[e] ?? 0] ?? -1;
    const cy = of[b[e] ?? 0] ?? -1;
    if (cx === cy) inside.set(cx, (inside.get(cx) ?? 0) + 1);
    degree.set(cx, (degree.get(cx) ?? 0) + 1);
    degree.set(cy, (degree.get(cy) ?? 0) + 1);
  }
  let q = 0;
  for (const [c, d] of degree) q += (inside.get(c) ?? 0) / m - (d / (2 * m)) ** 2;
  void n;
  return q;
}
