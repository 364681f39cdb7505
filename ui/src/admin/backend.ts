import type { BadgeLink } from '../bindings/BadgeLink';
// Where the admin screens talk to: the server's origin and, in the desktop app, the NFC reader.
//
// In a browser the server is this page's origin and there is no reader (a USB keyboard-wedge reader types the UID
// into a text field). In the Tauri admin window, `window.__TAURI__.core.invoke` reaches the app: the app sets the
// server URL from its settings with `setServerOrigin` before the admin screens mount, the reader commands are
// `admin_wait_badge` and `admin_write_badge`, walls open in a window of the app (`admin_open_wall`), since
// links to a new tab go nowhere there, and `desktop_config` says whether the app runs the event's server itself.

export interface TappedBadge {
  uid: string;
  uri: string | null;
  tagType: string | null;
}

export interface BadgeReader {
  /** Waits for a badge on the reader; its UID and the link it holds. */
  waitBadge(timeoutMs: number): Promise<TappedBadge>;
  /**
   * Writes `url` as an NDEF URI record onto the badge `expectUid` (refused with `wrong_badge` when another badge
   * is on the reader). A badge holding another link is refused with `badge_in_use` unless `replace`.
   */
  writeBadge(url: string, timeoutMs: number, expectUid: string, replace: boolean): Promise<{ uid: string }>;
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

export { liveSocketUrl } from '../api/socket';

/** The server's origin: set by the app, else this page's. */
export function serverOrigin(): string {
  return origin ?? location.origin;
}


/** What a badge's NFC link points at: the person's phone page, with the badge key the server made for it. */
export function badgeUrl(link: BadgeLink, base?: string): string {
  return link.url ?? `${normaliseOrigin(base ?? serverOrigin())}${link.path}`;
}

/** The `{ code, message }` a rejected app command carries, or null when it carries none. */
function commandFailure(e: unknown): { code: string; message: string } | null {
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    if (typeof o.message === 'string') return { code: typeof o.code === 'string' ? o.code : 'reader', message: o.message };
  }
  if (typeof e === 'string' && e) return { code: 'reader', message: e };
  return null;
}

function readerErrorOf(e: unknown): ReaderError {
  const f = commandFailure(e);
  return new ReaderError(f?.code ?? 'reader', f?.message ?? 'The badge reader did not answer.');
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function appInvoke(w: Pick<Window, '__TAURI__'>): TauriGlobal['core']['invoke'] | null {
  const tauri = w.__TAURI__;
  return tauri && typeof tauri.core?.invoke === 'function' ? tauri.core.invoke.bind(tauri.core) : null;
}

/**
 * The desktop app's `desktop_config` answer (untyped: read it with `embeddedNotice`), or null in a plain browser.
 * A refusal (an app that does not grant the command to this page) answers null too. The app's first answer of its
 * life carries the generated admin password and later ones do not: call this once per page load and keep the
 * answer in memory.
 */
export function desktopConfig(w: Pick<Window, '__TAURI__'> = window): Promise<unknown> | null {
  const invoke = appInvoke(w);
  if (!invoke) return null;
  return invoke('desktop_config').catch(() => null);
}

/** In the desktop app, opens an event's wall in a window of its own; null in a plain browser (a link does it). */
export function wallOpener(w: Pick<Window, '__TAURI__'> = window): ((eventId: string) => Promise<void>) | null {
  const invoke = appInvoke(w);
  if (!invoke) return null;
  return async (eventId) => {
    try {
      await invoke('admin_open_wall', { event: eventId });
    } catch (e) {
      throw new Error(commandFailure(e)?.message ?? 'The app could not open the wall window.');
    }
  };
}

/** The reader of the desktop app, or null in a plain browser. */
export function badgeReader(w: Pick<Window, '__TAURI__'> = window): BadgeReader | null {
  const invoke = appInvoke(w);
  if (!invoke) return null;
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
    async writeBadge(url, timeoutMs, expectUid, replace) {
      let out: unknown;
      try {
        out = await invoke('admin_write_badge', { url, timeoutMs, expectUid, replace });
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
