// Devices: mint kiosk and station tokens, show a device's setup link as QR code and copyable text (and the bare
// token), see who is online, revoke.

import type { Device } from '../bindings/Device';
import type { DeviceRole } from '../bindings/DeviceRole';
import type { DeviceToken } from '../bindings/DeviceToken';
import type { Presence } from '../bindings/Presence';
import { qrCanvas } from '../qr';
import { serverOrigin } from './backend';
import { StatusLine, attempt, clear, confirmButton, copyBox, field, h, setFieldError } from './dom';
import { ago, deviceStatus, sortDevices } from './model';
import type { EventCtx } from './context';

const STATUS_WORDS = { online: 'Online', offline: 'Offline', revoked: 'Revoked' } as const;

export function renderDevices(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let devices: Device[] = [];
  let presence: Presence | null = null;
  let alive = true;
  const tokens = new Map<string, DeviceToken>();
  const open = new Set<string>();

  const name = h('input', { id: 'device-name', placeholder: 'Hall A wall, Booth 3 station…', autocomplete: 'off', maxlength: 100 });
  const role = h(
    'select',
    { id: 'device-role' },
    h('option', { value: 'station' }, 'Station (records taps)'),
    h('option', { value: 'kiosk' }, 'Kiosk (shows the wall)'),
  );
  const fName = field('Name', name);
  const mint = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Mint token');
  const mintStatus = new StatusLine();
  const listStatus = new StatusLine();
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const list = h('ul', { class: 'device-list' });

  function draw(): void {
    const online = devices.filter((d) => deviceStatus(d, presence) === 'online').length;
    const active = devices.filter((d) => d.revokedAt === null).length;
    summary.textContent =
      devices.length === 0
        ? 'No devices yet. Mint a token for each station and kiosk.'
        : `${online} of ${active} active device${active === 1 ? '' : 's'} online` +
          (presence ? ` · walls watching: ${presence.walls} · stations connected: ${presence.stations}` : '');
    clear(list, sortDevices(devices, presence).map(item));
  }

  function item(d: Device): HTMLLIElement {
    const st = deviceStatus(d, presence);
    const toggle = h('button', { class: 'btn btn-small', type: 'button', 'aria-expanded': open.has(d.id) ? 'true' : 'false' }, open.has(d.id) ? 'Hide setup link' : 'Show setup link');
    const revoke = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button' }, 'Revoke');
    const li = h(
      'li',
      { class: `device device-${st}`, 'data-device': d.id },
      h(
        'div',
        { class: 'device-head' },
        h('span', { class: `dot dot-${st}`, 'aria-hidden': 'true' }),
        h('div', { class: 'grow' }, h('strong', { class: 'device-name' }, d.name), h('div', { class: 'muted small' }, `${d.role === 'station' ? 'Station' : 'Kiosk'} · minted ${ago(d.createdAt)}`)),
        h('span', { class: `pill pill-${st}`, 'data-status': st }, STATUS_WORDS[st]),
        st === 'revoked' ? null : toggle,
        st === 'revoked' ? null : revoke,
      ),
    );
    if (open.has(d.id) && st !== 'revoked') li.append(tokenBox(d));
    toggle.addEventListener('click', () => {
      if (open.has(d.id)) {
        open.delete(d.id);
        draw();
        return;
      }
      void attempt(toggle, listStatus, async () => {
        if (!tokens.has(d.id)) tokens.set(d.id, await api.deviceToken(event.id, d.id));
        open.add(d.id);
        draw();
      });
    });
    const revoking = {
      title: `Revoke “${d.name}”?`,
      body: 'Its token stops working at once and the device is disconnected. To use the device again, mint a new token.',
      confirm: 'Revoke',
    };
    confirmButton(revoke, listStatus, revoking, async () => {
      const updated = await api.revokeDevice(event.id, d.id);
      devices = devices.map((x) => (x.id === d.id ? updated : x));
      open.delete(d.id);
      tokens.delete(d.id);
      listStatus.ok(`“${d.name}” was revoked and disconnected.`);
      draw();
    });
    return li;
  }

  function tokenBox(d: Device): HTMLElement {
    const minted = tokens.get(d.id);
    const token = minted?.token ?? '';
    const setupLink = minted?.setupLink ?? '';
    const qr = qrCanvas(setupLink, 240);
    qr.setAttribute('aria-label', `QR code of the setup link of ${d.name}`);
    const extra: HTMLElement[] = [];
    if (d.role === 'kiosk') {
      const link = `${serverOrigin()}/wall/${encodeURIComponent(event.id)}?token=${encodeURIComponent(token)}`;
      extra.push(h('p', { class: 'small' }, 'Wall link for this kiosk: ', h('a', { href: link, target: '_blank', rel: 'noopener', class: 'mono break' }, link)));
    }
    return h(
      'div',
      { class: 'token-box' },
      qr,
      h(
        'div',
        { class: 'grow' },
        h('p', { class: 'small' }, 'Setup link: scan it with the device’s camera or paste it into the livewall app’s settings. It fills in the server, the event, the role and the token.'),
        copyBox(setupLink, 'Setup link', `Setup link of ${d.name}`, 'setup-link', 3),
        h('p', { class: 'small muted' }, 'The token on its own, for tools that ask only for it:'),
        copyBox(token, 'Token', `Token of ${d.name}`, 'token-text', 2),
        extra,
      ),
    );
  }

  const form = h(
    'form',
    { class: 'mint-form', novalidate: true },
    fName.wrap,
    h('div', { class: 'field' }, h('label', { for: 'device-role' }, 'Role'), role),
    h('div', { class: 'field' }, h('span', { class: 'label-spacer', 'aria-hidden': 'true' }, ' '), mint),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    setFieldError(name, fName.error, n ? undefined : 'Name the device so you recognise it (for example “Booth 3”).');
    if (!n) {
      name.focus();
      return;
    }
    mintStatus.loading('Minting…');
    void attempt(mint, mintStatus, async () => {
      const r = await api.createDevice(event.id, { name: n, role: role.value as DeviceRole });
      tokens.set(r.device.id, r);
      open.add(r.device.id);
      devices = [r.device, ...devices.filter((d) => d.id !== r.device.id)];
      mintStatus.ok(`Token minted for “${r.device.name}”.`);
      name.value = '';
      draw();
    });
  });

  async function load(): Promise<void> {
    listStatus.loading('Loading devices…');
    try {
      const [d, p] = await Promise.all([api.devices(event.id), api.presence(event.id)]);
      if (!alive) return;
      devices = d;
      presence = presence ?? p;
      listStatus.hide();
      draw();
    } catch (e) {
      if (alive) listStatus.error(e);
    }
  }

  const off = ctx.live.on((m) => {
    if (m.type === 'presence') {
      presence = { eventId: m.eventId, walls: m.walls, stations: m.stations, devices: m.devices };
      draw();
    }
  });

  root.append(
    h('section', { class: 'card', 'aria-labelledby': 'mint-h' }, h('h2', { id: 'mint-h' }, 'New device token'), form, mintStatus.el),
    h('section', { class: 'card', 'aria-labelledby': 'devices-h' }, h('h2', { id: 'devices-h' }, 'Devices'), summary, listStatus.el, list),
  );
  void load();
  return () => {
    alive = false;
    off();
  };
}
