// The wall's data flow: snapshot first, then the live log over the WebSocket from the snapshot's position.
//
// - `subscribed{recovered:false}` (the log moved on without us): reload the snapshot, holding live frames that
//   arrive meanwhile and applying them after it (the state drops those the snapshot already holds).
// - A gap that stays open, or a socket that goes quiet, closes the socket; it reconnects with full-jitter
//   exponential backoff and resumes from the last applied position.
// - While the socket is down the wall keeps what it has and checks the snapshot now and then (conditional GET,
//   so an unchanged wall costs a 304), so a wall behind a proxy without WebSockets still moves.

import type { ClientMessage } from '../bindings/ClientMessage';
import type { ServerMessage } from '../bindings/ServerMessage';
import { backoffDelay } from '../api/backoff';
import { HttpError, type SnapshotResult } from '../api/rest';
import type { WallState } from './state';

export type FeedStatus = 'loading' | 'live' | 'offline' | 'failed';

/** The parts of a WebSocket the feed uses. */
export interface SocketLike {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface FeedDeps {
  fetchSnapshot(etag: string | null): Promise<SnapshotResult>;
  openSocket(): SocketLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

export interface FeedOptions {
  /** How long a gap in the log may stay open before reconnecting. */
  gapTimeoutMs: number;
  /** Ping interval; a socket silent for three intervals is considered dead. */
  pingMs: number;
  /** Snapshot check interval while the socket is down. */
  pollMs: number;
}

const DEFAULTS: FeedOptions = { gapTimeoutMs: 5000, pingMs: 15_000, pollMs: 10_000 };

export class WallFeed {
  status: FeedStatus = 'loading';
  /** Why the wall is not live (for the badge), if it is not. */
  detail = '';
  /** Server clock minus local clock, from the snapshot's Date header (ms). */
  clockOffset = 0;
  /** Number of socket connections made (the test hook shows it). */
  connects = 0;
  snapshotsLoaded = 0;

  private readonly opts: FeedOptions;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private etag: string | null = null;
  private resyncing = false;
  private held: unknown[] = [];
  private stopped = false;
  private timers = new Map<string, unknown>();
  private lastHeard = 0;
  private readonly statusListeners = new Set<(s: FeedStatus) => void>();

