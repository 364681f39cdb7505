// The desktop app's first-run settings screen: what this device is, which server and event, its device token
// (pasted, or read from the QR code image the admin screens show), and the kiosk's exit PIN.

import './desktop.css';
import { commandError, notInDesktop, tauri, type DesktopConfig } from './tauri';

interface QrSettings {
  token: string;
  server: string | null;
  event: string | null;
}

function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLLabelElement {
  const l = document.createElement('label');
  l.className = 'set-field';
  const span = document.createElement('span');
  span.textContent = label;
  l.append(span, input);
  if (hint) {
    const h = document.createElement('small');
    h.textContent = hint;
    l.append(h);
  }
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
  const problem = document.createElement('p');
  problem.className = 'set-problem';

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
  const server = input('server', 'url', 'http://192.168.1.20:8080');
  const event = input('event', 'text', 'summit-2025');
  const token = input('token', 'password', 'paste the device token');
  const pin = input('exitPin', 'password', 'optional');
  const qr = document.createElement('input');
  qr.type = 'file';
  qr.accept = 'image/png,image/jpeg';
  qr.name = 'qr';
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Start';
  const msg = document.createElement('p');
  msg.className = 'set-message';

  form.append(
    h,
    problem,
    field('This device is', role),
    field('Server address', server),
    field('Event', event, 'The event id, as in the admin screens.'),
    field('Device token', token, 'Kiosks and stations need the token minted for them in the admin screens.'),
    field('…or read the token from its QR code image', qr),
    field('Kiosk exit PIN', pin, 'Staff leave the kiosk with Ctrl+Alt+Shift+Q and this PIN.'),
    save,
    msg,
  );
  root.appendChild(form);

  void t.core.invoke<DesktopConfig>('desktop_config').then((c) => {
    if (c.role) role.value = c.role;
    server.value = c.server ?? '';
    event.value = c.event ?? '';
    if (c.hasToken) token.placeholder = 'a token is saved (leave empty to keep it)';
    problem.textContent = c.problem ?? '';
  });

  qr.onchange = async () => {
    const file = qr.files?.[0];
    if (!file) return;
    try {
      const bytes = Array.from(new Uint8Array(await file.arrayBuffer()));
      const got = await t.core.invoke<QrSettings>('settings_decode_qr', { image: bytes });
      token.value = got.token;
      if (got.server) server.value = got.server;
      if (got.event) event.value = got.event;
      msg.textContent = 'Token read from the QR code.';
    } catch (e) {
      msg.textContent = commandError(e).message;
    }
  };

  form.onsubmit = async (e) => {
    e.preventDefault();
    const opt = (v: string): string | null => (v.trim().length > 0 ? v.trim() : null);
    save.disabled = true;
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
      msg.textContent = commandError(err).message;
      save.disabled = false;
    }
  };
}
