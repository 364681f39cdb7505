// The wall's data: one snapshot plus the live log applied in `seq` order. No drawing, no network: the page feeds
// it from the server, the kiosk may feed it from its offline cache, and the unit tests feed it by hand.
//
// Rules it keeps:
// - a frame whose `seq` is at or below the applied position is a duplicate and is dropped;
// - a frame from the future (a gap) waits until the gap is filled; too many waiting frames mean the caller must
//   resynchronise (`needsResync`);
// - a hidden person never appears, and their links are dropped for good: on un-hiding, the server logs the
//   person's remaining links again as `connection` frames, so a link removed meanwhile stays removed;
// - names and initials are shown as the server sends them (it decides what initials-only means);
// - a link whose person is not yet known waits for that person instead of failing.
// The shared golden cases of these rules are in crates/livewall-protocol/fixtures/wall-rules.json (rules.test.ts).

import type { Snapshot } from '../bindings/Snapshot';
import type { ServerMessage } from '../bindings/ServerMessage';
import type { EventSettings } from '../bindings/EventSettings';
import type { Person } from '../bindings/Person';
import type { WallNode } from '../bindings/WallNode';
import { cleanName, discInitials } from './names';
import { normalFeatures } from './features';

/** A person on the wall, with the figures the wall derives from the links. */
export interface NodeState {
  readonly id: string;
  /** The name as the server sent it (already the initials when the event shows initials only). */
  name: string;
  /** The server's initials for the avatar disc, '?' when it sent none; never derived here from `name`. */
  initials: string;
  avatar: string | null;
  major: string | null;
  company: string | null;
  /** Number of visible links. */
  degree: number;
  /** `createdAt` of the link that brought the person to their current degree (leaderboard tie-break). */
  reachedAt: number;
  /** Arrival order of that link, to break ties between equal `createdAt`. */
  reachedOrder: number;
}

/** A visible link between two people. */
export interface LinkState {
  readonly key: string;
  readonly source: string;
  readonly target: string;
  readonly createdAt: number;
  /** Arrival order (monotonic over the life of the state). */
  readonly order: number;
}

/** What changed, for the drawing code. `live` is true for links made just now (animate them). */
export type WallChange =
  | { kind: 'node-added'; node: NodeState; near: string | null }
  | { kind: 'node-updated'; node: NodeState }
  | { kind: 'node-removed'; id: string }
  | { kind: 'link-added'; link: LinkState; live: boolean }
  | { kind: 'link-removed'; link: LinkState }
  | { kind: 'meta' }
  | { kind: 'announcement'; message: string | null }
  | { kind: 'snapshot' };

/** What `apply` did with a frame. */
export type ApplyOutcome = 'applied' | 'duplicate' | 'buffered' | 'ignored';

type LogFrame = Extract<ServerMessage, { seq: number }>;

/** Frames from the future kept while a gap is open; beyond this the caller must resynchronise. */
export const MAX_PENDING = 5000;

