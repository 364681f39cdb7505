// The kiosk window of the desktop app: the wall, fed by the Rust side (cache first, then live), with the kiosk's
// locks: no context menu, no zoom, no text selection, and a staff-only exit (Ctrl+Alt+Shift+Q, then the PIN).

import '../desktop/desktop.css';
import { mountWall } from '../wall/view';
import { DesktopWallSource, type KioskStart } from '../desktop/wallSource';
import { commandError, notInDesktop, tauri, type DesktopConfig, type TauriGlobal } from '../desktop/tauri';

/** What the desktop end-to-end tests and the start-up benchmark read (`window.__livewallKiosk`). */
export interface KioskTestHook {
  fromCache(): boolean;
  /** `Date.now()` when the first frame with people on it was drawn, or null. */
  firstWallFrameAt(): number | null;
}

/** True for the documented exit chord. */
export function isExitChord(e: Pick<KeyboardEvent, 'ctrlKey' | 'altKey' | 'shiftKey' | 'key'>): boolean {
  return e.ctrlKey && e.altKey && e.shiftKey && e.key.toLowerCase() === 'q';
}

function lockDown(): void {
  document.documentElement.classList.add('kiosk');
  window.addEventListener('contextmenu', (e) => e.preventDefault(), { capture: true });
  // Ctrl+wheel and Ctrl+plus/minus zoom; pinch is WebKitGTK's own and is off with zoom hotkeys disabled in Rust.
  window.addEventListener('wheel', (e) => e.ctrlKey && e.preventDefault(), { passive: false, capture: true });
  window.addEventListener(
    'keydown',
    (e) => {
      if (e.ctrlKey && ['+', '-', '=', '0'].includes(e.key)) e.preventDefault();
    },
    { capture: true },
  );
  window.addEventListener('dragstart', (e) => e.preventDefault());
}

function exitDialog(root: HTMLElement, t: TauriGlobal, needsPin: boolean): void {
  if (root.querySelector('.exit-dialog')) return;
  const box = document.createElement('form');
  box.className = 'exit-dialog';
  const h = document.createElement('h2');
  h.textContent = 'Leave the kiosk?';
  const input = document.createElement('input');
  input.type = 'password';
  input.inputMode = 'numeric';
  input.placeholder = 'Admin PIN';
  input.autocomplete = 'off';
  input.hidden = !needsPin;
  const msg = document.createElement('p');
  msg.className = 'exit-message';
  const row = document.createElement('div');
  row.className = 'exit-buttons';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = 'Stay';
  const ok = document.createElement('button');
  ok.type = 'submit';
  ok.textContent = 'Exit';
  row.append(cancel, ok);
  box.append(h, input, msg, row);
  root.appendChild(box);
  const close = (): void => box.remove();
  const timer = window.setTimeout(close, 30_000);
  cancel.onclick = () => {
    window.clearTimeout(timer);
    close();
  };
  box.onsubmit = (e) => {
    e.preventDefault();
    t.core.invoke('kiosk_exit', { pin: needsPin ? input.value : null }).catch((err: unknown) => {
      msg.textContent = commandError(err).message;
      input.value = '';
      input.focus();
    });
  };
  (needsPin ? input : ok).focus();
}

export function mountKiosk(root: HTMLElement): void {
  const t = tauri();
  if (!t) {
    notInDesktop(root, 'kiosk');
    return;
  }
  lockDown();
  let source: DesktopWallSource | null = null;
  let firstFrameAt: number | null = null;
  const bridge = {
    start: () => t.core.invoke<KioskStart>('kiosk_start'),
    listen: (event: string, fn: (p: unknown) => void) => t.event.listen<unknown>(event, (e) => fn(e.payload)),
  };
  mountWall(root, {
    eventId: '',
    token: null,
    feed: (state) => {
      source = new DesktopWallSource(state, bridge);
      const watch = (): void => {
        if (state.nodes.size > 0) {
          // The frame after the state has people is the first one drawing them.
          requestAnimationFrame(() => (firstFrameAt = Date.now()));
          return;
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
      return source;
    },
  });
  (window as unknown as { __livewallKiosk?: KioskTestHook }).__livewallKiosk = Object.freeze({
    fromCache: () => source?.fromCache ?? false,
    firstWallFrameAt: () => firstFrameAt,
  });
  let needsPin = true;
  t.core
    .invoke<DesktopConfig>('desktop_config')
    .then((c) => (needsPin = c.hasExitPin))
    .catch(() => undefined);
  window.addEventListener(
    'keydown',
    (e) => {
      if (isExitChord(e)) {
        e.preventDefault();
        exitDialog(root, t, needsPin);
      }
    },
    { capture: true },
  );
}
