// Canvas-2D drawing of the graph. It follows the state's changes (slots for nodes, flat arrays for links), sends
// structure to the layout, and draws each frame from the latest positions:
// - every settled link in one path and one stroke; new links drawn in from one end to the other;
// - small nodes as one filled path per colour; larger ones as pre-scaled avatar (or the server's initials) bitmaps;
// - names under the larger nodes only (at most MAX_LABELS, biggest first);
// - a camera that keeps the whole graph in view and eases slowly toward it, or flies to people asked for (search,
//   path finder, kiosk tour: `focus`), drawn above the rest (`highlight`);
// - medal rings round the leaderboard's top ten, the activity heat under the links, colours by cluster (from the
//   layout worker), all worked out when the graph changes, so a frame costs the same as without them.

import type { NodeState, WallChange, WallState } from './state';
import type { LayoutHost } from './layoutHost';
import { nodeRadius } from './layout';
import { AvatarCache } from './avatars';
import { CategoryColors, OTHER, PALETTE, categoryField } from './colors';
import { shownName } from './names';
import { t } from '../i18n';
import { HEAT_WINDOW_MS, HeatLog, heatWeight } from './graph/heat';
import { fitBox, flyCamera, type Camera } from './graph/camera';
import { clusterPalette, realClusters } from './graph/clusterColors';

const DRAW_IN_MS = 900;
const PULSE_MS = 1600;
const MAX_PULSES = 256;
const MAX_LABELS = 60;
/** At most this many avatar bitmaps per frame (the largest nodes); the rest are coloured dots. */
const MAX_BITMAPS = 300;
/** Link segments per stroke() call. */
const LINK_CHUNK = 2000;
/** Below this on-screen radius a node is a plain dot. */
const BITMAP_MIN_PX = 6;
const CAMERA_EASE_MS = 1800;
/** How fast the camera follows a focused person who moves (after its flight). */
const FOCUS_EASE_MS = 350;
/** Medal rings: how many of the leaderboard get one, and how often they are worked out again at most. */
const MEDALS = 10;
const MEDALS_EVERY_MS = 300;
/** Clusters are computed again at most this often while the graph changes. */
const CLUSTERS_EVERY_MS = 4000;
/** The heat layer is redrawn this often while it fades. */
const HEAT_REDRAW_MS = 2000;
const MEDAL_STYLE: ReadonlyArray<{ color: string; width: number }> = [
  { color: '#ffd166', width: 4.5 },
  { color: '#dde5ee', width: 4 },
  { color: '#e0904f', width: 4 },
];
const HIGHLIGHT = '#ffe28a';
const LABEL_FONT = 'system-ui, "Noto Sans", "DejaVu Sans", "Noto Color Emoji", sans-serif';

/** Where the camera goes instead of the whole graph: these slots, no closer than `maxScale` x the UI scale. */
interface Focus {
  slots: Int32Array;
  maxScale: number;
  /** Screen margin round them, as a share of the shorter side. */
  margin: number;
}

/** What is drawn for a node, worked out when it changes rather than every frame. */
interface Slot {
  node: NodeState;
  color: string;
  label: string;
}

export type { Camera };

