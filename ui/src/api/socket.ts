// The one live socket of the browser views (`/ws`): the parts of a WebSocket the clients use, how its frames are
// read, and what a close means. Whether to come back after a close is decided by the generated close-code table,
// so a socket the server closed for good (token revoked, wall no longer public, event deleted) is not reopened.

import { closeReason, shouldReconnect } from '../bindings/CloseCode';
import type { ClientMessage } from '../bindings/ClientMessage';
import type { ServerMessage } from '../bindings/ServerMessage';
import { backoffDelay } from './backoff';

/** The parts of a WebSocket the clients use (a fake in unit tests). */
export interface SocketLike {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The clock and dice of a reconnecting socket, injected so tests can drive them. */
/**
 * Opens the server's live feed at `/ws` of `base` (this page's origin by default), with `token` when there is
 * one and `eventId` when an anonymous socket names the public wall it follows. The one place the feed's URL is
 * built.
 */
export function openLiveSocket(opts: { base?: string; token?: string | null; eventId?: string }): WebSocket {
  return new WebSocket(liveSocketUrl(opts.token ?? null, opts.base ?? location.origin, opts.eventId));
}

/** The URL {@link openLiveSocket} opens. */
export function liveSocketUrl(token: string | null, base: string, eventId?: string): string {
  const u = new URL('/ws', base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (eventId) u.searchParams.set('eventId', eventId);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

/** The page's own timers and `Math.random`, looked up when called (fake timers in tests replace them). */
const pageTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

const NOT_JSON = Symbol('not json');

function parseText(data: unknown): unknown {
  if (typeof data !== 'string') return NOT_JSON;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** The values a frame carries (one JSON value, or each one of an array); null when it is not JSON text. */
export function readFrames(data: unknown): unknown[] | null {
  const v = parseText(data);
  if (v === NOT_JSON) return null;
  return Array.isArray(v) ? v : [v];
}

const FRAME_TYPES = new Set([
  'subscribed',
  'connection',
  'node',
  'removed',
  'event',
  'announcement',
  'presence',
  'pong',
  'error',
]);

/** A frame from the socket, or null when it is not one of the types the clients know (or lacks their fields). */
export function parseFrame(data: unknown): ServerMessage | null {
  const v = parseText(data);
  if (typeof v !== 'object' || v === null) return null;
  const t = (v as { type?: unknown }).type;
  if (typeof t !== 'string' || !FRAME_TYPES.has(t)) return null;
  if (t === 'presence') {
    const p = v as Record<string, unknown>;
    if (typeof p.walls !== 'number' || typeof p.stations !== 'number' || !Array.isArray(p.devices)) return null;
  }
  return v as ServerMessage;
}

/** What to do after a close with `code`: come back (with the caller's words), or stop for the server's reason. */
function afterClose(code: number | undefined, words: string): { retry: boolean; why: string } {
  // A close event without a code (a fake, an old browser) is a lost connection like 1006.
  if (typeof code !== 'number' || shouldReconnect(code)) return { retry: true, why: words };
  return { retry: false, why: closeReason(code) ?? `closed by the server (${code})` };
}

export interface SocketHandlers {
  /** A socket is about to be opened (the first one, or again after a wait). */
  connecting?(): void;
  /** It opened: say what to follow. */
  opened(): void;
  /** A frame arrived: its `data`, to read with `readFrames` or `parseFrame`. */
  message(data: unknown): void;
  /** It is gone. `retry` false: the server closed it for good and it is not reopened; `why` says so in words. */
  closed(why: string, retry: boolean): void;
}

/**
 * A socket to `/ws` that comes back after a lost connection, with full-jitter exponential backoff, until the
 * server closes it with a final code. The caller subscribes on `opened` and calls `resetBackoff` once it is live.
 */
export class LiveSocket {
  /** Sockets opened so far. */
  connects = 0;

  private ws: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;

  constructor(
    private readonly open: () => SocketLike,
    private readonly on: SocketHandlers,
    private readonly timers: Timers = pageTimers,
  ) {}

  /** True from opening a socket until it closes (it may not be open yet). */
  get hasSocket(): boolean {
    return this.ws !== null;
  }

  /** Opens a socket now, dropping the current one. */
  connect(): void {
    this.cancelRetry();
    this.drop();
    this.on.connecting?.();
    let ws: SocketLike;
    try {
      ws = this.open();
    } catch (e) {
      this.gone(String(e), true);
      return;
    }
    this.ws = ws;
    this.connects++;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.on.opened();
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.on.message(ev.data);
    };
    // A close event follows an error; nothing to do here.
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const after = afterClose(ev.code, opened ? 'connection lost' : 'cannot connect');
      this.gone(after.why, after.retry);
    };
  }

  /** Sends `m` if a socket is there; false when it could not (the close event follows). */
  send(m: ClientMessage): boolean {
    if (!this.ws) return false;
    try {
      this.ws.send(JSON.stringify(m));
      return true;
    } catch {
      return false;
    }
  }

  /** The wait before the next try, longer after each failure since the last `resetBackoff`. */
  nextDelay(): number {
    return backoffDelay(this.attempt++, this.timers.random);
  }

  /** The connection works again: the next failure waits the shortest time. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  /** Drops the socket the client gave up on (a gap, silence) and tries again after a wait. */
  reconnect(why: string): void {
    // One retry at a time: a retry already waiting is replaced, not doubled.
    this.cancelRetry();
    this.drop();
    this.gone(why, true);
  }

  /** Closes the socket and cancels any retry; nothing is reported after this. */
  stop(): void {
    this.cancelRetry();
    this.drop();
  }

  private gone(why: string, retry: boolean): void {
    if (retry) {
      const delay = this.nextDelay();
      this.retryTimer = this.timers.setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay);
    }
    this.on.closed(why, retry);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(1000, 'bye');
    } catch {
      // Already closed.
    }
  }
}
