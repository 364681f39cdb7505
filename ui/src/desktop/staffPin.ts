// The staff-only key chords of the kiosk and station windows (Ctrl+Alt+Shift+<letter>) and the small dialog they
// open to ask for the staff PIN. Rust checks the PIN (and slows down guessing); this only asks for it and shows
// why it was refused.

import type { DesktopConfig } from '../bindings/DesktopConfig';
import { el } from './dom';
import { commandError, type TauriGlobal } from './tauri';
import { t } from '../i18n';

type Keys = Pick<KeyboardEvent, 'ctrlKey' | 'altKey' | 'shiftKey' | 'key'>;

/** True for Ctrl+Alt+Shift+`letter` (lowercase). */
export function isStaffChord(e: Keys, letter: string): boolean {
  return e.ctrlKey && e.altKey && e.shiftKey && e.key.toLowerCase() === letter;
}

export interface StaffChord {
  /** The letter pressed with Ctrl+Alt+Shift (lowercase). */
  letter: string;
  /** The dialog's question, e.g. "Leave the kiosk?" (read when the dialog opens, so a getter may translate it). */
  readonly title: string;
  /** The label of the button that does it. */
  readonly confirm: string;
  /** Ask even when no PIN is set: for actions worse to trigger by accident than to confirm. */
  askWithoutPin: boolean;
  /** Does it with the PIN typed (null when the device has none); rejects with the command's `{code, message}`. */
  run(pin: string | null): Promise<unknown>;
}

/** Listens for `chords` on this window; each opens its dialog, or runs at once when no PIN is set. */
export function listenStaffChords(root: HTMLElement, t: TauriGlobal, chords: StaffChord[]): void {
  // Until the configuration answers, assume a PIN: asking once too often is better than never asking.
  let needsPin = true;
  t.core
    .invoke<DesktopConfig>('desktop_config')
    .then((c) => (needsPin = c.hasExitPin))
    .catch(() => undefined);
  window.addEventListener(
    'keydown',
    (e) => {
      const chord = chords.find((c) => isStaffChord(e, c.letter));
      if (!chord) return;
      e.preventDefault();
      if (needsPin || chord.askWithoutPin) staffDialog(root, chord, needsPin);
      else chord.run(null).catch((err: unknown) => staffDialog(root, chord, false, commandError(err).message));
    },
    { capture: true },
  );
}

/** The dialog: the PIN field (when one is needed), why the last try failed, Cancel and the action's button. */
function staffDialog(root: HTMLElement, chord: StaffChord, needsPin: boolean, problem = ''): void {
  if (root.querySelector('.staff-dialog')) return;
  const box = el('form', 'staff-dialog');
  const input = el('input');
  input.type = 'password';
  input.inputMode = 'numeric';
  input.placeholder = t('common.staff.pin');
  input.autocomplete = 'off';
  input.hidden = !needsPin;
  const msg = el('p', 'staff-message', problem);
  const row = el('div', 'staff-buttons');
  const cancel = el('button', '', t('common.cancel'));
  cancel.type = 'button';
  const ok = el('button', '', chord.confirm);
  ok.type = 'submit';
  row.append(cancel, ok);
  box.append(el('h2', '', chord.title), input, msg, row);
  root.appendChild(box);
  // Left open by someone who walked away, it must not stay on the wall or the station.
  const timer = window.setTimeout(() => close(), 30_000);
  const close = (): void => {
    window.clearTimeout(timer);
    box.remove();
  };
  cancel.onclick = close;
  box.onkeydown = (e) => {
    if (e.key === 'Escape') close();
  };
  box.onsubmit = (e) => {
    e.preventDefault();
    ok.disabled = true;
    chord
      .run(needsPin ? input.value : null)
      .then(close, (err: unknown) => {
        msg.textContent = commandError(err).message;
        input.value = '';
        (needsPin ? input : ok).focus();
      })
      .finally(() => (ok.disabled = false));
  };
  (needsPin ? input : ok).focus();
}
