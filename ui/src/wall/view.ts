// The wall page: the graph, the spotlight, the banner, the legend, the ticker, the toasts, the side panel and the
// offline badge, fed by one WallFeed. Which overlays show follows the event's `settings.wall`, overridden by the
// wall's keys (features.ts, keys.ts; `?` shows them). `mountWall` returns a function that tears everything down (render loop, timers, socket,
// worker, listeners), so a kiosk can mount and unmount it for hours without leaking. The chrome speaks the event's
// language (`settings.language`), else the browser's, and switches live when the organiser changes it.

import { fetchSnapshot } from '../api/rest';
import { openLiveSocket } from '../api/socket';
import { WallState, type WallChange } from './state';
import { WallFeed, type FeedStatus } from './feed';
import { GraphRenderer } from './renderer';
import { GraphTools, type GraphToolsInfo } from './graph/tools';
import { createLayout } from './layoutHost';
import { Highlighter, type Caption } from './highlights';
import { SidePanel, el } from './panel';
import { shownName, truncate } from './names';
import { wallFeatures, type Feature, type WallFeatures } from './features';
import { keyAction } from './keys';
import { SpotlightBanner } from './spotlight';
import { FEATURE_NAMES, HelpOverlay, TickerStrip, ToastStack } from './overlays';
import { StreakTracker, type Cheer } from './streaks';
import { closeReason, CloseCode } from '../bindings/CloseCode';
import { followEvent, onLanguage, t, type MessageKey } from '../i18n';

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
  /** The wall features in force (the event's, overridden by keys). */
  features(): WallFeatures;
  /** The spotlight banner's text while it shows, else null. */
  spotlight(): string | null;
  /** The ticker's items. */
  ticker(): string[];
  /** The toasts showing. */
  toasts(): string[];
  /** The graph tools: camera, highlighted people, medals, clusters, tour phase, path found. */
  graph(): GraphToolsInfo;
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
  /** The HTTP status of the answer that failed the wall, when one did (its reason is then said in the page's language). */
  readonly failedStatus?: number | null;
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

/** The words for an HTTP refusal of the wall. */
const HTTP_REASONS: Readonly<Record<number, MessageKey>> = {
  401: 'wall.reason.unauthorized',
  403: 'wall.reason.forbidden',
  404: 'wall.reason.not_found',
};

/** The words for the server's final close codes (the feed reports them as `closeReason` says them). */
const CLOSE_REASONS: ReadonlyArray<[number, MessageKey]> = [
  [CloseCode.MessageTooBig, 'wall.reason.too_big'],
  [CloseCode.Revoked, 'wall.reason.revoked'],
  [CloseCode.NotPublic, 'wall.reason.not_public'],
  [CloseCode.EventDeleted, 'wall.reason.event_deleted'],
];

/** Why the wall cannot be shown, in the page's language when the reason is one the wall knows. */
function reasonText(source: WallSource): string {
  const http = source.failedStatus == null ? undefined : HTTP_REASONS[source.failedStatus];
  if (http) return t(http);
  for (const [code, key] of CLOSE_REASONS) if (closeReason(code) === source.detail) return t(key);
  return source.detail;
}