/** Counts of how the state has dealt with bad or surprising input (shown by the test hook). */
export interface Anomalies {
  duplicates: number;
  ignored: number;
  malformed: number;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function optString(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function isPerson(v: unknown): v is Person {
  return typeof v === 'object' && v !== null && isString((v as Person).id) && (v as Person).id.length > 0;
}

function isLogFrame(m: unknown): m is LogFrame {
  if (typeof m !== 'object' || m === null) return false;
  const f = m as { type?: unknown; seq?: unknown; eventId?: unknown };
  return (
    typeof f.seq === 'number' &&
    Number.isSafeInteger(f.seq) &&
    f.seq >= 0 &&
    typeof f.eventId === 'string' &&
    (f.type === 'connection' || f.type === 'node' || f.type === 'removed' || f.type === 'event' || f.type === 'announcement')
  );
}

/** The banner text for walls from a snapshot's current announcement (older servers send none). */
function bannerOf(a: unknown): string | null {
  if (typeof a !== 'object' || a === null) return null;
  const { message, audience } = a as { message?: unknown; audience?: unknown };
  if (audience !== 'walls' && audience !== 'all') return null;
  return typeof message === 'string' && message.trim().length > 0 ? message : null;
}

function normalSettings(s: unknown): EventSettings {
  const o = (typeof s === 'object' && s !== null ? s : {}) as Partial<EventSettings>;
  const out: EventSettings = {
    initialsOnly: o.initialsOnly === true,
    publicWall: o.publicWall === true,
    // Which wall features are on; an older server sends none (the defaults).
    wall: normalFeatures(o.wall),
  };
  if (typeof o.joinUrl === 'string' && o.joinUrl.length > 0) out.joinUrl = o.joinUrl;
  // The organiser's choice of language for the chrome; absent, the wall follows its browser.
  if (typeof o.language === 'string' && o.language.length > 0) out.language = o.language;
  return out;
}

export class WallState {
  eventId: string | null = null;
  eventName = '';
  epoch: string | null = null;
  /** Newest applied log position. */
  seq = 0;
  settings: EventSettings = { initialsOnly: false, publicWall: false, wall: normalFeatures(undefined) };
  announcement: string | null = null;
  /** Set when frames were lost for good (gap too long): reload the snapshot. */
  needsResync = false;
  readonly anomalies: Anomalies = { duplicates: 0, ignored: 0, malformed: 0 };

  readonly nodes = new Map<string, NodeState>();
  readonly links = new Map<string, LinkState>();
  /** Link keys per person. */
  private readonly adjacency = new Map<string, Set<string>>();
  /** Snapshot links waiting for a person not yet known. */
  private readonly parked = new Map<string, LinkState>();
  private readonly hidden = new Set<string>();
  /** Frames past a gap, by seq. */
  private readonly pending = new Map<number, LogFrame>();
  /** Sorted `createdAt` of the visible links, for "in the last N minutes". */
  private readonly times: number[] = [];
  private order = 0;
  private readonly listeners = new Set<(c: WallChange) => void>();

  /** Calls `fn` for every change; returns the function that stops it. */
  subscribe(fn: (c: WallChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(c: WallChange): void {
    for (const fn of this.listeners) fn(c);
  }

  get loaded(): boolean {
    return this.epoch !== null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Where to resume the live log from. */
  position(): { epoch: string; seq: number } | null {
    return this.epoch === null ? null : { epoch: this.epoch, seq: this.seq };
  }

  /**
   * Replaces the wall with `snap`, keeping the objects (and so the drawn positions) of people still present.
   * Frames already waiting past the snapshot's position are applied after it.
   */
  applySnapshot(snap: Snapshot): void {
    if (typeof snap !== 'object' || snap === null || !isString(snap.eventId) || typeof snap.seq !== 'number') {
      this.anomalies.malformed++;
      throw new Error('not a wall snapshot');
    }
    if (this.eventId !== null && this.eventId !== snap.eventId) this.clear();
    this.eventId = snap.eventId;
    this.eventName = cleanName(snap.eventName);
    this.epoch = isString(snap.epoch) ? snap.epoch : '';
    this.seq = snap.seq;
    this.settings = normalSettings(snap.settings);
    this.announcement = bannerOf(snap.announcement);
    this.needsResync = false;
    for (const s of [...this.pending.keys()]) if (s <= snap.seq) this.pending.delete(s);

    const nodes = Array.isArray(snap.nodes) ? snap.nodes : [];
    const links = Array.isArray(snap.links) ? snap.links : [];
    const fresh = new Map<string, WallNode>();
    for (const n of nodes) if (isPerson(n)) fresh.set(n.id, n);
    else this.anomalies.malformed++;
    // The snapshot never contains hidden people, so whoever is in it is visible now.
    this.hidden.clear();
    this.parked.clear();

    const wanted = new Map<string, { source: string; target: string; createdAt: number }>();
    for (const l of links) {
      if (typeof l !== 'object' || l === null || !isString(l.source) || !isString(l.target) || l.source === l.target) {
        this.anomalies.malformed++;
        continue;
      }
      const createdAt = typeof l.createdAt === 'number' && Number.isFinite(l.createdAt) ? l.createdAt : 0;
      wanted.set(pairKey(l.source, l.target), { source: l.source, target: l.target, createdAt });
    }
    for (const link of [...this.links.values()]) if (!wanted.has(link.key)) this.removeLink(link);
    for (const id of [...this.nodes.keys()]) if (!fresh.has(id)) this.removeNode(id);
    // Links in the order they were made, so degrees and "who got there first" replay faithfully.
    const ordered = [...wanted.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt);
    const near = new Map<string, string>();
    for (const [, l] of ordered) {
      if (!near.has(l.source)) near.set(l.source, l.target);
      if (!near.has(l.target)) near.set(l.target, l.source);
    }
    for (const n of fresh.values()) this.upsertNode(n, near.get(n.id) ?? null);
    for (const [key, l] of ordered) if (!this.links.has(key)) this.addLink(l.source, l.target, l.createdAt, false);
    this.emit({ kind: 'meta' });
    this.emit({ kind: 'announcement', message: this.announcement });
    this.emit({ kind: 'snapshot' });
    this.drain();
  }

  /** Applies one server frame. Frames that are not part of the log (subscribed, pong, ...) are ignored here. */
  apply(msg: ServerMessage | unknown): ApplyOutcome {
    if (!isLogFrame(msg)) {
      this.anomalies.ignored++;
      return 'ignored';
    }
    if (!this.loaded || msg.eventId !== this.eventId) {
      this.anomalies.ignored++;
      return 'ignored';
    }
    if (msg.seq <= this.seq || this.pending.has(msg.seq)) {
      this.anomalies.duplicates++;
      return 'duplicate';
    }
    if (msg.seq > this.seq + 1) {
      if (this.pending.size >= MAX_PENDING) {
        this.needsResync = true;
        return 'ignored';
      }
      this.pending.set(msg.seq, msg);
      return 'buffered';
    }
    this.applyInOrder(msg);
    this.drain();
    return 'applied';
  }

  /** The oldest missing seq while frames wait past a gap, else null. */
  gap(): number | null {
    return this.pending.size > 0 ? this.seq + 1 : null;
  }

  private drain(): void {
    for (;;) {
      const next = this.pending.get(this.seq + 1);
      if (!next) return;
      this.pending.delete(next.seq);
      this.applyInOrder(next);
    }
  }

  private applyInOrder(f: LogFrame): void {
    this.seq = f.seq;
    try {
      switch (f.type) {
        case 'connection':
          this.onConnection(f.from, f.to, f.createdAt);
          break;
        case 'node':
          this.onNode(f.node, f.hidden === true);
          break;
        case 'removed':
          if (isString(f.source) && isString(f.target)) {
            const key = pairKey(f.source, f.target);
            this.parked.delete(key);
            const link = this.links.get(key);
            if (link) this.removeLink(link);
          } else this.anomalies.malformed++;
          break;
        case 'event':
          if (isString(f.name)) this.eventName = cleanName(f.name);
          this.settings = normalSettings(f.settings);
          this.emit({ kind: 'meta' });
          break;
        case 'announcement':
          if (f.audience === 'walls' || f.audience === 'all') {
            this.announcement = typeof f.message === 'string' && f.message.trim().length > 0 ? f.message : null;
            this.emit({ kind: 'announcement', message: this.announcement });
          }
          break;
      }
    } catch (e) {
      // A malformed frame must not stop the wall; its position is consumed all the same.
      this.anomalies.malformed++;
      console.warn('livewall: dropped a malformed frame', f.seq, e);
    }
  }

  private onConnection(from: unknown, to: unknown, createdAt: unknown): void {
    if (!isPerson(from) || !isPerson(to) || from.id === to.id) {
      this.anomalies.malformed++;
      return;
    }
    const at = typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : Date.now();
    // The server logs no links of hidden people; should one come anyway it is dropped, not kept for later.
    if (this.hidden.has(from.id) || this.hidden.has(to.id)) return;
    const key = pairKey(from.id, to.id);
    // This frame brings the pair itself: a snapshot link still waiting for one of them is superseded.
    this.parked.delete(key);
    // People come as they are now (a name or photo may have changed), even on a pair already drawn; a newcomer
    // is placed next to the person they met.
    this.upsertNode(from, this.nodes.has(to.id) ? to.id : null);
    this.upsertNode(to, from.id);
    if (!this.links.has(key)) this.addLink(from.id, to.id, at, true);
  }

  private onNode(p: unknown, hidden: boolean): void {
    if (!isPerson(p)) {
      this.anomalies.malformed++;
      return;
    }
    if (hidden) {
      // Their links go for good (removeNode drops the visible ones): un-hidden, the server sends the remaining
      // ones again, and one a moderator removed meanwhile must not come back from here.
      this.hidden.add(p.id);
      for (const link of [...this.parked.values()]) if (link.source === p.id || link.target === p.id) this.parked.delete(link.key);
      this.removeNode(p.id);
      return;
    }
    this.hidden.delete(p.id);
    this.upsertNode(p, null);
  }

  /** Shows the snapshot links that waited for `id` to be known, now that they are. */
  private unpark(id: string): void {
    for (const link of [...this.parked.values()]) {
      if (link.source !== id && link.target !== id) continue;
      if (!this.nodes.has(link.source === id ? link.target : link.source)) continue;
      this.parked.delete(link.key);
      this.addLink(link.source, link.target, link.createdAt, false);
    }
  }

  private upsertNode(p: Person, near: string | null): void {
    const name = cleanName(p.name);
    const initials = discInitials(p.initials);
    const avatar = optString(p.avatar);
    const major = optString(p.major) === null ? null : cleanName(p.major);
    const company = optString(p.company) === null ? null : cleanName(p.company);
    const existing = this.nodes.get(p.id);
    if (existing) {
      if (
        existing.name !== name ||
        existing.initials !== initials ||
        existing.avatar !== avatar ||
        existing.major !== major ||
        existing.company !== company
      ) {
        existing.name = name;
        existing.initials = initials;
        existing.avatar = avatar;
        existing.major = major;
        existing.company = company;
        this.emit({ kind: 'node-updated', node: existing });
      }
      return;
    }
    const node: NodeState = { id: p.id, name, initials, avatar, major, company, degree: 0, reachedAt: 0, reachedOrder: 0 };
    this.nodes.set(p.id, node);
    this.emit({ kind: 'node-added', node, near: near !== null && this.nodes.has(near) ? near : null });
    if (this.parked.size > 0) this.unpark(p.id);
  }

  private addLink(source: string, target: string, createdAt: number, live: boolean): void {
    const key = pairKey(source, target);
    const a = this.nodes.get(source);
    const b = this.nodes.get(target);
    if (!a || !b) {
      // Someone we have not seen yet: keep the link until they turn up.
      this.parked.set(key, { key, source, target, createdAt, order: ++this.order });
      return;
    }
    const link: LinkState = { key, source, target, createdAt, order: ++this.order };
    this.links.set(key, link);
    for (const n of [a, b]) {
      let adj = this.adjacency.get(n.id);
      if (!adj) this.adjacency.set(n.id, (adj = new Set()));
      adj.add(key);
      n.degree = adj.size;
      if (createdAt > n.reachedAt || (createdAt === n.reachedAt && link.order > n.reachedOrder)) {
        n.reachedAt = createdAt;
        n.reachedOrder = link.order;
      }
    }
    insertSorted(this.times, createdAt);
    this.emit({ kind: 'link-added', link, live });
  }

  private removeLink(link: LinkState): void {
    if (!this.links.delete(link.key)) return;
    removeSorted(this.times, link.createdAt);
    for (const id of [link.source, link.target]) {
      const adj = this.adjacency.get(id);
      const n = this.nodes.get(id);
      if (!adj) continue;
      adj.delete(link.key);
      if (!n) continue;
      n.degree = adj.size;
      // The moment they reached their current degree is their newest remaining link.
      n.reachedAt = 0;
      n.reachedOrder = 0;
      for (const k of adj) {
        const l = this.links.get(k);
        if (l && (l.createdAt > n.reachedAt || (l.createdAt === n.reachedAt && l.order > n.reachedOrder))) {
          n.reachedAt = l.createdAt;
          n.reachedOrder = l.order;
        }
      }
    }
    this.emit({ kind: 'link-removed', link });
  }

  private removeNode(id: string): void {
    const adj = this.adjacency.get(id);
    if (adj) {
      for (const key of [...adj]) {
        const link = this.links.get(key);
        if (link) this.removeLink(link);
      }
      this.adjacency.delete(id);
    }
    if (this.nodes.delete(id)) this.emit({ kind: 'node-removed', id });
  }

  private clear(): void {
    for (const id of [...this.nodes.keys()]) this.removeNode(id);
    this.parked.clear();
    this.hidden.clear();
    this.pending.clear();
    this.times.length = 0;
    this.announcement = null;
  }

  /** Links made at or after `since` (server clock, ms). */
  linksSince(since: number): number {
    return this.times.length - lowerBound(this.times, since);
  }

  /** The `n` most-connected people; ties go to whoever reached that count first. */
  leaderboard(n: number): NodeState[] {
    const top: NodeState[] = [];
    const better = (a: NodeState, b: NodeState): boolean =>
      a.degree !== b.degree
        ? a.degree > b.degree
        : a.reachedAt !== b.reachedAt
          ? a.reachedAt < b.reachedAt
          : a.reachedOrder < b.reachedOrder;
    for (const node of this.nodes.values()) {
      if (node.degree === 0) continue;
      if (top.length === n) {
        const last = top[n - 1];
        if (last === undefined || !better(node, last)) continue;
        top.pop();
      }
      let i = top.length;
      while (i > 0) {
        const prev = top[i - 1];
        if (prev === undefined || !better(node, prev)) break;
        i--;
      }
      top.splice(i, 0, node);
    }
    return top;
  }
}

function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] ?? 0) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(a: number[], v: number): void {
  // Links arrive mostly in time order: appending is the common case.
  if (a.length === 0 || (a[a.length - 1] ?? 0) <= v) a.push(v);
  else a.splice(lowerBound(a, v), 0, v);
}

function removeSorted(a: number[], v: number): void {
  const i = lowerBound(a, v);
  if (a[i] === v) a.splice(i, 1);
}
