// The wall's data flow: snapshot first, then the live log over the WebSocket from the snapshot's position.
//
// - `subscribed{recovered:false}` (the log moved on without us): reload the snapshot, holding live frames that
//   arrive meanwhile and applying them after it (the state drops those the snapshot already holds).
// - A gap that stays open, or a socket that goes quiet, closes the socket; it reconnects with full-jitter
//   exponential backoff and resumes from the last applied position. A close the server means for good (token
//   revoked, wall no longer public, event deleted: see `CloseCode`) fails the wall with the reason instead.
// - While the socket is down the wall keeps what it has and checks the snapshot now and then (conditional GET,
//   so an unchanged wall costs a 304), so a wall behind a proxy without WebSockets still moves.

import type { ClientMessage } from '../bindings/ClientMessage';
import type { ServerMessage } from '../bindings/ServerMessage';
import { ApiError } from '../api/http';
import type { SnapshotResult } from '../api/rest';
import { LiveSocket, readFrames, type SocketLike, type Timers } from '../api/socket';
import type { WallState } from './state';

export type FeedStatus = 'loading' | 'live' | 'offline' | 'failed';

export interface FeedDeps extends Timers {
  fetchSnapshot(etag: string | null): Promise<SnapshotResult>;
  openSocket(): SocketLike;
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
  /** The HTTP status of the answer that failed the wall (401, 403, 404), while it is failed for that. */
  failedStatus: number | null = null;
  /** Server clock minus local clock, from the snapshot's Date header (ms). */
  clockOffset = 0;
  snapshotsLoaded = 0;

  private readonly opts: FeedOptions;
  private readonly socket: LiveSocket;
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
    this.socket = new LiveSocket(
      () => deps.openSocket(),
      {
        opened: () => this.subscribe(),
        message: (data) => this.onMessage(data),
        closed: (why, retry) => this.onSocketGone(why, retry),
      },
      deps,
    );
  }

  /** Number of socket connections made (the test hook shows it). */
  get connects(): number {
    return this.socket.connects;
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
    this.halt();
    this.statusListeners.clear();
  }

  /** Ends all network work until `start`; listeners still hear the status set after. */
  private halt(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.deps.clearTimeout(t);
    this.timers.clear();
    this.socket.stop();
  }

  private setStatus(s: FeedStatus, detail = '', failedStatus: number | null = null): void {
    this.failedStatus = failedStatus;
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
      if (e instanceof ApiError && e.permanent) {
        this.setStatus('failed', e.message, e.status);
        // Someone may fix the event or the token: try again, slowly.
        this.timer('snapshot', 30_000, () => void this.loadSnapshot(thenConnect));
        return;
      }
      if (this.state.loaded) this.setStatus('offline', 'server unreachable');
      else this.setStatus('loading', 'waiting for the server');
      // A failed check while offline is simply tried again at the next poll.
      if (!thenConnect && !this.resyncing) return;
      // Snapshot and socket retries share one backoff: both wait for the same server.
      this.timer('snapshot', this.socket.nextDelay(), () => void this.loadSnapshot(thenConnect));
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
      if (this.socket.hasSocket) this.setStatus('live');
    }
    if (thenConnect) this.connect();
    else if (!this.socket.hasSocket) this.setStatus('offline', 'reconnecting');
  }

  private connect(): void {
    if (this.stopped) return;
    this.unwatch();
    this.socket.connect();
  }

  private subscribe(): void {
    this.lastHeard = this.now();
    const pos = this.state.position();
    const eventId = this.state.eventId;
    if (eventId === null) return;
    const sub: ClientMessage = pos
      ? { action: 'subscribe', eventId, since: { epoch: pos.epoch, seq: pos.seq } }
      : { action: 'subscribe', eventId };
    this.socket.send(sub);
    this.schedulePing();
  }

  private onMessage(data: unknown): void {
    this.lastHeard = this.now();
    const frames = readFrames(data);
    if (frames === null) this.state.anomalies.malformed++;
    else for (const m of frames) this.onFrame(m);
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
          this.socket.resetBackoff();
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
        // The server renamed everyone (initials only switched): its snapshot carries the new names.
        if (this.state.needsResync || (m.type === 'event' && m.reload === true)) this.resync();
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
        this.socket.reconnect('missed updates');
      }
    });
  }

  private schedulePing(): void {
    this.timer('ping', this.opts.pingMs, () => {
      if (!this.socket.hasSocket) return;
      if (this.now() - this.lastHeard > this.opts.pingMs * 3) {
        this.socket.reconnect('server silent');
        return;
      }
      // A failed send is followed by the close event.
      this.socket.send({ action: 'ping' });
      this.schedulePing();
    });
  }

  /** Stops watching the current socket (ping, gap); the socket itself is the `LiveSocket`'s. */
  private unwatch(): void {
    this.clearTimer('ping');
    this.clearTimer('gap');
  }

  /** The socket is gone: keep the wall, check the snapshot now and then, or stop when the server said so. */
  private onSocketGone(why: string, retry: boolean): void {
    if (this.stopped) return;
    this.resyncing = false;
    this.held = [];
    this.unwatch();
    if (!retry) {
      // Coming back would be refused again: keep the wall as it is and say why.
      this.halt();
      this.setStatus('failed', why);
      return;
    }
    this.setStatus('offline', why);
    if (!this.timers.has('poll')) this.schedulePoll();
  }

  private schedulePoll(): void {
    this.timer('poll', this.opts.pollMs, () => {
      if (this.socket.hasSocket && this.status === 'live') return;
      void this.loadSnapshot(false).finally(() => {
        if (!this.stopped && this.status !== 'live') this.schedulePoll();
      });
    });
  }
}
