// The kiosk window of the desktop app: the wall, fed by the Rust side (cache first, then live), with the kiosk's
// locks: no context menu, no zoom, no text selection, and staff-only chords (then the PIN): Ctrl+Alt+Shift+Q leaves
// the kiosk, Ctrl+Alt+Shift+S opens the settings. When the server cannot be reached, the screen says why. The
// wall picks the language (the event's, else the system's); the kiosk's own words follow it.

import '../desktop/desktop.css';
import { mountWall } from '../wall/view';
import { DesktopWallSource } from '../desktop/wallSource';
import { el } from '../desktop/dom';
import { listenStaffChords } from '../desktop/staffPin';
import { notInDesktop, tauri } from '../desktop/tauri';
import type { KioskStart } from '../bindings/KioskStart';
import { onLanguage, t } from '../i18n';

/** What the desktop end-to-end tests and the start-up benchmark read (`window.__livewallKiosk`). */
export interface KioskTestHook {
  fromCache(): boolean;
  /** `Date.now()` when the first frame with people on it was drawn, or null. */
  firstWallFrameAt(): number | null;
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

/** The standing notice of why the wall cannot follow its event, over the (cached) wall. */
function troubleBox(): { el: HTMLElement; show(line: string | null): void } {
  const box = el('div', 'kiosk-problem');
  box.setAttribute('role', 'status');
  box.hidden = true;
  const what = el('p', 'kiosk-problem-what');
  const staff = el('p', 'kiosk-problem-staff');
  box.append(what, staff);
  return {
    el: box,
    show(line) {
      box.hidden = line === null;
      what.textContent = line ?? '';
      staff.textContent = t('kiosk.staff_hint');
    },
  };
}

export function mountKiosk(root: HTMLElement): void {
  const tauriApi = tauri();
  if (!tauriApi) {
    notInDesktop(root, 'kiosk');
    return;
  }
  lockDown();
  let source: DesktopWallSource | null = null;
  let firstFrameAt: number | null = null;
  const trouble = troubleBox();
  const bridge = {
    start: () => tauriApi.core.invoke<KioskStart>('kiosk_start'),
    listen: (event: string, fn: (p: unknown) => void) => tauriApi.event.listen<unknown>(event, (e) => fn(e.payload)),
  };
  mountWall(root, {
    eventId: '',
    token: null,
    feed: (state) => {
      const src = new DesktopWallSource(state, bridge);
      src.onStatus(() => trouble.show(src.trouble));
      source = src;
      const watch = (): void => {
        if (state.nodes.size > 0) {
          // The frame after the state has people is the first one drawing them.
          requestAnimationFrame(() => (firstFrameAt = Date.now()));
          return;
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
      return src;
    },
  });
  root.appendChild(trouble.el);
  trouble.show(null);
  onLanguage(() => trouble.show(source?.trouble ?? null));
  (window as unknown as { __livewallKiosk?: KioskTestHook }).__livewallKiosk = Object.freeze({
    fromCache: () => source?.fromCache ?? false,
    firstWallFrameAt: () => firstFrameAt,
  });
  listenStaffChords(root, tauriApi, [
    {
      letter: 'q',
      // Read when the dialog opens: in the language of that moment.
      get title() {
        return t('kiosk.exit.title');
      },
      get confirm() {
        return t('kiosk.exit.confirm');
      },
      // Leaving by accident takes the wall off the screen: always confirm.
      askWithoutPin: true,
      run: (pin) => tauriApi.core.invoke('kiosk_exit', { pin }),
    },
    {
      letter: 's',
      get title() {
        return t('common.settings.title');
      },
      get confirm() {
        return t('common.settings.confirm');
      },
      askWithoutPin: false,
      run: (pin) => tauriApi.core.invoke('settings_open', { pin }),
    },
  ]);
}
