// The station window of the desktop app: big, friendly feedback for two people tapping their badges. The reader,
// the pairing and the outbox run in Rust (`station.rs`); this draws what it reports and plays the sounds.
// Keyboard-wedge readers (they type the UID and Enter) are caught here and handed to Rust. Staff open the settings
// with Ctrl+Alt+Shift+S (and the staff PIN, when one is set).

import '../desktop/desktop.css';
import { commandError, notInDesktop, tauri } from '../desktop/tauri';
import { el } from '../desktop/dom';
import { listenStaffChords } from '../desktop/staffPin';
import { holdBanner, initialModel, queuedNote, reduce, screenTone, tick, WedgeCollector, type StationModel } from './model';
import { discInitials } from '../wall/names';
import type { DesktopConfig } from '../bindings/DesktopConfig';
import type { Person } from '../bindings/Person';
import type { StationEvent } from '../bindings/StationEvent';
import type { StationStart } from '../bindings/StationStart';

/** Short tones: two rising notes for success, one low buzz for failure, a click for the first badge. */
class Sounds {
  private ctx: AudioContext | null = null;

  play(kind: 'success' | 'failure' | 'tick'): void {
    try {
      this.ctx ??= new AudioContext();
      const notes: [number, number, OscillatorType][] =
        kind === 'success' ? [[660, 0, 'sine'], [990, 0.12, 'sine']] : kind === 'failure' ? [[180, 0, 'square']] : [[880, 0, 'triangle']];
      const len = kind === 'failure' ? 0.35 : kind === 'tick' ? 0.06 : 0.16;
      for (const [freq, at, type] of notes) {
        const osc = this.ctx.createOscillator();
        const gain = this.ctx.createGain();
        osc.type = type;
        osc.frequency.value = freq;
        const t0 = this.ctx.currentTime + at;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + len);
        osc.connect(gain).connect(this.ctx.destination);
        osc.start(t0);
        osc.stop(t0 + len + 0.02);
      }
    } catch {
      // No audio device: the screen says it all.
    }
  }
}

function avatar(p: Person | null, server: string): HTMLElement {
  const box = el('div', 'st-avatar');
  if (p?.avatar) {
    const img = document.createElement('img');
    img.alt = '';
    img.src = p.avatar.startsWith('/') ? server + p.avatar : p.avatar;
    img.onerror = () => img.remove();
    box.appendChild(img);
  }
  // The server's initials: with initials only `name` already is the initials, so deriving them here would be wrong.
  box.appendChild(el('span', 'st-initials', discInitials(p?.initials)));
  return box;
}

function detail(p: Person): string {
  return [p.major, p.company].filter((x): x is string => typeof x === 'string' && x.length > 0).join(' · ');
}

/** The parts of a plain screen, in order: an icon, the title, the line under it and the small print (each but the
 * title only when given), so every screen is laid out alike. */
function notice(title: string, o: { icon?: string; iconClass?: string; sub?: string; small?: string | undefined }): HTMLElement[] {
  const parts: HTMLElement[] = [];
  if (o.icon !== undefined) parts.push(el('div', o.iconClass === undefined ? 'st-icon' : `st-icon ${o.iconClass}`, o.icon));
  parts.push(el('h1', 'st-title', title));
  if (o.sub !== undefined) parts.push(el('p', 'st-sub', o.sub));
  if (o.small !== undefined) parts.push(el('p', 'st-small', o.small));
  return parts;
}

