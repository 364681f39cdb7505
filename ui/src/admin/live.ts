// The organiser's live feed of one event: presence, connections, removals, people and announcements as they happen.
// Reconnects with backoff; the screens refetch what they show when a frame says it changed.

import { backoffDelay } from '../api/backoff';
import type { ServerMessage } from '../bindings/ServerMessage';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface SocketLike {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(): void;
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

/** A frame from the socket, or null when it is not one the admin screens understand. */
export function parseFrame(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const t = (v as { type?: unknown }).type;
  if (typeof t !== 'string' || !FRAME_TYPES.has(t)) return null;
  if (t === 'presence') {
    const p = v as Record<string, unknown>;
    if (typeof p.walls !== 'number' || typeof p.stations !== 'number' || !Array.isArray(p.devices)) return null;
  }
  return v as ServerMessage;
}

export class AdminLive {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly listeners = new Set<(m: ServerMessage) => void>();
  private readonly statusListeners = new Set<(s: LiveStatus) => void>();
  status: LiveStatus = 'connecting';

  constructor(
    private readonly eventId: string,
    private readonly open: () => SocketLike,
  ) {
    this.connect();
  }

  on(fn: (m: ServerMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.status);
    return () => this.statusListeners.delete(fn);
  }

  private setStatus(s: LiveStatus): void {
    if (s === this.status) return;
    this.status = s;
    for (const fn of this.statusListeners) fn(s);
  }

  private connect(): void {
    if (this.stopped) return;
    let ws: SocketLike;
    try {
      ws = this.open();
    } catch {
      this.retry();
      return;
    }
    this.socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ action: 'subscribe', eventId: this.eventId }));
    ws.onmessage = (ev) => {
      const m = parseFrame(ev.data);
      if (!m) return;
      if (m.type === 'subscribed') {
        this.attempt = 0;
        this.setStatus('live');
      }
      for (const fn of this.listeners) fn(m);
    };
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.setStatus('offline');
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.setStatus('connecting');
      this.connect();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    const ws = this.socket;
    this.socket = null;
    ws?.close();
    this.listeners.clear();
    this.statusListeners.clear();
  }
}
