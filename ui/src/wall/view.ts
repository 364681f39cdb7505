// The wall page: the graph, the caption, the banner, the legend, the side panel and the offline badge, fed by
// one WallFeed. `mountWall` returns a function that tears everything down (render loop, timers, socket,
// worker, listeners), so a kiosk can mount and unmount it for hours without leaking.

import { fetchSnapshot } from '../api/rest';
import { openLiveSocket } from '../api/socket';
import { WallState, type WallChange } from './state';
import { WallFeed, type FeedStatus } from './feed';
import { GraphRenderer } from './renderer';
import { createLayout } from './layoutHost';
import { Highlighter, type Caption } from './highlights';
import { SidePanel, el } from './panel';
import { shownName, truncate } from './names';

/** Read-only view of the wall for tests and the benchmark (`window.__livewall`). */
export interface WallTestHook {
  nodeCount(): number;
  linkCount(): number;
  lastCaption(): string | null;
  status(): FeedStatus;
  seq(): number;
  epoch(): string | null;
  frames(): number;
  connects(): number;
  announcement(): string | null;
  anomalies(): { duplicates: number; ignored: number; malformed: number; avatarFailures: number };
}

declare global {
  interface Window {
    __livewall?: WallTestHook;
  }
}

/** What the wall needs from its data source: a `WallFeed` over the network, or the desktop kiosk's bridge. */
export interface WallSource {
  readonly status: FeedStatus;
  readonly detail: string;
  readonly clockOffset: number;
  readonly connects: number;
  onStatus(fn: (s: FeedStatus) => void): () => void;
  start(): void;
  stop(): void;
}

export interface WallOptions {
  eventId: string;
  token: string | null;
  /** Where the data comes from; defaults to this server's REST API and WebSocket. */
  feed?: (state: WallState) => WallSource;
}

function defaultFeed(eventId: string, token: string | null): (state: WallState) => WallFeed {
  return (state) =>
    new WallFeed(state, {
      fetchSnapshot: (etag) => fetchSnapshot(eventId, token, etag),
      // Without a token the server lets a socket follow one public wall, named by `eventId`.
      openSocket: () => openLiveSocket({ token, eventId }),
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (h) => window.clearTimeout(h as number),
      random: Math.random,
    });
}