function render(root: HTMLElement, m: StationModel, server: string, eventId: string, now: number): void {
  const main = el('main', `st-main st-${m.screen.kind} st-tone-${screenTone(m.screen)}`);
  main.dataset['screen'] = m.screen.kind;
  const s = m.screen;
  switch (s.kind) {
    case 'idle':
      main.append(...notice('Tap your badge to connect', { icon: '⟡', iconClass: 'st-pulse', sub: 'Then your partner taps theirs. That’s it.' }));
      break;
    case 'first': {
      main.append(avatar(s.person, server));
      main.append(el('h1', 'st-title', s.person ? `Hi ${s.person.name}!` : 'Badge read!'));
      if (s.person && detail(s.person)) main.append(el('p', 'st-detail', detail(s.person)));
      main.append(el('p', 'st-sub st-big', 'Now tap your partner’s badge'));
      const left = Math.max(0, Math.ceil((s.until - now) / 1000));
      main.append(el('p', 'st-countdown', `${left} s`));
      break;
    }
    case 'unknown':
      main.append(...notice('We don’t know this badge', { icon: '?', sub: 'Please see the help desk to register it.' }));
      break;
    case 'phone': {
      const small = s.resume?.kind === 'first' ? 'The first badge is still waiting for its partner.' : undefined;
      main.append(...notice('That’s a phone', { icon: '!', sub: 'Tap your badge, not your phone.', small }));
      break;
    }
    case 'read_failed':
      main.append(...notice('Couldn’t read that badge', { icon: '!', sub: 'Lift it off and tap again.', small: s.message }));
      break;
    case 'sending':
      main.append(...notice('Connecting…', { icon: '◌', iconClass: 'st-spin' }));
      break;
    case 'queued':
      main.append(...notice('Saved!', { icon: '✓', sub: queuedNote(m.hold) }));
      break;
    case 'done': {
      if (s.outcome === 'refused') {
        main.append(...notice('That didn’t work', { icon: '✕', sub: s.message ?? 'Please try again.' }));
        break;
      }
      const pair = el('div', 'st-pair');
      if (s.people) {
        const person = (p: Person): HTMLElement => {
          const box = el('div', 'st-person');
          box.append(avatar(p, server), el('div', 'st-name', p.name));
          return box;
        };
        pair.append(person(s.people[0]), el('div', 'st-link', '↔'), person(s.people[1]));
      }
      main.append(pair);
      main.append(el('h1', 'st-title', s.outcome === 'connected' ? 'Connected!' : 'You’re already connected'));
      main.append(el('p', 'st-sub', s.outcome === 'connected' ? 'Look for your link on the wall.' : 'Good to see you again, you two.'));
      break;
    }
    case 'cancelled':
      main.append(...notice('Cancelled', { sub: 'Same badge twice. Start again whenever you like.' }));
      break;
    case 'timed_out':
      main.append(...notice('Nobody tapped in time', { sub: 'Start again with the first badge.' }));
      break;
    case 'failure':
      main.append(...notice('Something went wrong', { icon: '!', sub: s.message }));
      break;
  }

  const status = el('footer', 'st-status');
  const reader = el('span', `st-reader st-reader-${m.reader}`);
  reader.textContent =
    m.reader === 'ready'
      ? `Reader ready`
      : m.reader === 'searching'
        ? 'Looking for the reader…'
        : m.reader === 'no_reader'
          ? 'No reader found'
          : 'Card service not running';
  status.append(reader);
  const queue = el('span', 'st-queue', m.waiting > 0 ? `${m.waiting} tap${m.waiting === 1 ? '' : 's'} waiting to be sent` : 'All taps sent');
  queue.dataset['waiting'] = String(m.waiting);
  status.append(queue);

  const parts: HTMLElement[] = [main];
  const hold = holdBanner(m.waiting, m.hold, eventId);
  if (hold !== null) {
    const banner = el('aside', 'st-hold', hold);
    banner.setAttribute('role', 'status');
    parts.push(banner);
  }
  if (m.reader === 'no_reader' || m.reader === 'service_down') {
    const help = el('aside', 'st-help');
    help.append(el('strong', '', m.reader === 'no_reader' ? 'No NFC reader found.' : 'The smart-card service (pcscd) is not running.'));
    help.append(
      el(
        'span',
        '',
        m.reader === 'no_reader'
          ? ' Plug the USB reader in (ACR122U or similar); it is picked up by itself. A keyboard-style reader works too.'
          : ` Start it with "sudo systemctl start pcscd". ${m.readerMessage ?? ''}`,
      ),
    );
    parts.push(help);
  }
  parts.push(status);
  root.replaceChildren(...parts);
}

export function mountStation(root: HTMLElement): void {
  const t = tauri();
  if (!t) {
    notInDesktop(root, 'station');
    return;
  }
  document.documentElement.classList.add('station');
  window.addEventListener('contextmenu', (e) => e.preventDefault());
  const box = el('div', 'st');
  root.appendChild(box);
  const sounds = new Sounds();
  let model = initialModel;
  let server = '';
  let eventId = '';
  const draw = (): void => render(box, model, server, eventId, Date.now());
  const onEvent = (ev: StationEvent): void => {
    model = reduce(model, ev, Date.now());
    if (model.sound) sounds.play(model.sound);
    draw();
  };
  window.setInterval(() => {
    const next = tick(model, Date.now());
    if (next !== model || model.screen.kind === 'first') {
      model = next;
      draw();
    }
  }, 250);
  const wedge = new WedgeCollector();
  window.addEventListener('keydown', (e) => {
    const line = wedge.key(e.key, performance.now());
    if (line !== null)
      t.core.invoke('station_key_uid', { uid: line }).catch((err: unknown) => console.warn('livewall: typed UID refused', commandError(err)));
  });
  listenStaffChords(root, t, [
    {
      letter: 's',
      title: 'Open the settings?',
      confirm: 'Open settings',
      askWithoutPin: false,
      run: (pin) => t.core.invoke('settings_open', { pin }),
    },
  ]);
  (window as unknown as { __livewallStation?: { model(): StationModel } }).__livewallStation = { model: () => model };
  draw();
  void (async () => {
    try {
      const cfg = await t.core.invoke<DesktopConfig>('desktop_config');
      server = cfg.server ?? '';
      document.title = `livewall · station · ${cfg.event ?? ''}`;
      await t.event.listen<StationEvent>('station:event', (e) => onEvent(e.payload));
      const started = await t.core.invoke<StationStart>('station_start');
      eventId = started.eventId;
      onEvent(started.reader);
      onEvent(started.queue);
    } catch (e) {
      onEvent({ kind: 'failure', message: commandError(e).message });
    }
  })();
}