  constructor(
    private readonly state: WallState,
    private readonly deps: FeedDeps,
    opts: Partial<FeedOptions> = {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  onStatus(fn: (s: FeedStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  start(): void {
    this.stopped = false;
    void this.loadSnapshot(true);
  }

  /** Closes the socket and every timer; the state keeps its content. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.deps.clearTimeout(t);
    this.timers.clear();
    this.dropSocket();
    this.statusListeners.clear();
  }

  private setStatus(s: FeedStatus, detail = ''): void {
    const changed = s !== this.status || detail !== this.detail;
    this.status = s;
    this.detail = detail;
    if (changed) for (const fn of this.statusListeners) fn(s);
  }

  private timer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    this.timers.set(
      name,
      this.deps.setTimeout(() => {
        this.timers.delete(name);
        if (!this.stopped) fn();
      }, ms),
    );
  }

  private clearTimer(name: string): void {
    const t = this.timers.get(name);
    if (t !== undefined) this.deps.clearTimeout(t);
    this.timers.delete(name);
  }

  /** Loads (or re-checks) the snapshot; on the first load, connects afterwards. */
  private async loadSnapshot(thenConnect: boolean): Promise<void> {
    let result: SnapshotResult;
    try {
      result = await this.deps.fetchSnapshot(this.state.loaded && !this.resyncing ? this.etag : null);
    } catch (e) {
      if (this.stopped) return;
      if (e instanceof HttpError && e.permanent) {
        this.setStatus('failed', e.message);
        // Someone may fix the event or the token: try again, slowly.
        this.timer('snapshot', 30_000, () => void this.loadSnapshot(thenConnect));
        return;
      }
      if (this.state.loaded) this.setStatus('offline', 'server unreachable');
      else this.setStatus('loading', 'waiting for the server');
      // A failed check while offline is simply tried again at the next poll.
      if (!thenConnect && !this.resyncing) return;
      const delay = backoffDelay(this.attempt++, this.deps.random);
      this.timer('snapshot', delay, () => void this.loadSnapshot(thenConnect));
      return;
    }
    if (this.stopped) return;
    if (result.kind === 'ok') {
      this.etag = result.etag;
      if (result.serverNow !== null) this.clockOffset = result.serverNow - this.now();
      this.state.applySnapshot(result.snapshot);
      this.snapshotsLoaded++;
    }
    if (this.resyncing) {
      this.resyncing = false;
      const held = this.held;
      this.held = [];
      for (const f of held) this.state.apply(f);
      if (this.socket) this.setStatus('live');
    }
    if (thenConnect) this.connect();
    else if (!this.socket) this.setStatus('offline', 'reconnecting');
  }

  private connect(): void {
    if (this.stopped) return;
    this.dropSocket();
    let ws: SocketLike;
    try {
      ws = this.deps.openSocket();
    } catch (e) {
      this.onSocketGone(String(e));
      return;
    }
    this.socket = ws;
    this.connects++;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.lastHeard = this.now();
      const pos = this.state.position();
      const eventId = this.state.eventId;
      if (eventId === null) return;
      const sub: ClientMessage = pos
        ? { action: 'subscribe', eventId, since: { epoch: pos.epoch, seq: pos.seq } }
        : { action: 'subscribe', eventId };
      ws.send(JSON.stringify(sub));
      this.schedulePing();
    };
    ws.onmessage = (ev) => {
      if (this.socket !== ws) return;
      this.lastHeard = this.now();
      let msg: unknown;
      try {
        msg = JSON.parse(typeof ev.data === 'string' ? ev.data : '');
      } catch {
        this.state.anomalies.malformed++;
        return;
      }
      if (Array.isArray(msg)) for (const m of msg) this.onFrame(m);
      else this.onFrame(msg);
    };
    ws.onerror = () => {
      // A close event follows; nothing to do here.
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.onSocketGone(opened ? 'connection lost' : 'cannot connect');
    };
  }

  private onFrame(msg: unknown): void {
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as ServerMessage;
    switch (m.type) {
      case 'subscribed':
        if (m.eventId !== this.state.eventId) return;
        if (!m.recovered || (this.state.epoch !== null && m.epoch !== this.state.epoch)) {
          this.resync();
        } else {
          this.attempt = 0;
          this.clearTimer('poll');
          this.setStatus('live');
        }
        return;
      case 'pong':
      case 'presence':
        return;
      case 'error':
        console.warn('livewall: server error', m.code, m.message);
        return;
      default:
        if (this.resyncing) {
          this.held.push(m);
          return;
        }
        this.state.apply(m);
        if (this.state.needsResync) this.resync();
        else this.watchGap();
    }
  }

  /** Reloads the snapshot while the socket keeps streaming (frames are held until the snapshot is in). */
  private resync(): void {
    if (this.resyncing) return;
    this.resyncing = true;
    this.held = [];
    void this.loadSnapshot(false);
  }

  private watchGap(): void {
    const gap = this.state.gap();
    if (gap === null) {
      this.clearTimer('gap');
      return;
    }
    if (this.timers.has('gap')) return;
    this.timer('gap', this.opts.gapTimeoutMs, () => {
      if (this.state.gap() === gap) {
        // The missing frame never came: reconnect and let the server replay from our position.
        this.dropSocket();
        this.onSocketGone('missed updates');
      }
    });
  }

  private schedulePing(): void {
    this.timer('ping', this.opts.pingMs, () => {
      const ws = this.socket;
      if (!ws) return;
      if (this.now() - this.lastHeard > this.opts.pingMs * 3) {
        this.dropSocket();
        this.onSocketGone('server silent');
        return;
      }
      const ping: ClientMessage = { action: 'ping' };
      try {
        ws.send(JSON.stringify(ping));
      } catch {
        // The close event will follow.
      }
      this.schedulePing();
    });
  }

  private dropSocket(): void {
    const ws = this.socket;
    this.socket = null;
    this.clearTimer('ping');
    this.clearTimer('gap');
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(1000, 'bye');
    } catch {
      // Already closed.
    }
  }

  private onSocketGone(why: string): void {
    if (this.stopped) return;
    this.resyncing = false;
    this.held = [];
    this.setStatus('offline', why);
    const delay = backoffDelay(this.attempt++, this.deps.random);
    this.timer('reconnect', delay, () => this.connect());
    if (!this.timers.has('poll')) this.schedulePoll();
  }

  private schedulePoll(): void {
    this.timer('poll', this.opts.pollMs, () => {
      if (this.socket && this.status === 'live') return;
      void this.loadSnapshot(false).finally(() => {
        if (!this.stopped && this.status !== 'live') this.schedulePoll();
      });
    });
  }
}