export function mountWall(root: HTMLElement, opts: WallOptions): () => void {
  const state = new WallState();
  const feed = (opts.feed ?? defaultFeed(opts.eventId, opts.token))(state);

  const wall = el('div', 'wall', root);
  const stage = el('main', 'stage', wall);
  const canvas = el('canvas', 'graph', stage);
  canvas.setAttribute('role', 'img');
  const header = el('header', 'wall-header', stage);
  const title = el('h1', 'wall-title', header);
  // The event's name and the organiser's banner are written in whatever direction they were typed.
  title.dir = 'auto';
  const legend = el('ul', 'legend', stage);
  const banner = el('div', 'banner', stage);
  banner.dir = 'auto';
  banner.hidden = true;
  const spotlight = new SpotlightBanner(stage);
  const ticker = new TickerStrip(stage, state);
  const toasts = new ToastStack(stage);
  const help = new HelpOverlay(stage);
  const badge = el('div', 'badge', stage);
  badge.setAttribute('role', 'status');
  badge.hidden = true;
  const empty = el('div', 'empty', stage);
  empty.hidden = true;
  // Until the snapshot says what the event speaks, the browser's language.
  followEvent(null);
  title.textContent = t('common.connecting');

  const layout = createLayout();
  const renderer = new GraphRenderer(canvas, state, layout);
  const panel = new SidePanel(state, (id) => renderer.colorOf(id));
  wall.appendChild(panel.root);
  const highlighter = new Highlighter();
  const streaks = new StreakTracker();
  let lastCaption: string | null = null;
  // This page's flags: the event's (below, from the snapshot and each `event` frame), overridden by keys.
  wallFeatures.reset();
  let panelDirty = true;
  let lastPanel = 0;
  let lastLegend = 0;
  let raf = 0;

  const onChange = (c: WallChange): void => {
    if (c.kind === 'link-added' && c.live) {
      const { key, source, target, createdAt } = c.link;
      if (wallFeatures.on('spotlight')) highlighter.push({ key, source, target }, performance.now());
      ticker.rotation.add({ key, source, target, at: createdAt });
      const a = state.nodes.get(source);
      const b = state.nodes.get(target);
      const said = streaks.link(source, a?.degree ?? 0, target, b?.degree ?? 0, createdAt, state.links.size);
      if (wallFeatures.on('streaks')) for (const cheer of said) showCheer(cheer);
    } else if (c.kind === 'link-removed') {
      ticker.rotation.remove(c.link.key);
      streaks.setTotal(state.links.size);
    } else if (c.kind === 'node-removed') {
      streaks.forget(c.id);
    } else if (c.kind === 'announcement') {
      banner.hidden = c.message === null;
      banner.textContent = c.message === null ? '' : truncate(c.message, 280);
    } else if (c.kind === 'meta' || c.kind === 'snapshot') {
      // A language switch rewrites the chrome (relabel, through onLanguage).
      followEvent(state.settings.language);
      wallFeatures.setEvent(state.settings.wall);
      if (c.kind === 'snapshot') {
        streaks.seed(state.links.size);
        ticker.rotation.seed([...state.links.values()].map((l) => ({ key: l.key, source: l.source, target: l.target, at: l.createdAt })));
        ticker.clear();
      }
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
    const a = state.nodes.get(c.pair.source);
    const b = state.nodes.get(c.pair.target);
    if (!a || !b) return;
    const text = spotlight.show(c, a, b, (id) => renderer.colorOf(id));
    if (!c.replay) lastCaption = text;
    if (c.replay) {
      renderer.pulse(c.pair.source);
      renderer.pulse(c.pair.target);
      renderer.replayLink(c.pair.key);
    }
  };

  const showCheer = (c: Cheer): void => {
    if (c.kind === 'event') toasts.push('event', t('wall.milestone.event', { count: c.count }));
    else {
      const who = name(c.person);
      if (!who) return;
      if (c.kind === 'streak') toasts.push('streak', t('wall.streak', { name: who, count: c.count }));
      else toasts.push('person', t('wall.milestone.person', { name: who, count: c.count }));
    }
  };

  /** Shows or hides the overlays this page draws as the flags say (the graph's own follow them in the renderer). */
  const applyFeatures = (flags: Readonly<WallFeatures>, changed: readonly Feature[] | null): void => {
    const all = changed === null;
    if (all || changed.includes('spotlight')) {
      if (!flags.spotlight) {
        highlighter.clear();
        spotlight.hide();
      }
      spotlight.root.hidden = !flags.spotlight;
    }
    if (all || changed.includes('ticker')) {
      ticker.root.hidden = !flags.ticker;
      stage.classList.toggle('with-ticker', flags.ticker);
      if (flags.ticker) ticker.clear();
    }
    if (!flags.streaks) toasts.clearCheers();
    panelDirty = true;
    help.render(flags);
  };
  const stopFeatures = wallFeatures.subscribe(applyFeatures);
  applyFeatures(wallFeatures.current(), null);
  // Medals, heat, clusters, search, path finder and tour (after the flags' reset above).
  const graphTools = new GraphTools(stage, state, renderer, wallFeatures);

  // The wall's keys (kiosks have a keyboard, not a mouse): one per feature, `?` for the help.
  const onKey = (e: KeyboardEvent): void => {
    const target = e.target instanceof HTMLElement ? e.target : null;
    const action = keyAction({ key: e.key, code: e.code, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, repeat: e.repeat, target });
    if (!action) return;
    e.preventDefault();
    if (action.kind === 'help') help.toggle(wallFeatures.current());
    else if (action.kind === 'close') help.close();
    else {
      const on = wallFeatures.toggle(action.feature);
      toasts.push('info', t('wall.keys.toggled', { feature: t(FEATURE_NAMES[action.feature]), state: t(on ? 'wall.keys.on' : 'wall.keys.off') }));
    }
  };
  window.addEventListener('keydown', onKey);

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
      s === 'failed'
        ? t('wall.status.failed', { reason: reasonText(feed) })
        : s === 'offline'
          ? t('wall.status.offline')
          : t('common.connecting');
    if (!state.loaded) title.textContent = s === 'failed' ? reasonText(feed) : t('common.connecting');
  };
  feed.onStatus(showStatus);

  /** The wall's own words in the page's language; names, the banner and the event's name are as sent. */
  const relabel = (): void => {
    canvas.setAttribute('aria-label', t('wall.graph.label'));
    legend.setAttribute('aria-label', t('wall.legend.label'));
    ticker.relabel();
    toasts.relabel();
    help.render(wallFeatures.current());
    empty.textContent = t('wall.empty');
    panel.relabel();
    showStatus();
    // The legend's "Other" and the figures are written again at the next frame.
    lastLegend = 0;
    panelDirty = true;
  };
  const stopLanguage = onLanguage(relabel);
  // The browser's languages changed (only followed while the event chose none).
  const onBrowserLanguage = (): void => void followEvent(state.settings.language);
  window.addEventListener('languagechange', onBrowserLanguage);

  // Size: the canvas fills the stage; no scrollbars at any resolution.
  const resize = (): void => {
    const r = stage.getBoundingClientRect();
    renderer.resize(r.width, r.height, window.devicePixelRatio || 1);
  };
  const ro = new ResizeObserver(resize);
  ro.observe(stage);
  resize();

  const loop = (now: number): void => {
    raf = requestAnimationFrame(loop);
    try {
      renderer.frame(now);
      if (wallFeatures.on('spotlight')) {
        const cap = highlighter.tick(now, pickEarlier);
        if (cap) showCaption(cap);
      }
      if (wallFeatures.on('ticker')) ticker.frame(now, Date.now() + feed.clockOffset);
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
    features: () => ({ ...wallFeatures.current() }),
    spotlight: () => spotlight.showing,
    ticker: () => ticker.texts(),
    toasts: () => toasts.texts(),
    graph: () => graphTools.info(),
  });

  feed.start();
  relabel();

  return () => {
    cancelAnimationFrame(raf);
    spotlight.destroy();
    toasts.destroy();
    stopFeatures();
    window.removeEventListener('keydown', onKey);
    ro.disconnect();
    feed.stop();
    unsubscribe();
    onLinkChange();
    stopLanguage();
    window.removeEventListener('languagechange', onBrowserLanguage);
    graphTools.destroy();
    renderer.destroy();
    delete window.__livewall;
    wall.remove();
  };
}
