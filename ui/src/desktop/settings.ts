// The desktop app's settings screen: what this device is, which server and event, its device token, and the staff
// PIN. A setup link (pasted) or its QR code (an image file, or held up to the camera) fills every field at once.
// When this laptop runs the event's server, the screen says where other devices join, and offers another port when
// the usual one is taken.

import './desktop.css';
import type { DesktopConfig } from '../bindings/DesktopConfig';
import type { DeviceSetup } from '../bindings/DeviceSetup';
import type { EmbeddedServer } from '../bindings/EmbeddedServer';
import { qrCanvas } from '../qr';
import { QrScanner, cameraAvailable } from './camera';
import { fillFrom, looksLikeLink } from './setup';
import { el } from './dom';
import { commandError, notInDesktop, tauri } from './tauri';

function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLLabelElement {
  const l = el('label', 'set-field');
  l.append(el('span', '', label), input);
  if (hint) l.append(el('small', '', hint));
  return l;
}

function input(name: string, type = 'text', placeholder = ''): HTMLInputElement {
  const i = document.createElement('input');
  i.name = name;
  i.type = type;
  i.placeholder = placeholder;
  i.autocomplete = 'off';
  i.spellcheck = false;
  return i;
}

function button(text: string, cls = ''): HTMLButtonElement {
  const b = el('button', cls, text);
  b.type = 'button';
  return b;
}

/** The box of a laptop that runs the event's server: where others join, and the first admin login once. */
function embeddedBox(e: EmbeddedServer, login: string | null): HTMLElement {
  const box = document.createElement('section');
  box.className = 'set-embedded';
  const qr = qrCanvas(e.publicUrl, 200);
  qr.setAttribute('aria-label', `QR code of ${e.publicUrl}`);
  const text = document.createElement('div');
  text.append(
    el('p', 'set-embedded-title', 'This laptop is the event’s server.'),
    el('p', '', `Other devices and phones join at ${e.publicUrl}`),
  );
  if (login !== null) text.append(el('p', 'set-admin-login', `${login} — note it now, it is shown once.`));
  box.append(qr, text);
  return box;
}

