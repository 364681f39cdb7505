// Colours for clusters that stay put as the clusters are recomputed: each community (largest first) takes the
// palette colour most of its members already had, if still free, else the next free one. Communities smaller
// than MIN_CLUSTER (people alone or in a pair) and those past the palette are drawn in the neutral colour.

export const MIN_CLUSTER = 3;

/**
 * Palette index per community (-1: neutral), given each slot's community (`of`, -1 for empty slots; communities
 * numbered largest first), the number of communities, and each slot's previous palette index (-1: none).
 */
export function clusterPalette(of: Int32Array, count: number, previous: Int8Array, paletteSize: number): Int8Array {
  const size = new Int32Array(count);
  for (let s = 0; s < of.length; s++) {
    const c = of[s]!;
    if (c >= 0 && c < count) size[c]!++;
  }
  // Votes: community x previous colour.
  const votes = new Int32Array(count * paletteSize);
  for (let s = 0; s < of.length; s++) {
    const c = of[s]!;
    const p = previous[s] ?? -1;
    if (c >= 0 && c < count && p >= 0 && p < paletteSize) votes[c * paletteSize + p]!++;
  }
  const out = new Int8Array(count).fill(-1);
  const taken = new Uint8Array(paletteSize);
  let free = 0;
  for (let c = 0; c < count; c++) {
    if (size[c]! < MIN_CLUSTER) continue;
    let best = -1;
    let bestVotes = 0;
    for (let p = 0; p < paletteSize; p++) {
      const v = votes[c * paletteSize + p]!;
      if (!taken[p] && v > bestVotes) {
        best = p;
        bestVotes = v;
      }
    }
    if (best < 0) {
      while (free < paletteSize && taken[free]) free++;
      if (free === paletteSize) continue;
      best = free;
    }
    taken[best] = 1;
    out[c] = best;
  }
  return out;
}

/** Number of communities of at least MIN_CLUSTER people (what the legend lists). */
export function realClusters(of: Int32Array, count: number): number {
  const size = new Int32Array(count);
  for (let s = 0; s < of.length; s++) if (of[s]! >= 0 && of[s]! < count) size[of[s]!]!++;
  let n = 0;
  for (let c = 0; c < count; c++) if (size[c]! >= MIN_CLUSTER) n++;
  return n;
}
