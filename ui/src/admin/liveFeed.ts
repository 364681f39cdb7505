// The organiser's live feed of one event: presence, connections, removals, people and announcements as they happen.
// Reconnects with backoff (see `LiveSocket`) until the server closes it for good; the screens refetch what they
// show when a frame says it changed.

import { LiveSocket, parseFrame, type SocketLike } from '../api/socket';
import type { ServerMessage } from '../bindings/ServerMessage';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export class AdminLive {
  status: LiveStatus = 'connecting';
  /** Why the feed is offline for good (the server's close reason, "token revoked or login ended"); null while it retries. */
  reason: string | null = null;

  private readonly socket: LiveSocket;
  private readonly listeners = new Set<(m: ServerMessage) => void>();
  private readonly statusListeners = new Set<(s: LiveStatus) => void>();

  constructor(eventId: string, open: () => SocketLike) {
    this.socket = new LiveSocket(open, {
      connecting: () => this.setStatus('connecting', null),
      opened: () => this.socket.send({ action: 'subscribe', eventId }),
      message: (data) => {
        const m = parseFrame(data);
        if (!m) return;
        if (m.type === 'subscribed') {
          this.socket.resetBackoff();
          this.setStatus('live', null);
        }
        for (const fn of this.listeners) fn(m);
      },
      closed: (why, retry) => this.setStatus('offline', retry ? null : why),
    });
    this.socket.connect();
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

  private setStatus(s: LiveStatus, reason: string | null): void {
    if (s === this.status && reason === this.reason) return;
    this.status = s;
    this.reason = reason;
    for (const fn of this.statusListeners) fn(s);
  }

  stop(): void {
    this.socket.stop();
    this.listeners.clear();
    this.statusListeners.clear();
  }
}