export function mountWall(root: HTMLElement, opts: WallOptions): () => void {
  const state = new WallState();
  const feed = (opts.feed ?? defaultFeed(opts.eventId, opts.token))(state);

  const wall = el('div', 'wall', root);
  const stage = el('main', 'stage', wall);
  const canvas = el('canvas', 'graph', stage);
  const header = el('header', 'wall-header', stage);
  const title = el('h1', 'wall-title', header);
  title.textContent = 'Connecting…';
  const legend = el('ul', 'legend', stage);
  const banner = el('div', 'banner', stage);
  banner.hidden = true;
  const caption = el('div', 'caption', stage);
  const badge = el('div', 'badge', stage);
  badge.hidden = true;
  const empty = el('div', 'empty', stage);
  empty.textContent = 'Waiting for the first connection…';
  empty.hidden = true;

  const layout = createLayout();
  const renderer = new GraphRenderer(canvas, state, layout);
  const panel = new SidePanel(state, (id) => renderer.colorOf(id));
  wall.appendChild(panel.root);
  const highlighter = new Highlighter();
  let lastCaption: string | null = null;
  let captionTimer = 0;

  const onChange = (c: WallChange): void => {
    if (c.kind === 'link-added' && c.live) {
      highlighter.push({ key: c.link.key, source: c.link.source, target: c.link.target }, performance.now());
    } else if (c.kind === 'announcement') {
      banner.hidden = c.message === null;
      banner.textContent = c.message === null ? '' : truncate(c.message, 280);
    } else if (c.kind === 'meta' || c.kind === 'snapshot') {
      title.textContent = state.eventName || opts.eventId;
      document.title = `${state.eventName || opts.eventId} · livewall`;
      panelDirty = true;
    }
  };
  const unsubscribe = state.subscribe(onChange);

  const name = (id: string): string => {
    const n = state.nodes.get(id);
    return n ? shownName(n.name, 40) : '';
  };

  const showCaption = (c: Caption): void => {
    const a = name(c.pair.source);
    const b = name(c.pair.target);
    if (!a || !b) return;
    const text = `${a} ↔ ${b}`;
    caption.replaceChildren();
    if (c.replay) el('span', 'caption-kicker', caption).textContent = 'Earlier tonight';
    const line = el('div', 'caption-line', caption);
    el('bdi', 'caption-name', line).textContent = a;
    el('span', 'caption-arrow', line).textContent = ' ↔ ';
    el('bdi', 'caption-name', line).textContent = b;
    if (c.more > 0) el('span', 'caption-more', caption).textContent = `and ${c.more} more new connection${c.more === 1 ? '' : 's'}`;
    caption.classList.remove('show');
    void caption.offsetWidth; // restart the fade-in
    caption.classList.add('show');
    window.clearTimeout(captionTimer);
    captionTimer = window.setTimeout(() => caption.classList.remove('show'), 6000);
    if (!c.replay) lastCaption = text;
    if (c.replay) {
      renderer.pulse(c.pair.source);
      renderer.pulse(c.pair.target);
      renderer.replayLink(c.pair.key);
    }
  };

  const pickEarlier = (r: number) => {
    // Prefer recent meetings: the r-th from the newest, on a skewed scale.
    const n = state.links.size;
    if (n === 0) return null;
    const want = Math.floor(n - 1 - (r * r * n));
    let i = 0;
    for (const l of state.links.values()) if (i++ === Math.max(0, want)) return { key: l.key, source: l.source, target: l.target };
    return null;
  };

  const showStatus = (): void => {
    const s = feed.status;
    badge.hidden = s === 'live' || (s === 'loading' && !state.loaded);
    badge.className = `badge badge-${s}`;
    badge.textContent =
      s === 'failed' ? `Cannot show this wall: ${feed.detail}` : s === 'offline' ? 'Offline · reconnecting' : 'Connecting…';
    if (!state.loaded) title.textContent = s === 'failed' ? feed.detail : 'Connecting…';
  };
  feed.onStatus(showStatus);

  // Size: the canvas fills the stage; no scrollbars at any resolution.
  const resize = (): void => {
    const r = stage.getBoundingClientRect();
    renderer.resize(r.width, r.height, window.devicePixelRatio || 1);
  };
  const ro = new ResizeObserver(resize);
  ro.observe(stage);
  resize();

  let panelDirty = true;
  let lastPanel = 0;
  let lastLegend = 0;
  let raf = 0;
  const loop = (now: number): void => {
    raf = requestAnimationFrame(loop);
    try {
      renderer.frame(now);
      const cap = highlighter.tick(now, pickEarlier);
      if (cap) showCaption(cap);
      if (panelDirty || now - lastPanel > 1000) {
        if (now - lastPanel > 250) {
          panel.update(Date.now() + feed.clockOffset);
          empty.hidden = !state.loaded || state.links.size > 0;
          lastPanel = now;
          panelDirty = false;
        }
      }
      if (now - lastLegend > 2000) {
        lastLegend = now;
        legend.replaceChildren();
        for (const item of renderer.legend(12)) {
          const li = el('li', 'legend-item', legend);
          el('span', 'legend-dot', li).style.background = item.color;
          el('bdi', 'legend-label', li).textContent = truncate(item.label, 28);
        }
      }
    } catch (e) {
      // One bad frame must not stop the wall.
      console.error('livewall: frame failed', e);
    }
  };
  raf = requestAnimationFrame(loop);
  const onLinkChange = state.subscribe((c) => {
    // node-updated too: toggling initials only renames everyone on the leaderboard.
    if (c.kind.startsWith('node-') || c.kind.startsWith('link-')) panelDirty = true;
  });

  window.__livewall = Object.freeze({
    nodeCount: () => state.nodes.size,
    linkCount: () => state.links.size,
    lastCaption: () => lastCaption,
    status: () => feed.status,
    seq: () => state.seq,
    epoch: () => state.epoch,
    frames: () => renderer.frames,
    connects: () => feed.connects,
    announcement: () => state.announcement,
    anomalies: () => ({ ...state.anomalies, avatarFailures: renderer.avatars.failures }),
  });

  feed.start();
  showStatus();

  return () => {
    cancelAnimationFrame(raf);
    window.clearTimeout(captionTimer);
    ro.disconnect();
    feed.stop();
    unsubscribe();
    onLinkChange();
    renderer.destroy();
    delete window.__livewall;
    wall.remove();
  };
}