export function mountSettings(root: HTMLElement): void {
  const t = tauri();
  if (!t) {
    notInDesktop(root, 'settings');
    return;
  }
  const form = document.createElement('form');
  form.className = 'settings';
  const h = document.createElement('h1');
  h.textContent = 'Set up this device';
  const problem = el('p', 'set-problem', '');
  const offer = button('', 'set-secondary');
  offer.hidden = true;
  const embedded = document.createElement('div');

  const role = document.createElement('select');
  role.name = 'role';
  for (const [v, text] of [
    ['kiosk', 'Kiosk: the wall on a big screen'],
    ['station', 'Station: badge reader where people connect'],
    ['admin', 'Admin: the organiser’s screens'],
  ] as const) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    role.append(o);
  }
  const link = input('setupLink', 'text', 'http://192.168.1.20:8080/setup#role=station&event=…&token=…');
  const server = input('server', 'url', 'http://192.168.1.20:8080');
  const event = input('event', 'text', 'summit-2025');
  const token = input('token', 'password', 'paste the device token');
  const pin = input('exitPin', 'password', 'optional');
  const qr = document.createElement('input');
  qr.type = 'file';
  qr.accept = 'image/png,image/jpeg';
  qr.name = 'qr';
  const scan = button('Scan the QR code with the camera', 'set-secondary');
  scan.hidden = true;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  const stopScan = button('Stop the camera', 'set-secondary');
  const camera = document.createElement('div');
  camera.className = 'set-camera';
  camera.hidden = true;
  camera.append(video, stopScan);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Start';
  const msg = el('p', 'set-message', '');
  const fields = { role, server, event, token };

  form.append(
    h,
    problem,
    offer,
    embedded,
    field('Paste a setup link', link, 'The setup link from the admin screens (Devices) fills in everything below.'),
    field('…or choose the QR code image', qr),
    scan,
    camera,
    field('This device is', role),
    field('Server address', server),
    field('Event', event, 'The event id, as in the admin screens.'),
    field('Device token', token, 'Kiosks and stations need the token minted for them in the admin screens.'),
    field('Staff PIN', pin, 'Asked when staff leave the kiosk (Ctrl+Alt+Shift+Q) or open these settings (Ctrl+Alt+Shift+S).'),
    save,
    msg,
  );
  root.appendChild(form);

  const say = (text: string, ok: boolean): void => {
    msg.textContent = text;
    msg.classList.toggle('set-ok', ok);
  };

  // The generated admin password is answered once: keep it on screen for as long as this window is open.
  let login: string | null = null;
  let offerPort: number | null = null;
  const showState = (c: DesktopConfig): void => {
    problem.textContent = c.problem ?? '';
    offerPort = c.offerPort;
    offer.hidden = offerPort === null;
    offer.textContent = offerPort === null ? '' : `Start the server on port ${offerPort} instead`;
    const pw = c.embedded?.adminPassword ?? null;
    if (pw !== null) login = c.embedded?.adminUser ? `Admin login: ${c.embedded.adminUser} / ${pw}` : `Admin password: ${pw}`;
    embedded.replaceChildren(...(c.embedded ? [embeddedBox(c.embedded, login)] : []));
  };
  const loadState = (): Promise<void> => t.core.invoke<DesktopConfig>('desktop_config').then(showState);

  void t.core.invoke<DesktopConfig>('desktop_config').then((c) => {
    if (c.role) role.value = c.role;
    server.value = c.server ?? '';
    event.value = c.event ?? '';
    if (c.hasToken) token.placeholder = 'a token is saved (leave empty to keep it)';
    showState(c);
  });

  offer.onclick = async () => {
    const port = offerPort;
    if (port === null) return;
    offer.disabled = true;
    try {
      await t.core.invoke('embedded_restart', { port });
      say(`The server is starting on port ${port}.`, true);
      await loadState();
    } catch (e) {
      say(commandError(e).message, false);
    } finally {
      offer.disabled = false;
    }
  };

  /** Asks Rust to read a setup link and fills the form from it; false (with the reason shown) when it is not one. */
  const readLink = async (text: string): Promise<boolean> => {
    try {
      fillFrom(fields, await t.core.invoke<DeviceSetup>('settings_parse_link', { text: text.trim() }));
      say('Token read from the setup link.', true);
      return true;
    } catch (e) {
      say(commandError(e).message, false);
      return false;
    }
  };
  const takeLink = async (): Promise<void> => {
    if (link.value.trim() && (await readLink(link.value))) link.value = '';
  };
  link.addEventListener('input', (e) => {
    const how = (e as InputEvent).inputType;
    if (how === 'insertFromPaste' || how === 'insertFromDrop') void takeLink();
  });
  link.addEventListener('change', () => void takeLink());
  // A setup link pasted where the token goes works too.
  token.addEventListener('change', () => {
    if (looksLikeLink(token.value)) void readLink(token.value);
  });

  qr.onchange = async () => {
    const file = qr.files?.[0];
    if (!file) return;
    try {
      const bytes = Array.from(new Uint8Array(await file.arrayBuffer()));
      fillFrom(fields, await t.core.invoke<DeviceSetup>('settings_decode_qr', { image: bytes }));
      say('Token read from the QR code.', true);
    } catch (e) {
      say(commandError(e).message, false);
    }
  };

  let scanner: QrScanner<DeviceSetup> | null = null;
  const decodeFrame = async (png: number[]): Promise<DeviceSetup | null> => {
    try {
      return await t.core.invoke<DeviceSetup>('settings_decode_qr', { image: png });
    } catch (e) {
      const err = commandError(e);
      // No code in this frame yet: keep looking. A code that is not a setup link is said, and the scan goes on.
      if (err.code !== 'no_qr_code') say(err.message, false);
      return null;
    }
  };
  void cameraAvailable().then((yes) => (scan.hidden = !yes));
  scan.onclick = async () => {
    const s = new QrScanner(video, decodeFrame);
    scanner = s;
    scan.hidden = true;
    camera.hidden = false;
    say('Hold the QR code of the setup link in front of the camera.', true);
    try {
      const got = await s.scan();
      if (got !== null) {
        fillFrom(fields, got);
        say('Token read from the QR code.', true);
      } else {
        say('', true);
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      say(`The camera could not be started (${why}). Choose the QR code image or paste the setup link instead.`, false);
    } finally {
      if (scanner === s) scanner = null;
      camera.hidden = true;
      scan.hidden = false;
    }
  };
  stopScan.onclick = () => scanner?.stop();
  window.addEventListener('pagehide', () => scanner?.stop());

  form.onsubmit = async (e) => {
    e.preventDefault();
    const opt = (v: string): string | null => (v.trim().length > 0 ? v.trim() : null);
    save.disabled = true;
    // A link still in the link field, or pasted into the token field, is read first.
    for (const text of [link.value, token.value]) {
      if (looksLikeLink(text) && !(await readLink(text))) {
        save.disabled = false;
        return;
      }
    }
    link.value = '';
    scanner?.stop();
    try {
      await t.core.invoke('settings_save', {
        settings: {
          role: role.value,
          server: opt(server.value),
          event: opt(event.value),
          token: opt(token.value),
          exitPin: opt(pin.value),
        },
      });
    } catch (err) {
      say(commandError(err).message, false);
      save.disabled = false;
    }
  };
}
