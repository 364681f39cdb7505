// The station window of the desktop app: big, friendly feedback for two people tapping their badges. The reader,
// the pairing and the outbox run in Rust (`station.rs`); this draws what it reports and plays the sounds.
// Keyboard-wedge readers (they type the UID and Enter) are caught here and handed to Rust. Staff open the settings
// with Ctrl+Alt+Shift+S (and the staff PIN, when one is set). The screen speaks the event's language when the app
// passes it on (`StationStart.language`), else the system's; people's names stay as they are.

import '../desktop/desktop.css';
import { commandError, notInDesktop, tauri } from '../desktop/tauri';
import { el } from '../desktop/dom';
import { listenStaffChords } from '../desktop/staffPin';
import { holdBanner, initialModel, queuedNote, reduce, screenTone, tick, WedgeCollector, type StationModel } from './model';
import { discInitials } from '../wall/names';
import { followEvent, onLanguage, t, tNodes } from '../i18n';
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

/** The event's language, when the desktop app could ask the server for it. */
function eventLanguage(started: StationStart): string | null {
  const l = started.language;
  return typeof l === 'string' && l.length > 0 ? l : null;
}

function render(root: HTMLElement, m: StationModel, server: string, eventId: string, now: number): void {
  const main = el('main', `st-main st-${m.screen.kind} st-tone-${screenTone(m.screen)}`);
  main.dataset['screen'] = m.screen.kind;
  const s = m.screen;
  switch (s.kind) {
    case 'idle':
      main.append(...notice(t('station.idle.title'), { icon: '⟡', iconClass: 'st-pulse', sub: t('station.idle.sub') }));
      break;
    case 'first': {
      main.append(avatar(s.person, server));
      const title = el('h1', 'st-title');
      if (s.person) title.append(...tNodes('station.first.hello', { name: s.person.name }));
      else title.textContent = t('station.first.read');
      main.append(title);
      if (s.person && detail(s.person)) {
        const line = el('p', 'st-detail', detail(s.person));
        line.dir = 'auto';
        main.append(line);
      }
      main.append(el('p', 'st-sub st-big', t('station.first.next')));
      const left = Math.max(0, Math.ceil((s.until - now) / 1000));
      main.append(el('p', 'st-countdown', t('station.first.countdown', { seconds: left })));
      break;
    }
    case 'unknown':
      main.append(...notice(t('station.unknown.title'), { icon: '?', sub: t('station.unknown.sub') }));
      break;
    case 'phone': {
      const small = s.resume?.kind === 'first' ? t('station.phone.waiting') : undefined;
      main.append(...notice(t('station.phone.title'), { icon: '!', sub: t('station.phone.sub'), small }));
      break;
    }
    case 'read_failed':
      main.append(...notice(t('station.read_failed.title'), { icon: '!', sub: t('station.read_failed.sub'), small: s.message }));
      break;
    case 'sending':
      main.append(...notice(t('common.connecting'), { icon: '◌', iconClass: 'st-spin' }));
      break;
    case 'queued':
      main.append(...notice(t('station.queued.title'), { icon: '✓', sub: queuedNote(m.hold) }));
      break;
    case 'done': {
      if (s.outcome === 'refused') {
        main.append(...notice(t('station.refused.title'), { icon: '✕', sub: s.message ?? t('station.refused.sub') }));
        break;
      }
      const pair = el('div', 'st-pair');
      if (s.people) {
        const person = (p: Person): HTMLElement => {
          const box = el('div', 'st-person');
          const name = el('div', 'st-name', p.name);
          // A name keeps its own direction whatever the screen's (an Arabic name on an English screen, or the reverse).
          name.dir = 'auto';
          box.append(avatar(p, server), name);
          return box;
        };
        pair.append(person(s.people[0]), el('div', 'st-link', '↔'), person(s.people[1]));
      }
      main.append(pair);
      const connected = s.outcome === 'connected';
      main.append(el('h1', 'st-title', t(connected ? 'station.connected.title' : 'station.already.title')));
      main.append(el('p', 'st-sub', t(connected ? 'station.connected.sub' : 'station.already.sub')));
      break;
    }
    case 'cancelled':
      main.append(...notice(t('station.cancelled.title'), { sub: t('station.cancelled.sub') }));
      break;
    case 'timed_out':
      main.append(...notice(t('station.timed_out.title'), { sub: t('station.timed_out.sub') }));
      break;
    case 'failure':
      main.append(...notice(t('station.failure.title'), { icon: '!', sub: s.message }));
      break;
  }

  const status = el('footer', 'st-status');
  const reader = el('span', `st-reader st-reader-${m.reader}`);
  reader.textContent = t(
    m.reader === 'ready'
      ? 'station.reader.ready'
      : m.reader === 'searching'
        ? 'station.reader.searching'
        : m.reader === 'no_reader'
          ? 'station.reader.no_reader'
          : 'station.reader.service_down',
  );
  status.append(reader);
  const queue = el('span', 'st-queue', m.waiting > 0 ? t('station.queue.waiting', { count: m.waiting }) : t('station.queue.all_sent'));
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
    const noReader = m.reader === 'no_reader';
    help.append(el('strong', '', t(noReader ? 'station.help.no_reader.title' : 'station.help.service_down.title')));
    help.append(
      el(
        'span',
        '',
        noReader
          ? ` ${t('station.help.no_reader.text')}`
          : ` ${t('station.help.service_down.text', { command: 'sudo systemctl start pcscd' })} ${m.readerMessage ?? ''}`,
      ),
    );
    parts.push(help);
  }
  parts.push(status);
  root.replaceChildren(...parts);
}

export function mountStation(root: HTMLElement): void {
  const tauriApi = tauri();
  if (!tauriApi) {
    notInDesktop(root, 'station');
    return;
  }
  document.documentElement.classList.add('station');
  // Until the app says which event this is and what it speaks, the system's language.
  let language: string | null = null;
  followEvent(language);
  window.addEventListener('contextmenu', (e) => e.preventDefault());
  const box = el('div', 'st');
  root.appendChild(box);
  const sounds = new Sounds();
  let model = initialModel;
  let server = '';
  let eventId = '';
  let eventName = '';
  const draw = (): void => render(box, model, server, eventId, Date.now());
  const retitle = (): void => {
    if (eventName) document.title = t('station.title', { event: eventName });
  };
  onLanguage(() => {
    retitle();
    draw();
  });
  window.addEventListener('languagechange', () => void followEvent(language));
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
      tauriApi.core.invoke('station_key_uid', { uid: line }).catch((err: unknown) => console.warn('livewall: typed UID refused', commandError(err)));
  });
  listenStaffChords(root, tauriApi, [
    {
      letter: 's',
      // Read when the dialog opens: in the language of that moment.
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
  (window as unknown as { __livewallStation?: { model(): StationModel } }).__livewallStation = { model: () => model };
  draw();
  void (async () => {
    try {
      const cfg = await tauriApi.core.invoke<DesktopConfig>('desktop_config');
      server = cfg.server ?? '';
      eventName = cfg.event ?? '';
      retitle();
      await tauriApi.event.listen<StationEvent>('station:event', (e) => onEvent(e.payload));
      const started = await tauriApi.core.invoke<StationStart>('station_start');
      eventId = started.eventId;
      language = eventLanguage(started);
      // A switch redraws (onLanguage).
      followEvent(language);
      onEvent(started.reader);
      onEvent(started.queue);
    } catch (e) {
      onEvent({ kind: 'failure', message: commandError(e).message });
    }
  })();
}
