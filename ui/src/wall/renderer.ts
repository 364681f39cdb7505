// Canvas-2D drawing of the graph. It follows the state's changes (slots for nodes, flat arrays for links), sends
// structure to the layout, and draws each frame from the latest positions:
// - every settled link in one path and one stroke; new links drawn in from one end to the other;
// - small nodes as one filled path per colour; larger ones as pre-scaled avatar (or the server's initials) bitmaps;
// - names under the larger nodes only (at most MAX_LABELS, biggest first);
// - a camera that keeps the whole graph in view and eases slowly toward it.

import type { NodeState, WallChange, WallState } from './state';
import type { LayoutHost } from './layoutHost';
import { nodeRadius } from './layout';
import { AvatarCache } from './avatars';
import { CategoryColors, categoryField } from './colors';
import { shownName } from './names';
import { t } from '../i18n';

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

/** What is drawn for a node, worked out when it changes rather than every frame. */
interface Slot {
  node: NodeState;
  color: string;
  label: string;
}

export interface Camera {
  x: number;
  y: number;
  scale: number;
}

export class GraphRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  /** The settled links, on a canvas under the main one. */
  private readonly linkCanvas: HTMLCanvasElement;
  private readonly linkCtx: CanvasRenderingContext2D;
  private linkLayerAge = 0;
  private linkLayerStale = true;
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
    this.unsubscribe = state.subscribe((c) => this.onChange(c));
    for (const node of state.nodes.values()) this.addNode(node, null);
    for (const link of state.links.values()) this.addLink(link.key, link.source, link.target, 0);
  }

  /** Colour and legend entries: categories by head count. */
  legend(max: number): Array<{ label: string; color: string; count: number }> {
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

  private describe(node: NodeState): Slot {
    // The name as sent: with initials only, the server already sends the initials (and re-sends every node).
    return { node, color: this.colors.color(this.category(node)), label: shownName(node.name, 28) };
  }

  private onChange(c: WallChange): void {
    this.dirty = true;
    switch (c.kind) {
      case 'node-added':
        this.addNode(c.node, c.near);
        break;
      case 'node-updated': {
        const s = this.slotOf.get(c.node.id);
        if (s !== undefined) this.slots[s] = this.describe(c.node);
        break;
      }
      case 'node-removed':
        this.removeNode(c.id);
        break;
      case 'link-added':
        this.addLink(c.link.key, c.link.source, c.link.target, c.live ? performance.now() : 0);
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
          if (s) this.slots[i] = this.describe(s.node);
        }
        break;
      }
      case 'meta':
      case 'announcement':
        // Settings change no label here: when initials only is toggled the server re-sends every node
        // (node-updated) with the name to show.
        break;
    }
  }

  private addNode(node: NodeState, near: string | null): void {
    if (this.slotOf.has(node.id)) return;
    const slot = this.nextSlot++;
    this.slotOf.set(node.id, slot);
    this.slots[slot] = this.describe(node);
    const nearSlot = near === null ? -1 : (this.slotOf.get(near) ?? -1);
    this.layout.send({ t: 'add-nodes', slots: [slot], near: [nearSlot] });
  }

  private removeNode(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.slots[slot] = undefined;
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
    this.layout.frame();
    const dt = this.lastFrame === 0 ? 16 : Math.min(now - this.lastFrame, 100);
    this.lastFrame = now;
    const pos = this.layout.positions;
    const moved = this.layout.takeMoved();
    const target = this.targetCamera(pos);
    let camMoving = false;
    if (target) {
      if (!this.camReady) {
        this.cam = target;
        this.camReady = true;
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
    if (layerDue) this.drawLinkLayer(now, pos, s, ox, oy);
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

    // Names, in screen space, under the biggest nodes that have room.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const minLabelPx = 11 * ui;
    const labelled = big
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