export class GraphRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  /** The settled links, on a canvas under the main one. */
  private readonly linkCanvas: HTMLCanvasElement;
  private readonly linkCtx: CanvasRenderingContext2D;
  private linkLayerAge = 0;
  private linkLayerStale = true;
  /** The camera the link layer was last drawn with: between redraws it is moved with a CSS transform. */
  private layerS = 1;
  private layerOx = 0;
  private layerOy = 0;
  private layerTransform = '';
  /** True on big graphs, whose links and dots are redrawn every few frames only. */
  private throttled = false;
  private readonly slots: Array<Slot | undefined> = [];
  private readonly slotOf = new Map<string, number>();
  private nextSlot = 0;
  // Links as parallel arrays; removal swaps the last link in.
  private linkA = new Int32Array(1024);
  private linkB = new Int32Array(1024);
  private linkBorn = new Float64Array(1024);
  private linkCount = 0;
  private readonly linkIndex = new Map<string, number>();
  private readonly linkKeys: string[] = [];
  private readonly pulses: Array<{ slot: number; at: number }> = [];
  /** Dot slots by colour, reused from frame to frame. */
  private readonly dotBuckets = new Map<string, number[]>();
  private readonly colors = new CategoryColors();
  private field: 'major' | 'company' = 'major';
  readonly avatars = new AvatarCache();
  private cam: Camera = { x: 0, y: 0, scale: 1 };
  private camReady = false;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private dirty = true;
  private lastFrame = 0;
  private readonly unsubscribe: () => void;
  /** Drawn frames (the test hook and the benchmark read it). */
  frames = 0;
  /** Called at the start of every frame (the graph tools tick their tour there). */
  onFrame: ((now: number) => void) | null = null;

  // Medals: the leaderboard's top ten by slot, worked out again (throttled) when links change.
  private medalsOn = false;
  private readonly medalSlots = new Int32Array(MEDALS).fill(-1);
  private medalCount = 0;
  private medalsDirty = true;
  private lastMedals = -Infinity;
  // Heat: the newest links' endpoints, glowing under the links.
  private heatOn = false;
  private readonly heat = new HeatLog(256);
  private glow: HTMLCanvasElement | null = null;
  private lastHeat = 0;
  // Clusters: each slot's community (from the layout), its palette index, and the legend.
  private clusterMode = false;
  private clusterOf: Int32Array | null = null;
  private slotPalette = new Int8Array(0);
  private clusterLegend: Array<{ index: number; color: string; count: number }> = [];
  private clustersDirty = false;
  private lastClusters = -Infinity;
  /** Communities of three people or more in the latest clustering. */
  clusterCount = 0;
  // Highlight: people and links drawn above everything (search, path, tour), the rest dimmed or not.
  private hlSlots = new Int32Array(0);
  /** 1 for highlighted slots (their names are drawn with the highlight, not with the others). */
  private hlMark = new Uint8Array(0);
  private hlPrimary = new Set<number>();
  private hlPairs = new Int32Array(0);
  private hlDim = false;
  // Camera goal and flight.
  private focusGoal: Focus | null = null;
  private flight: { from: Camera; start: number; dur: number } | null = null;
  private readonly goalCam: Camera = { x: 0, y: 0, scale: 1 };
  /** CSS pixels at the top of the screen covered by a panel: a focus is framed below them. */
  private insetTop = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly state: WallState,
    private readonly layout: LayoutHost,
  ) {
    const ctx = canvas.getContext('2d', { alpha: true });
    if (!ctx) throw new Error('no canvas 2D context');
    this.ctx = ctx;
    this.linkCanvas = document.createElement('canvas');
    this.linkCanvas.className = canvas.className;
    canvas.parentElement?.insertBefore(this.linkCanvas, canvas);
    const lctx = this.linkCanvas.getContext('2d');
    if (!lctx) throw new Error('no canvas 2D context');
    this.linkCtx = lctx;
    this.avatars.onReady = () => (this.dirty = true);
    layout.onClusters = (of, count) => this.takeClusters(of, count);
    this.unsubscribe = state.subscribe((c) => this.onChange(c));
    for (const node of state.nodes.values()) this.addNode(node, null);
    for (const link of state.links.values()) this.addLink(link.key, link.source, link.target, 0);
  }

  /** Colour and legend entries: categories by head count. */
  legend(max: number): Array<{ label: string; color: string; count: number }> {
    if (this.clusterMode) {
      return this.clusterLegend
        .slice(0, max)
        .map((c) => ({ label: t('wall.graph.cluster', { n: c.index + 1 }), color: c.color, count: c.count }));
    }
    const counts = new Map<string, number>();
    for (const n of this.state.nodes.values()) {
      const c = this.category(n) ?? '';
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, max)
      .map(([label, count]) => ({ label: label === '' ? t('wall.legend.other') : label, color: this.colors.color(label || null), count }));
  }

  private category(n: NodeState): string | null {
    return this.field === 'major' ? (n.major ?? n.company) : (n.company ?? n.major);
  }

  private describe(node: NodeState, slot: number): Slot {
    // The name as sent: with initials only, the server already sends the initials (and re-sends every node).
    return { node, color: this.colorFor(node, slot), label: shownName(node.name, 28) };
  }

  private colorFor(node: NodeState, slot: number): string {
    if (!this.clusterMode) return this.colors.color(this.category(node));
    const p = this.slotPalette[slot] ?? -1;
    return p >= 0 ? (PALETTE[p] ?? OTHER) : OTHER;
  }

  /** Gives every slot its colour again (the colouring changed). */
  private recolor(): void {
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s) s.color = this.colorFor(s.node, i);
    }
    this.dirty = true;
    this.linkLayerStale = true;
  }

  private onChange(c: WallChange): void {
    this.dirty = true;
    switch (c.kind) {
      case 'node-added':
        this.addNode(c.node, c.near);
        break;
      case 'node-updated': {
        const s = this.slotOf.get(c.node.id);
        if (s !== undefined) this.slots[s] = this.describe(c.node, s);
        break;
      }
      case 'node-removed':
        this.removeNode(c.id);
        break;
      case 'link-added':
        this.addLink(c.link.key, c.link.source, c.link.target, c.live ? performance.now() : 0);
        this.heatLink(c.link.source, c.link.target, c.live ? 0 : Date.now() - c.link.createdAt);
        if (c.live) {
          this.pulse(c.link.source);
          this.pulse(c.link.target);
        }
        break;
      case 'link-removed':
        this.removeLink(c.link.key);
        break;
      case 'snapshot': {
        this.field = categoryField(this.state.nodes.values());
        const counts = new Map<string, number>();
        for (const n of this.state.nodes.values()) {
          const cat = this.category(n);
          if (cat !== null) counts.set(cat, (counts.get(cat) ?? 0) + 1);
        }
        this.colors.seed(counts);
        // The colours may have changed.
        for (let i = 0; i < this.slots.length; i++) {
          const s = this.slots[i];
          if (s) this.slots[i] = this.describe(s.node, i);
        }
        break;
      }
      case 'meta':
      case 'announcement':
        return;
        // Settings change no label here: when initials only is toggled the server re-sends every node
        // (node-updated) with the name to show.
        return;
    }
    // The structure changed: the leaderboard and the clusters may have.
    if (c.kind !== 'node-updated') {
      this.medalsDirty = true;
      this.clustersDirty = true;
    }
  }

  private addNode(node: NodeState, near: string | null): void {
    if (this.slotOf.has(node.id)) return;
    const slot = this.nextSlot++;
    this.slotOf.set(node.id, slot);
    this.slots[slot] = this.describe(node, slot);
    const nearSlot = near === null ? -1 : (this.slotOf.get(near) ?? -1);
    this.layout.send({ t: 'add-nodes', slots: [slot], near: [nearSlot] });
  }

  private removeNode(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.slots[slot] = undefined;
    this.heat.forgetSlot(slot);
    this.layout.send({ t: 'remove-nodes', slots: [slot] });
  }

  private addLink(key: string, source: string, target: string, born: number): void {
    const a = this.slotOf.get(source);
    const b = this.slotOf.get(target);
    if (a === undefined || b === undefined || this.linkIndex.has(key)) return;
    if (this.linkCount === this.linkA.length) {
      const grow = <T extends Int32Array | Float64Array>(arr: T, make: (n: number) => T): T => {
        const next = make(arr.length * 2);
        next.set(arr);
        return next;
      };
      this.linkA = grow(this.linkA, (n) => new Int32Array(n));
      this.linkB = grow(this.linkB, (n) => new Int32Array(n));
      this.linkBorn = grow(this.linkBorn, (n) => new Float64Array(n));
    }
    const i = this.linkCount++;
    this.linkA[i] = a;
    this.linkB[i] = b;
    this.linkBorn[i] = born;
    this.linkKeys[i] = key;
    this.linkIndex.set(key, i);
    this.layout.send({ t: 'add-links', pairs: [a, b] });
  }

  private removeLink(key: string): void {
    const i = this.linkIndex.get(key);
    if (i === undefined) return;
    const a = this.linkA[i] ?? -1;
    const b = this.linkB[i] ?? -1;
    const last = --this.linkCount;
    if (i !== last) {
      this.linkA[i] = this.linkA[last] ?? 0;
      this.linkB[i] = this.linkB[last] ?? 0;
      this.linkBorn[i] = this.linkBorn[last] ?? 0;
      const movedKey = this.linkKeys[last] ?? '';
      this.linkKeys[i] = movedKey;
      this.linkIndex.set(movedKey, i);
    }
    this.linkKeys.length = last;
    this.linkIndex.delete(key);
    this.layout.send({ t: 'remove-links', pairs: [a, b] });
  }

  /** Remembers a link for the heat view (`ageMs` old: snapshot links made in the last minutes glow too). */
  private heatLink(source: string, target: string, ageMs: number): void {
    if (!(ageMs < HEAT_WINDOW_MS)) return;
    const a = this.slotOf.get(source);
    const b = this.slotOf.get(target);
    if (a === undefined || b === undefined) return;
    this.heat.add(a, b, performance.now() - Math.max(0, ageMs));
    if (this.heatOn) this.linkLayerStale = true;
  }

  /** Medal and crown rings round the top connectors (the leaderboard's ranking). */
  setMedals(on: boolean): void {
    this.medalsOn = on;
    this.medalsDirty = true;
    this.dirty = true;
  }

  /** The glow of recent links under the graph. */
  setHeat(on: boolean): void {
    this.heatOn = on;
    this.linkLayerStale = true;
    this.dirty = true;
  }

  /** Colours by cluster (computed in the layout worker) instead of by field. */
  setClusters(on: boolean): void {
    if (on === this.clusterMode) return;
    this.clusterMode = on;
    if (on) {
      this.clustersDirty = false;
      this.lastClusters = performance.now();
      this.layout.requestClusters();
    }
    this.recolor();
  }

  private takeClusters(of: Int32Array, count: number): void {
    this.clusterOf = of;
    if (this.slotPalette.length < of.length) {
      const grown = new Int8Array(of.length).fill(-1);
      grown.set(this.slotPalette);
      this.slotPalette = grown;
    }
    const palette = clusterPalette(of, count, this.slotPalette, PALETTE.length);
    const sizes = new Int32Array(count);
    for (let s = 0; s < of.length; s++) {
      const c = of[s] ?? -1;
      this.slotPalette[s] = c >= 0 ? (palette[c] ?? -1) : -1;
      if (c >= 0) sizes[c]!++;
    }
    this.clusterCount = realClusters(of, count);
    this.clusterLegend = [];
    for (let c = 0; c < count; c++) {
      const p = palette[c] ?? -1;
      if (p >= 0) this.clusterLegend.push({ index: this.clusterLegend.length, color: PALETTE[p] ?? OTHER, count: sizes[c] ?? 0 });
    }
    if (this.clusterMode) this.recolor();
  }

  /**
   * Draws these people and links above everything else, their names always; `dim` darkens the rest; `primary`
   * people get the strongest ring. An empty list clears it.
   */
  setHighlight(ids: readonly string[], links: ReadonlyArray<readonly [string, string]>, dim: boolean, primary: readonly string[] = []): void {
    const slots: number[] = [];
    for (const id of ids) {
      const s = this.slotOf.get(id);
      if (s !== undefined) slots.push(s);
    }
    const pairs: number[] = [];
    for (const [a, b] of links) {
      const sa = this.slotOf.get(a);
      const sb = this.slotOf.get(b);
      if (sa !== undefined && sb !== undefined) pairs.push(sa, sb);
    }
    this.hlSlots = Int32Array.from(slots);
    this.hlMark = new Uint8Array(this.slots.length);
    for (const s of slots) this.hlMark[s] = 1;
    this.hlPairs = Int32Array.from(pairs);
    this.hlPrimary = new Set(primary.map((id) => this.slotOf.get(id) ?? -1));
    this.hlDim = dim && slots.length > 0;
    this.dirty = true;
  }

  /** The people highlighted now (the test hook). */
  highlighted(): string[] {
    return Array.from(this.hlSlots, (s) => this.slots[s]?.node.id ?? '').filter((id) => id !== '');
  }

  /**
   * Flies the camera to these people (null: back to the whole graph) over `flyMs`, no closer than `maxScale` x
   * the UI scale, with `margin` (share of the screen's shorter side) round them.
   */
  focus(ids: readonly string[] | null, flyMs: number, maxScale = 2.5, margin = 0.12): void {
    const slots: number[] = [];
    for (const id of ids ?? []) {
      const s = this.slotOf.get(id);
      if (s !== undefined) slots.push(s);
    }
    this.focusGoal = ids === null || slots.length === 0 ? null : { slots: Int32Array.from(slots), maxScale, margin };
    this.flight = this.camReady && flyMs > 0 ? { from: { ...this.cam }, start: performance.now(), dur: flyMs } : null;
    this.dirty = true;
  }

  /** Frames focused people below the top `px` CSS pixels (an open panel). */
  setInsetTop(px: number): void {
    this.insetTop = Math.max(0, Math.min(px, this.height * 0.6));
    this.dirty = true;
  }

  /** Where the camera is (the test hook). */
  camera(): Camera {
    return { ...this.cam };
  }

  /** The medal holders, first first (the test hook). */
  medals(): string[] {
    if (!this.medalsOn) return [];
    const out: string[] = [];
    for (let i = 0; i < this.medalCount; i++) out.push(this.slots[this.medalSlots[i] ?? -1]?.node.id ?? '');
    return out;
  }

  private focusCamera(pos: Float32Array, goal: Focus): Camera | null {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const s of goal.slots) {
      const x = pos[s * 2];
      const y = pos[s * 2 + 1];
      const info = this.slots[s];
      if (x === undefined || y === undefined || Number.isNaN(x) || !info) continue;
      const r = nodeRadius(info.node.degree) * 1.6;
      if (x - r < minX) minX = x - r;
      if (y - r < minY) minY = y - r;
      if (x + r > maxX) maxX = x + r;
      if (y + r > maxY) maxY = y + r;
    }
    if (!Number.isFinite(minX)) return null;
    const top = this.insetTop;
    const margin = Math.min(this.width, this.height - top) * goal.margin;
    const cam = fitBox({ minX, minY, maxX, maxY }, this.width, this.height - top, margin, goal.maxScale * this.uiScale(), this.goalCam);
    // Centred in the area under the panel.
    cam.y -= top / 2 / cam.scale;
    return cam;
  }

  private updateMedals(now: number): void {
    if (!this.medalsOn || !this.medalsDirty || now - this.lastMedals < MEDALS_EVERY_MS) return;
    this.medalsDirty = false;
    this.lastMedals = now;
    // The leaderboard's own ranking (most links, ties to whoever got there first): one rule for board and rings.
    const top = this.state.leaderboard(MEDALS);
    this.medalCount = 0;
    for (const n of top) {
      const s = this.slotOf.get(n.id);
      if (s !== undefined) this.medalSlots[this.medalCount++] = s;
    }
    this.dirty = true;
  }

  /** The colour a person is drawn in. */
  colorOf(id: string): string {
    const slot = this.slotOf.get(id);
    return (slot === undefined ? undefined : this.slots[slot]?.color) ?? '#8d99ae';
  }

  /** Makes a person's node pulse (a new connection, or an idle re-highlight). */
  pulse(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    if (this.pulses.length >= MAX_PULSES) this.pulses.shift();
    this.pulses.push({ slot, at: performance.now() });
    this.dirty = true;
  }

  /** Replays the draw-in of an existing link (idle re-highlighting). */
  replayLink(key: string): void {
    const i = this.linkIndex.get(key);
    if (i === undefined) return;
    this.linkBorn[i] = performance.now();
    this.dirty = true;
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.dpr = Math.max(1, Math.min(dpr, 3));
    this.canvas.width = Math.round(this.width * this.dpr);
    this.canvas.height = Math.round(this.height * this.dpr);
    this.linkCanvas.width = this.canvas.width;
    this.linkCanvas.height = this.canvas.height;
    this.linkLayerStale = true;
    this.layout.send({ t: 'aspect', ratio: this.width / this.height });
    this.dirty = true;
  }

  /** Where the camera wants to be: the whole graph in view with a margin. */
  private targetCamera(pos: Float32Array): Camera | null {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let s = 0; s < this.slots.length; s++) {
      const slot = this.slots[s];
      if (!slot) continue;
      const x = pos[s * 2];
      const y = pos[s * 2 + 1];
      if (x === undefined || y === undefined || Number.isNaN(x)) continue;
      const r = nodeRadius(slot.node.degree);
      if (x - r < minX) minX = x - r;
      if (y - r < minY) minY = y - r;
      if (x + r > maxX) maxX = x + r;
      if (y + r > maxY) maxY = y + r;
    }
    if (!Number.isFinite(minX)) return null;
    // Room for the names under the nodes at the bottom edge.
    const margin = Math.min(this.width, this.height) * 0.06;
    const w = Math.max(maxX - minX, 1);
    const h = Math.max(maxY - minY, 1);
    const scale = Math.min((this.width - 2 * margin) / w, (this.height - 2.6 * margin) / h, 2.2 * this.uiScale());
    return { x: (minX + maxX) / 2, y: (minY + maxY) / 2, scale: Math.max(scale, 0.01) };
  }

  /** 1 at 1080p, 2 at 4K (CSS pixels), so text stays readable across the room. */
  private uiScale(): number {
    return Math.max(0.75, Math.min(this.width / 1400, this.height / 1000, 3));
  }

  /** Draws one frame if anything moved; returns whether it drew. */
  frame(now: number): boolean {
    this.onFrame?.(now);
    if (this.clusterMode && this.clustersDirty && now - this.lastClusters > CLUSTERS_EVERY_MS) {
      this.clustersDirty = false;
      this.lastClusters = now;
      this.layout.requestClusters();
    }
    this.updateMedals(now);
    if (this.heatOn && this.heat.size > 0 && now - this.lastHeat > HEAT_REDRAW_MS) {
      this.lastHeat = now;
      this.linkLayerStale = true;
      this.dirty = true;
    }
    this.layout.frame();
    const dt = this.lastFrame === 0 ? 16 : Math.min(now - this.lastFrame, 100);
    this.lastFrame = now;
    const pos = this.layout.positions;
    const moved = this.layout.takeMoved();
    const whole = this.targetCamera(pos);
    const target = (this.focusGoal ? this.focusCamera(pos, this.focusGoal) : null) ?? whole;
    let camMoving = false;
    if (target) {
      if (!this.camReady) {
        this.cam = { ...target };
        this.camReady = true;
      } else if (this.flight) {
        // A flight: eased from where the camera was to where its goal is now (the goal may drift a little).
        const f = this.flight;
        const k = (now - f.start) / f.dur;
        if (k >= 1) {
          this.flight = null;
          this.cam = { ...target };
        } else flyCamera(f.from, target, k, Math.hypot(this.width, this.height), this.cam);
        camMoving = true;
      } else if (this.focusGoal) {
        // Arrived: follow the focused people closely as the layout moves them.
        const k = 1 - Math.exp(-dt / FOCUS_EASE_MS);
        const dx = target.x - this.cam.x;
        const dy = target.y - this.cam.y;
        const ds = Math.log(target.scale / this.cam.scale);
        camMoving = Math.abs(dx * this.cam.scale) > 0.3 || Math.abs(dy * this.cam.scale) > 0.3 || Math.abs(ds) > 0.002;
        this.cam.x += dx * k;
        this.cam.y += dy * k;
        this.cam.scale *= Math.exp(ds * k);
      } else {
        const k = 1 - Math.exp(-dt / CAMERA_EASE_MS);
        const dx = target.x - this.cam.x;
        const dy = target.y - this.cam.y;
        const ds = Math.log(target.scale / this.cam.scale);
        camMoving = Math.abs(dx * this.cam.scale) > 0.3 || Math.abs(dy * this.cam.scale) > 0.3 || Math.abs(ds) > 0.002;
        this.cam = { x: this.cam.x + dx * k, y: this.cam.y + dy * k, scale: this.cam.scale * Math.exp(ds * k) };
      }
    }
    const animating = this.pulses.length > 0 || this.hasFreshLinks(now);
    if (!this.dirty && !moved && !camMoving && !animating) return false;
    this.dirty = false;
    this.draw(now, pos);
    this.frames++;
    return true;
  }

  private hasFreshLinks(now: number): boolean {
    for (let i = this.linkCount - 1, seen = 0; i >= 0 && seen < 64; i--, seen++) {
      if (now - (this.linkBorn[i] ?? 0) < DRAW_IN_MS) return true;
    }
    return false;
  }

  private draw(now: number, pos: Float32Array): void {
    const ctx = this.ctx;
    const { dpr, cam } = this;
    const s = cam.scale;
    const ox = this.width / 2 - cam.x * s;
    const oy = this.height / 2 - cam.y * s;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * ox, dpr * oy);
    const ui = this.uiScale();
    const px = 1 / s; // one CSS pixel in world units
    const n = pos.length / 2;

    // Links being drawn in are drawn here each frame; the settled ones live on their own layer.
    const fresh: number[] = [];
    for (let i = 0; i < this.linkCount; i++) if (now - (this.linkBorn[i] ?? 0) < DRAW_IN_MS) fresh.push(i);
    // Thousands of long links cost more to rasterise than everything else: on a big graph the link layer is
    // redrawn every few frames only (the layout moves slowly by then), so nodes and animations stay smooth.
    const every = this.linkCount < 4000 ? 1 : Math.min(30, Math.ceil(this.linkCount / 4000));
    this.throttled = every > 1;
    const layerDue = ++this.linkLayerAge >= every || this.linkLayerStale;
    if (layerDue) {
      this.linkLayerAge = 0;
      this.linkLayerStale = false;
    }

    // New links draw in from one end to the other, bright.
    if (fresh.length > 0) {
      ctx.lineCap = 'round';
      for (const i of fresh) {
        const a = this.linkA[i] ?? 0;
        const b = this.linkB[i] ?? 0;
        const t = Math.min(1, (now - (this.linkBorn[i] ?? 0)) / DRAW_IN_MS);
        const e = 1 - (1 - t) ** 3;
        const ax = pos[a * 2] ?? NaN;
        const ay = pos[a * 2 + 1] ?? NaN;
        const bx = pos[b * 2] ?? NaN;
        const by = pos[b * 2 + 1] ?? NaN;
        if (Number.isNaN(ax) || Number.isNaN(bx)) continue;
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.lineTo(ax + (bx - ax) * e, ay + (by - ay) * e);
        ctx.strokeStyle = `rgba(255, 236, 160, ${0.95 - 0.5 * t})`;
        ctx.lineWidth = 4 * ui * px;
        ctx.stroke();
      }
      ctx.lineCap = 'butt';
    }

    // Nodes: dots batched per colour, bitmaps for the larger ones.
    const left = -ox / s;
    const top = -oy / s;
    const right = left + this.width / s;
    const bottom = top + this.height / s;
    const dots = this.dotBuckets;
    if (!this.throttled || layerDue) for (const list of dots.values()) list.length = 0;
    const big: number[] = [];
    for (let slot = 0; slot < this.slots.length && slot < n; slot++) {
      const info = this.slots[slot];
      if (!info) continue;
      const x = pos[slot * 2] ?? NaN;
      const y = pos[slot * 2 + 1] ?? NaN;
      if (Number.isNaN(x)) continue;
      const r = nodeRadius(info.node.degree);
      if (x + r < left || x - r > right || y + r < top || y - r > bottom) continue;
      if (r * s >= BITMAP_MIN_PX) {
        big.push(slot);
        continue;
      }
      if (this.throttled && !layerDue) continue;
      let list = dots.get(info.color);
      if (!list) dots.set(info.color, (list = []));
      list.push(slot);
    }
    // Bitmaps cost far more than dots: only the MAX_BITMAPS largest people get their picture each frame.
    if (big.length > MAX_BITMAPS) {
      big.sort((a, b) => (this.slots[b]?.node.degree ?? 0) - (this.slots[a]?.node.degree ?? 0));
      for (const slot of big.splice(MAX_BITMAPS)) {
        if (this.throttled && !layerDue) continue;
        const info = this.slots[slot];
        if (!info) continue;
        let list = dots.get(info.color);
        if (!list) dots.set(info.color, (list = []));
        list.push(slot);
      }
    }
    if (layerDue) {
      this.drawLinkLayer(now, pos, s, ox, oy);
      this.layerS = s;
      this.layerOx = ox;
      this.layerOy = oy;
    }
    // A layer drawn a few frames ago follows the camera on the compositor (a flight stays in one piece).
    const k = s / this.layerS;
    const tx = ox - this.layerOx * k;
    const ty = oy - this.layerOy * k;
    const css = Math.abs(k - 1) < 1e-4 && Math.abs(tx) < 0.05 && Math.abs(ty) < 0.05 ? '' : `translate(${tx}px, ${ty}px) scale(${k})`;
    if (css !== this.layerTransform) {
      this.layerTransform = css;
      this.linkCanvas.style.transformOrigin = '0 0';
      this.linkCanvas.style.transform = css;
    }
    // On a big graph the dots go with the links on the slower layer.
    if (!this.throttled) this.fillDots(ctx, pos, s);
    for (const slot of big) {
      const info = this.slots[slot];
      if (!info) continue;
      const x = pos[slot * 2] ?? 0;
      const y = pos[slot * 2 + 1] ?? 0;
      const r = nodeRadius(info.node.degree);
      const px = 2 * r * s * dpr;
      const photo = info.node.avatar ? this.avatars.photo(info.node.avatar, info.color, px) : null;
      const img = photo ?? this.avatars.initialsBitmap(info.node.initials, info.color, px);
      ctx.drawImage(img, x - r, y - r, 2 * r, 2 * r);
    }

    // Pulses: rings that grow and fade around both people of a new connection.
    let keep = 0;
    for (const p of this.pulses) {
      const t = (now - p.at) / PULSE_MS;
      if (t >= 1) continue;
      this.pulses[keep++] = p;
      const info = this.slots[p.slot];
      const x = pos[p.slot * 2] ?? NaN;
      const y = pos[p.slot * 2 + 1] ?? NaN;
      if (!info || Number.isNaN(x)) continue;
      const r = nodeRadius(info.node.degree);
      ctx.beginPath();
      ctx.arc(x, y, r + (6 + 26 * t) * ui * px, 0, Math.PI * 2);
      ctx.strokeStyle = info.color;
      ctx.globalAlpha = 1 - t;
      ctx.lineWidth = (5 - 3 * t) * ui * px;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    this.pulses.length = keep;

    if (this.medalsOn) this.drawMedals(pos, ui, px);

    // Names, in screen space, under the biggest nodes that have room.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const minLabelPx = 11 * ui;
    const labelled = (this.hlDim ? [] : big)
      .filter((slot) => this.hlMark[slot] !== 1)
      .filter((slot) => nodeRadius(this.slots[slot]?.node.degree ?? 0) * s >= minLabelPx)
      .sort((a, b) => (this.slots[b]?.node.degree ?? 0) - (this.slots[a]?.node.degree ?? 0))
      .slice(0, MAX_LABELS);
    if (labelled.length > 0) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.lineJoin = 'round';
      // Greedy placement, biggest first: a name that would overlap one already drawn is left out.
      const placed: number[] = [];
      for (const slot of labelled) {
        const info = this.slots[slot];
        if (!info) continue;
        const r = nodeRadius(info.node.degree) * s;
        const size = Math.round(Math.min(13 * ui + r * 0.25, 26 * ui));
        ctx.font = `600 ${size}px system-ui, "Noto Sans", "DejaVu Sans", "Noto Color Emoji", sans-serif`;
        const x = (pos[slot * 2] ?? 0) * s + ox;
        const y = (pos[slot * 2 + 1] ?? 0) * s + oy + r + 3 * ui;
        const w = Math.min(ctx.measureText(info.label).width, 220 * ui) + 6 * ui;
        const x0 = x - w / 2;
        const x1 = x + w / 2;
        const y1 = y + size * 1.15;
        let clash = false;
        for (let k = 0; k < placed.length && !clash; k += 4) {
          clash = x0 < (placed[k + 2] ?? 0) && x1 > (placed[k] ?? 0) && y < (placed[k + 3] ?? 0) && y1 > (placed[k + 1] ?? 0);
        }
        if (clash) continue;
        placed.push(x0, y, x1, y1);
        ctx.lineWidth = Math.max(3, size * 0.28);
        ctx.strokeStyle = 'rgba(7, 10, 24, 0.9)';
        ctx.strokeText(info.label, x, y, 220 * ui);
        ctx.fillStyle = '#eef2ff';
        ctx.fillText(info.label, x, y, 220 * ui);
      }
    }
    if (this.hlSlots.length > 0) this.drawHighlight(pos, s, ox, oy, ui);
  }

  /** Gold (with a crown), silver and bronze rings for the top three, a thin ring for the rest of the top ten. */
  private drawMedals(pos: Float32Array, ui: number, px: number): void {
    const ctx = this.ctx;
    for (let i = this.medalCount - 1; i >= 0; i--) {
      const slot = this.medalSlots[i] ?? -1;
      const info = this.slots[slot];
      const x = pos[slot * 2] ?? NaN;
      const y = pos[slot * 2 + 1] ?? NaN;
      if (!info || Number.isNaN(x)) continue;
      const r = nodeRadius(info.node.degree);
      const style = MEDAL_STYLE[i];
      const width = (style?.width ?? 1.6) * ui * px;
      const ring = r + width / 2 + 1.5 * ui * px;
      ctx.beginPath();
      ctx.arc(x, y, ring, 0, Math.PI * 2);
      ctx.lineWidth = width;
      ctx.strokeStyle = style?.color ?? 'rgba(238, 242, 255, 0.75)';
      ctx.stroke();
      if (i === 0) {
        // The crown, sitting on the ring.
        const w = Math.max(ring * 1.25, 22 * ui * px);
        const h = w * 0.7;
        const by = y - ring - width * 0.2;
        ctx.beginPath();
        ctx.moveTo(x - w / 2, by);
        ctx.lineTo(x + w / 2, by);
        ctx.lineTo(x + w / 2, by - h);
        ctx.lineTo(x + w / 4, by - h * 0.45);
        ctx.lineTo(x, by - h);
        ctx.lineTo(x - w / 4, by - h * 0.45);
        ctx.lineTo(x - w / 2, by - h);
        ctx.closePath();
        ctx.fillStyle = '#ffd166';
        ctx.lineJoin = 'round';
        ctx.lineWidth = 1.5 * ui * px;
        ctx.strokeStyle = 'rgba(7, 10, 24, 0.9)';
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  /** The highlighted people and links over everything (the rest dimmed when asked), with their names. */
  private drawHighlight(pos: Float32Array, s: number, ox: number, oy: number, ui: number): void {
    const ctx = this.ctx;
    const dpr = this.dpr;
    const px = 1 / s;
    if (this.hlDim) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = 'rgba(5, 8, 20, 0.66)';
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    }
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * ox, dpr * oy);
    if (this.hlPairs.length > 0) {
      ctx.beginPath();
      for (let i = 0; i + 1 < this.hlPairs.length; i += 2) {
        const a = this.hlPairs[i] ?? 0;
        const b = this.hlPairs[i + 1] ?? 0;
        const ax = pos[a * 2] ?? NaN;
        const bx = pos[b * 2] ?? NaN;
        if (Number.isNaN(ax) || Number.isNaN(bx)) continue;
        ctx.moveTo(ax, pos[a * 2 + 1] ?? 0);
        ctx.lineTo(bx, pos[b * 2 + 1] ?? 0);
      }
      ctx.lineCap = 'round';
      ctx.strokeStyle = HIGHLIGHT;
      ctx.lineWidth = 3 * ui * px;
      ctx.stroke();
      ctx.lineCap = 'butt';
    }
    const minR = 9 * ui * px;
    for (const slot of this.hlSlots) {
      const info = this.slots[slot];
      const x = pos[slot * 2] ?? NaN;
      const y = pos[slot * 2 + 1] ?? NaN;
      if (!info || Number.isNaN(x)) continue;
      const r = Math.max(nodeRadius(info.node.degree), minR);
      const d = 2 * r * s * dpr;
      const photo = info.node.avatar ? this.avatars.photo(info.node.avatar, info.color, d) : null;
      ctx.drawImage(photo ?? this.avatars.initialsBitmap(info.node.initials, info.color, d), x - r, y - r, 2 * r, 2 * r);
      const primary = this.hlPrimary.has(slot);
      ctx.beginPath();
      ctx.arc(x, y, r + (primary ? 4 : 2.5) * ui * px, 0, Math.PI * 2);
      ctx.lineWidth = (primary ? 4 : 2.5) * ui * px;
      ctx.strokeStyle = primary ? HIGHLIGHT : '#eef2ff';
      ctx.stroke();
    }
    // Names: the primary people first, then the others while they have room.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.lineJoin = 'round';
    const placed: number[] = [];
    for (const pass of [true, false]) {
      for (const slot of this.hlSlots) {
        if (this.hlPrimary.has(slot) !== pass) continue;
        const info = this.slots[slot];
        const wx = pos[slot * 2] ?? NaN;
        if (!info || Number.isNaN(wx)) continue;
        const r = Math.max(nodeRadius(info.node.degree), minR) * s;
        const size = Math.round((pass ? 20 : 15) * ui);
        ctx.font = `${pass ? 700 : 600} ${size}px ${LABEL_FONT}`;
        const x = wx * s + ox;
        const y = (pos[slot * 2 + 1] ?? 0) * s + oy + r + (pass ? 7 : 5) * ui;
        const w = Math.min(ctx.measureText(info.label).width, 260 * ui) + 8 * ui;
        const x0 = x - w / 2;
        const x1 = x + w / 2;
        const y1 = y + size * 1.2;
        let clash = false;
        for (let k = 0; k < placed.length && !clash; k += 4) {
          clash = x0 < (placed[k + 2] ?? 0) && x1 > (placed[k] ?? 0) && y < (placed[k + 3] ?? 0) && y1 > (placed[k + 1] ?? 0);
        }
        if (clash) continue;
        placed.push(x0, y, x1, y1);
        ctx.lineWidth = Math.max(3, size * 0.3);
        ctx.strokeStyle = 'rgba(7, 10, 24, 0.95)';
        ctx.strokeText(info.label, x, y, 260 * ui);
        ctx.fillStyle = pass ? '#fff6d6' : '#eef2ff';
        ctx.fillText(info.label, x, y, 260 * ui);
      }
    }
  }

  /** The glow sprite of the heat view: drawn once, then one drawImage per recent link endpoint. */
  private glowSprite(): HTMLCanvasElement {
    if (this.glow) return this.glow;
    const c = document.createElement('canvas');
    c.width = c.height = 128;
    const g = c.getContext('2d');
    if (g) {
      const grad = g.createRadialGradient(64, 64, 0, 64, 64, 64);
      grad.addColorStop(0, 'rgba(255, 120, 60, 0.85)');
      grad.addColorStop(0.4, 'rgba(240, 70, 70, 0.4)');
      grad.addColorStop(1, 'rgba(190, 40, 110, 0)');
      g.fillStyle = grad;
      g.fillRect(0, 0, 128, 128);
    }
    return (this.glow = c);
  }

  private drawHeat(ctx: CanvasRenderingContext2D, pos: Float32Array, s: number): void {
    const now = performance.now();
    this.heat.prune(now);
    if (this.heat.size === 0) return;
    const sprite = this.glowSprite();
    // Big enough to read as a warm area at any zoom: at least about 70 CSS pixels across.
    const R = Math.max(50, (40 * this.uiScale()) / s);
    // Plain blending: many links in one place deepen the glow towards its colour, never to a white blot.
    const h = this.heat;
    for (let k = 0; k < h.size; k++) {
      const i = h.index(k);
      const w = heatWeight(now - (h.at[i] ?? 0));
      if (w < 0.01) continue;
      ctx.globalAlpha = 0.3 * w;
      for (let end = 0; end < 2; end++) {
        const slot = (end === 0 ? h.slotA[i] : h.slotB[i]) ?? -1;
        const x = pos[slot * 2] ?? NaN;
        const y = pos[slot * 2 + 1] ?? NaN;
        if (Number.isNaN(x)) continue;
        ctx.drawImage(sprite, x - R, y - R, 2 * R, 2 * R);
      }
    }
    ctx.globalAlpha = 1;
  }

  /** One fill per dot (Skia fills many small paths far faster than one path of many circles). */
  private fillDots(ctx: CanvasRenderingContext2D, pos: Float32Array, s: number): void {
    // One fill per dot (Skia fills many small paths far faster than one path of many circles); a dot under
    // 2.5 px is a square, which nobody can tell from a circle at that size.
    const dots = this.dotBuckets;
    const tiny = 2.5 / s;
    for (const [color, list] of dots) {
      if (list.length === 0) continue;
      ctx.fillStyle = color;
      for (const slot of list) {
        const r = nodeRadius(this.slots[slot]?.node.degree ?? 0);
        const x = pos[slot * 2] ?? 0;
        const y = pos[slot * 2 + 1] ?? 0;
        if (r < tiny) {
          ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
        } else {
          ctx.beginPath();
          ctx.arc(x, y, r, 0, Math.PI * 2);
          ctx.fill();
        }
      }
    }
  }

  private drawLinkLayer(now: number, pos: Float32Array, s: number, ox: number, oy: number): void {
    const ctx = this.linkCtx;
    const dpr = this.dpr;
    const n = pos.length / 2;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.linkCanvas.width, this.linkCanvas.height);
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * ox, dpr * oy);
    // The heat lies under the links.
    if (this.heatOn) this.drawHeat(ctx, pos, s);
    const dense = this.linkCount > 4 * Math.max(1, this.slotOf.size);
    ctx.strokeStyle = dense ? 'rgba(140, 165, 255, 0.2)' : 'rgba(160, 185, 255, 0.42)';
    // Exactly one device pixel: Skia draws that as a hairline, several times faster than any wider stroke
    // (5,000 links: about 100 ms per frame at 1.3 px, under 2 ms at 1 px, in software rendering).
    ctx.lineWidth = 1 / (s * dpr);
    ctx.beginPath();
    let segments = 0;
    for (let i = 0; i < this.linkCount; i++) {
      const a = this.linkA[i] ?? 0;
      const b = this.linkB[i] ?? 0;
      if (a >= n || b >= n || now - (this.linkBorn[i] ?? 0) < DRAW_IN_MS) continue;
      const ax = pos[a * 2] ?? NaN;
      const bx = pos[b * 2] ?? NaN;
      if (Number.isNaN(ax) || Number.isNaN(bx)) continue;
      ctx.moveTo(ax, pos[a * 2 + 1] ?? 0);
      ctx.lineTo(bx, pos[b * 2 + 1] ?? 0);
      // Skia rasterises a few medium paths much faster than one huge one.
      if (++segments === LINK_CHUNK) {
        ctx.stroke();
        ctx.beginPath();
        segments = 0;
      }
    }
    ctx.stroke();
    if (this.throttled) this.fillDots(ctx, pos, s);
  }

  /** The screen position of a person (CSS pixels), for the e2e tests and the caption. */
  screenPosition(id: string): { x: number; y: number } | null {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return null;
    const x = this.layout.positions[slot * 2];
    const y = this.layout.positions[slot * 2 + 1];
    if (x === undefined || y === undefined || Number.isNaN(x)) return null;
    return { x: (x - this.cam.x) * this.cam.scale + this.width / 2, y: (y - this.cam.y) * this.cam.scale + this.height / 2 };
  }

  destroy(): void {
    this.unsubscribe();
    this.avatars.destroy();
    this.layout.destroy();
    this.pulses.length = 0;
    this.linkCanvas.remove();
  }
}
