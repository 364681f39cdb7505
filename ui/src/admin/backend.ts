import type { BadgeLink } from '../bindings/BadgeLink';
// Where the admin screens talk to: the server's origin and, in the desktop app, the NFC reader.
//
// In a browser the server is this page's origin and there is no reader (a USB keyboard-wedge reader types the UID
// into a text field). In the Tauri admin window, `window.__TAURI__.core.invoke` reaches the app: the app sets the
// server URL from its settings with `setServerOrigin` before the admin screens mount, and the reader commands are
// `admin_wait_badge` and `admin_write_badge`.

export interface TappedBadge {
  uid: string;
  uri: string | null;
  tagType: string | null;
}

export interface BadgeReader {
  /** Waits for a badge on the reader; its UID. */
  waitBadge(timeoutMs: number): Promise<TappedBadge>;
  /** Writes `url` as an NDEF URI record onto the next blank badge; its UID. */
  writeBadge(url: string, timeoutMs: number): Promise<{ uid: string }>;
}

/** An error from the reader, in the app's `{ code, message }` shape. */
export class ReaderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReaderError';
  }
}

interface TauriGlobal {
  core: { invoke(cmd: string, args?: Record<string, unknown>): Promise<unknown> };
}

declare global {
  interface Window {
    __TAURI__?: TauriGlobal;
  }
}

let origin: string | null = null;

/** The app calls this with the server URL from its settings (`https://wall.example.org`, no trailing path). */
export function setServerOrigin(url: string): void {
  origin = normaliseOrigin(url);
}

export function normaliseOrigin(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** The server's origin: set by the app, else this page's. */
export function serverOrigin(): string {
  return origin ?? location.origin;
}

/** The WebSocket URL of the server's live feed, with the admin token. */
export function liveSocketUrl(token: string, base: string = serverOrigin()): string {
  const u = new URL('/ws', base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.toString();
}

/** What a badge's NFC link points at: the person's phone page, with the badge key the server made for it. */
export function badgeUrl(link: BadgeLink, base?: string): string {
  return link.url ?? `${normaliseOrigin(base ?? serverOrigin())}${link.path}`;
}

function readerErrorOf(e: unknown): ReaderError {
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    if (typeof o.message === 'string') return new ReaderError(typeof o.code === 'string' ? o.code : 'reader', o.message);
  }
  if (typeof e === 'string' && e) return new ReaderError('reader', e);
  return new ReaderError('reader', 'The badge reader did not answer.');
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** The reader of the desktop app, or null in a plain browser. */
export function badgeReader(w: Pick<Window, '__TAURI__'> = window): BadgeReader | null {
  const tauri = w.__TAURI__;
  if (!tauri || typeof tauri.core?.invoke !== 'function') return null;
  const invoke = tauri.core.invoke.bind(tauri.core);
  return {
    async waitBadge(timeoutMs) {
      let out: unknown;
      try {
        out = await invoke('admin_wait_badge', { timeoutMs });
      } catch (e) {
        throw readerErrorOf(e);
      }
      const o = (typeof out === 'object' && out !== null ? out : {}) as Record<string, unknown>;
      const uid = str(o.uid);
      if (!uid) throw new ReaderError('reader', 'The reader answered without a badge UID.');
      return { uid, uri: str(o.uri), tagType: str(o.tagType) };
    },
    async writeBadge(url, timeoutMs) {
      let out: unknown;
      try {
        out = await invoke('admin_write_badge', { url, timeoutMs });
      } catch (e) {
        throw readerErrorOf(e);
      }
      const o = (typeof out === 'object' && out !== null ? out : {}) as Record<string, unknown>;
      const got = str(o.uid);
      if (!got) throw new ReaderError('reader', 'The reader wrote the badge but did not say its UID.');
      return { uid: got };
    },
  };
}
