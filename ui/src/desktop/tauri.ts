// The bridge to the Rust side of the desktop app (`window.__TAURI__`, injected with `app.withGlobalTauri`).
// Typed locally rather than by augmenting `Window`, so other modules may declare their own view of it.

import { el } from './dom';

export interface CommandError {
  code: string;
  message: string;
}

export interface TauriEvent<T> {
  payload: T;
}

export interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
  event: { listen<T>(event: string, handler: (e: TauriEvent<T>) => void): Promise<() => void> };
}

/** The injected Tauri API, or null in a plain browser. */
export function tauri(): TauriGlobal | null {
  const t = (window as unknown as { __TAURI__?: TauriGlobal }).__TAURI__;
  return t && typeof t.core?.invoke === 'function' ? t : null;
}

/** The `{ code, message }` of a rejected command; anything else becomes `{ code: 'internal' }`. */
export function commandError(e: unknown): CommandError {
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const o = e as { code?: unknown; message?: unknown };
    return { code: typeof o.code === 'string' ? o.code : 'internal', message: String(o.message) };
  }
  return { code: 'internal', message: String(e) };
}

/** A message for a page opened outside the desktop app. */
export function notInDesktop(root: HTMLElement, what: string): void {
  const box = el('div', 'home');
  box.append(el('h1', '', 'livewall'), el('p', '', `The ${what} runs in the livewall desktop app (\`livewall ${what}\`). Walls are at /wall/<event>.`));
  root.appendChild(box);
}
