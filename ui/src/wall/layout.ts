// The force layout (d3-force), driven by small commands so it can live in a Web Worker (the default: the main
// thread only draws) or inline where workers are missing. Nodes are addressed by slot numbers the drawing side
// hands out; positions come back as one Float32Array [x0, y0, x1, y1, ...] indexed by slot.
//
// Stability: nodes keep their coordinates for ever; a newcomer starts next to the node it met; additions re-heat
// the simulation gently (alpha raised to REHEAT, never reset to 1 except for the very first batch).

import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';
import { louvain } from './graph/louvain';

export type LayoutCommand =
  | { t: 'add-nodes'; slots: number[]; near: number[] }
  | { t: 'remove-nodes'; slots: number[] }
  | { t: 'add-links'; pairs: number[] }
  | { t: 'remove-links'; pairs: number[] }
  /** Width / height of the screen area: gravity is weaker across, so the graph fills a wide screen. */
  | { t: 'aspect'; ratio: number };

interface LNode extends SimulationNodeDatum {
  slot: number;
  degree: number;
}

type LLink = SimulationLinkDatum<LNode> & { source: LNode; target: LNode };

/** Pull toward the centre, which keeps people without links near the rest. */
const GRAVITY = 0.035;
/** Gentle re-heat for live additions. */
export const REHEAT = 0.12;
/** Above this many nodes collision is left out: it costs more than it shows at that scale. */
const COLLIDE_MAX_NODES = 3000;

/** World radius of a node with `degree` links (shared with the renderer). */
export function nodeRadius(degree: number): number {
  return 7 + 3.2 * Math.sqrt(degree);
}

function linkKey(a: number, b: number): number {
  // Slots stay below 2^26, so a pair fits a double exactly.
  return a < b ? a * 67_108_864 + b : b * 67_108_864 + a;
}

export class LayoutCore {
  private readonly sim: Simulation<LNode, LLink>;
  private readonly bySlot: Array<LNode | undefined> = [];
  private nodes: LNode[] = [];
  private links: LLink[] = [];
  private readonly linkIndex = new Map<number, LLink>();
  private structureDirty = false;
  private first = true;
  private maxSlot = -1;
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
    this.sim = forceSimulation<LNode, LLink>([])
      .stop()
      .alphaDecay(0.03)
      .velocityDecay(0.45)
      .force('charge', forceManyBody<LNode>().strength(-60).distanceMax(600).theta(0.95))
      .force(
        'link',
        forceLink<LNode, LLink>([])
          .distance((l) => 26 + nodeRadius(l.source.degree) + nodeRadius(l.target.degree))
          .strength((l) => 0.7 / Math.max(1, Math.min(l.source.degree, l.target.degree))),
      )
      .force('x', forceX<LNode>(0).strength(GRAVITY))
      .force('y', forceY<LNode>(0).strength(GRAVITY));
  }

  get alpha(): number {
    return this.sim.alpha();
  }

  get hot(): boolean {
    return this.sim.alpha() > this.sim.alphaMin() || this.structureDirty;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  apply(cmd: LayoutCommand): void {
    switch (cmd.t) {
      case 'add-nodes':
        cmd.slots.forEach((slot, i) => this.addNode(slot, cmd.near[i] ?? -1));
        break;
      case 'remove-nodes':
        for (const slot of cmd.slots) this.removeNode(slot);
        break;
      case 'add-links':
        for (let i = 0; i + 1 < cmd.pairs.length; i += 2) this.addLink(cmd.pairs[i] ?? -1, cmd.pairs[i + 1] ?? -1);
        break;
      case 'remove-links':
        for (let i = 0; i + 1 < cmd.pairs.length; i += 2) this.removeLink(cmd.pairs[i] ?? -1, cmd.pairs[i + 1] ?? -1);
        break;
      case 'aspect': {
        const r = Number.isFinite(cmd.ratio) ? Math.max(0.5, Math.min(cmd.ratio, 3)) : 1;
        (this.sim.force('x') as ReturnType<typeof forceX<LNode>>).strength(GRAVITY / r);
        (this.sim.force('y') as ReturnType<typeof forceY<LNode>>).strength(GRAVITY * r);
        return;
      }
    }
    this.structureDirty = true;
  }

  private addNode(slot: number, near: number): void {
    if (!Number.isInteger(slot) || slot < 0 || this.bySlot[slot]) return;
    const node: LNode = { slot, degree: 0, index: this.nodes.length };
    const partner = near >= 0 ? this.bySlot[near] : undefined;
    if (partner && partner.x !== undefined && partner.y !== undefined) {
      // Next to the person they met, at a link's length in a random direction.
      const angle = this.random() * Math.PI * 2;
      const d = 30 + nodeRadius(partner.degree);
      node.x = partner.x + Math.cos(angle) * d;
      node.y = partner.y + Math.sin(angle) * d;
    } else if (!this.first && this.nodes.length > 0) {
      // Nobody to stand next to: the rim of the graph, not the d3 spiral through its middle.
      let r = 0;
      for (const n of this.nodes) r = Math.max(r, Math.hypot(n.x ?? 0, n.y ?? 0));
      const angle = this.random() * Math.PI * 2;
      node.x = Math.cos(angle) * (r + 40);
      node.y = Math.sin(angle) * (r + 40);
    }
    this.bySlot[slot] = node;
    this.nodes.push(node);
    this.maxSlot = Math.max(this.maxSlot, slot);
  }

  private removeNode(slot: number): void {
    const node = this.bySlot[slot];
    if (!node) return;
    this.bySlot[slot] = undefined;
    this.nodes = this.nodes.filter((n) => n !== node);
    const gone = this.links.filter((l) => l.source === node || l.target === node);
    for (const l of gone) this.removeLink(l.source.slot, l.target.slot);
  }

  private addLink(a: number, b: number): void {
    const s = this.bySlot[a];
    const t = this.bySlot[b];
    if (!s || !t || s === t) return;
    const key = linkKey(a, b);
    if (this.linkIndex.has(key)) return;
    const link: LLink = { source: s, target: t };
    this.linkIndex.set(key, link);
    this.links.push(link);
    s.degree++;
    t.degree++;
  }

  private removeLink(a: number, b: number): void {
    const key = linkKey(a, b);
    const link = this.linkIndex.get(key);
    if (!link) return;
    this.linkIndex.delete(key);
    const i = this.links.indexOf(link);
    if (i >= 0) {
      const last = this.links.pop();
      if (last && i < this.links.length) this.links[i] = last;
    }
    link.source.degree--;
    link.target.degree--;
  }

  /** Hands the changed node and link lists to d3 (once per batch of commands) and re-heats gently. */
  private commit(): void {
    if (!this.structureDirty) return;
    this.structureDirty = false;
    this.sim.nodes(this.nodes);
    (this.sim.force('link') as ReturnType<typeof forceLink<LNode, LLink>>).links(this.links);
    if (this.nodes.length <= COLLIDE_MAX_NODES) {
      this.sim.force('collide', forceCollide<LNode>((n) => nodeRadius(n.degree) + 3).strength(0.6).iterations(1));
    } else {
      this.sim.force('collide', null);
    }
    if (this.first && this.nodes.length > 0) {
      this.first = false;
      this.sim.alpha(1);
    } else {
      // One new link should not shake a big graph: the re-heat shrinks as the graph grows.
      const reheat = Math.max(0.03, Math.min(REHEAT, REHEAT * Math.sqrt(500 / Math.max(1, this.nodes.length))));
      this.sim.alpha(Math.max(this.sim.alpha(), reheat));
    }
  }

  /** Runs ticks for up to `budgetMs` (at least one if hot); returns whether it is still moving. */
  step(budgetMs: number, now: () => number = () => performance.now()): boolean {
    this.commit();
    if (this.sim.alpha() <= this.sim.alphaMin()) return false;
    const end = now() + budgetMs;
    do this.sim.tick();
    while (now() < end && this.sim.alpha() > this.sim.alphaMin());
    return this.sim.alpha() > this.sim.alphaMin();
  }

  /** Positions by slot (NaN for empty slots). */
  positions(): Float32Array {
    const out = new Float32Array((this.maxSlot + 1) * 2).fill(Number.NaN);
    for (const n of this.nodes) {
      out[n.slot * 2] = n.x ?? 0;
      out[n.slot * 2 + 1] = n.y ?? 0;
    }
    return out;
  }

  /** Communities (Louvain) of the current graph by slot (-1 for empty slots), largest first. */
  clusters(): { of: Int32Array; count: number } {
    const index = new Int32Array(this.maxSlot + 1).fill(-1);
    this.nodes.forEach((n, i) => (index[n.slot] = i));
    const a = new Int32Array(this.links.length);
    const b = new Int32Array(this.links.length);
    this.links.forEach((l, e) => {
      a[e] = index[l.source.slot] ?? 0;
      b[e] = index[l.target.slot] ?? 0;
    });
    const found = louvain(this.nodes.length, a, b);
    const of = new Int32Array(this.maxSlot + 1).fill(-1);
    this.nodes.forEach((n, i) => (of[n.slot] = found.of[i] ?? -1));
    return { of, count: found.count };
  }

  position(slot: number): { x: number; y: number } | null {
    const n = this.bySlot[slot];
    return n && n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : null;
  }
}
