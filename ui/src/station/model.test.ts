import { describe, expect, it } from 'vitest';
import { holdBanner, initialModel, queuedNote, reduce, screenTone, tick, WedgeCollector, type StationModel } from './model';
import type { Person } from '../bindings/Person';
import type { StationEvent } from '../bindings/StationEvent';
import { setLanguage } from '../i18n';

const ada: Person = { id: 'p1', name: 'Ada Lovelace', avatar: null, major: null, company: 'Engines' };
const bob: Person = { id: 'p2', name: 'Bob', avatar: null, major: null, company: null };
const a = { kind: 'uid' as const, value: '04A1' };
const b = { kind: 'uid' as const, value: '04B2' };

function run(events: StationEvent[], m: StationModel = initialModel, now = 1000): StationModel {
  return events.reduce((acc, ev) => reduce(acc, ev, now), m);
}

describe('station screen', () => {
  it('shows the first person, then the pair once the server answered', () => {
    let m = run([{ kind: 'first', badge: a, timeoutMs: 15000 }]);
    expect(m.screen).toMatchObject({ kind: 'first', person: null });
    expect(m.sound).toBe('tick');
    m = reduce(m, { kind: 'first_person', badge: a, person: ada }, 1100);
    expect(m.screen).toMatchObject({ kind: 'first', person: ada });
    m = reduce(m, { kind: 'paired', key: 'k1', first: a, second: b }, 1200);
    expect(m.screen).toEqual({ kind: 'sending', key: 'k1', people: [ada, null] });
    m = reduce(m, { kind: 'result', key: 'k1', outcome: 'connected', people: [ada, bob], message: null }, 1300);
    expect(m.screen).toMatchObject({ kind: 'done', outcome: 'connected' });
    expect(m.sound).toBe('success');
    expect(tick(m, 1300 + 4999).screen.kind).toBe('done');
    expect(tick(m, 1300 + 5000).screen.kind).toBe('idle');
  });

  it('says a tap is saved when the server cannot be reached', () => {
    const hold = { kind: 'unreachable' as const, message: 'connection refused' };
    let m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k1', first: a, second: b },
      { kind: 'queue', waiting: 1, hold },
    ]);
    expect(m.screen).toEqual({ kind: 'queued', key: 'k1' });
    expect(m.waiting).toBe(1);
    expect(m.hold).toEqual(hold);
    expect(queuedNote(m.hold)).toContain('when the server is back');
    m = reduce(m, { kind: 'queue', waiting: 0, hold: null }, 2000);
    expect(m.waiting).toBe(0);
    expect(m.hold).toBeNull();
  });

  it('forgets an unknown badge whether or not its screen is still up, but never hides a newer screen', () => {
    const waiting = run([{ kind: 'first', badge: a, timeoutMs: 15000 }, { kind: 'unknown', badge: a }]);
    expect(waiting.screen).toEqual({ kind: 'unknown', badge: a });
    expect(waiting.sound).toBe('failure');
    expect(screenTone(waiting.screen)).toBe('failure');
    // The station forgot it: after the notice the screen is idle, ready for a new first badge.
    expect(tick(waiting, 1000 + 3500).screen.kind).toBe('idle');

    expect(run([{ kind: 'unknown', badge: a }]).screen.kind).toBe('unknown');

    const paired = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k1', first: a, second: b },
      { kind: 'unknown', badge: a },
    ]);
    expect(paired.screen.kind).toBe('sending');
    const other = run([{ kind: 'first', badge: b, timeoutMs: 15000 }, { kind: 'unknown', badge: a }]);
    expect(other.screen).toMatchObject({ kind: 'first', badge: b });
  });

  it('shows a phone notice, then the first badge again while its time runs', () => {
    let m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'phone', uid: '08AABBCC' },
    ]);
    expect(m.screen.kind).toBe('phone');
    expect(m.sound).toBe('failure');
    expect(screenTone(m.screen)).toBe('failure');
    // The name the server answers meanwhile is kept for when the first screen comes back.
    m = reduce(m, { kind: 'first_person', badge: a, person: ada }, 1100);
    expect(m.screen.kind).toBe('phone');
    m = tick(m, 1000 + 3500);
    expect(m.screen).toEqual({ kind: 'first', badge: a, person: ada, until: 16000 });
    expect(m.resetAt).toBe(16000);
    expect(tick(m, 16000).screen.kind).toBe('idle');
  });

  it('goes idle after a failed read once the first badge’s time is up', () => {
    const m = run([
      { kind: 'first', badge: a, timeoutMs: 2000 },
      { kind: 'read_failed', reader: 'ACS ACR122U', message: 'card removed too early' },
    ]);
    expect(m.screen).toMatchObject({ kind: 'read_failed', message: 'card removed too early' });
    expect(tick(m, 1000 + 3500).screen.kind).toBe('idle');
    const fromIdle = run([{ kind: 'read_failed', reader: null, message: 'x' }]);
    expect(tick(fromIdle, 1000 + 3500).screen.kind).toBe('idle');
  });

  it('pairs with the waiting badge when the partner taps during a notice', () => {
    const m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'first_person', badge: a, person: ada },
      { kind: 'phone', uid: '08AABBCC' },
      { kind: 'paired', key: 'k1', first: a, second: b },
    ]);
    expect(m.screen).toEqual({ kind: 'sending', key: 'k1', people: [ada, null] });
    const notice = reduce(m, { kind: 'read_failed', reader: null, message: 'x' }, 1100);
    const done = reduce(notice, { kind: 'result', key: 'k1', outcome: 'connected', people: [ada, bob], message: null }, 1200);
    expect(done.screen).toMatchObject({ kind: 'done', outcome: 'connected' });
  });

  it('reports refused taps and reader trouble', () => {
    let m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k9', first: a, second: b },
      { kind: 'result', key: 'k9', outcome: 'refused', people: null, message: 'not registered' },
    ]);
    expect(m.screen).toMatchObject({ kind: 'done', outcome: 'refused', message: 'not registered' });
    expect(m.sound).toBe('failure');
    expect(screenTone(m.screen)).toBe('failure');
    // A refused answer for an older tap, arriving while idle, buzzes too.
    const idle = reduce(initialModel, { kind: 'result', key: 'old', outcome: 'refused', people: null, message: null }, 0);
    expect(idle.sound).toBe('failure');
    m = reduce(m, { kind: 'reader', status: 'no_reader', readers: [], message: null }, 0);
    expect(m.reader).toBe('no_reader');
  });
});

describe('queue hold banner', () => {
  const hold = (kind: 'unreachable' | 'server_busy' | 'token_refused' | 'event_not_found' | 'other', message = 'HTTP 500') => ({ kind, message });

  it('says how many taps wait, why, and what staff can do', () => {
    expect(holdBanner(3, hold('token_refused'), 'summit')).toBe(
      'Taps waiting: 3. This station’s token was refused. Ask the organiser for a new setup link, then open the settings (Ctrl+Alt+Shift+S). They are saved on this station and will be sent once this is fixed.',
    );
    expect(holdBanner(1, hold('event_not_found'), 'summit')).toMatch(/^Taps waiting: 1\. The server has no event “summit”\./);
    expect(holdBanner(2, hold('unreachable'), 'summit')).toBe('Taps waiting: 2. The server cannot be reached. They will be sent when it is back.');
    expect(holdBanner(2, hold('server_busy'), 'summit')).toBe('Taps waiting: 2. The server is busy; retrying.');
    expect(holdBanner(2, hold('other', 'The server answered 500.'), 'summit')).toMatch(/^Taps waiting: 2\. The server answered 500\. They are saved/);
  });

  it('speaks the page’s language, keeping the event id and the server’s own words as they are', () => {
    setLanguage('de');
    try {
      expect(holdBanner(2, hold('event_not_found'), 'summit')).toBe(
        'Wartende Verbindungen: 2. Der Server kennt keine Veranstaltung „summit“. Bitte die Veranstaltung in den Einstellungen prüfen (Strg+Alt+Umschalt+S). Sie sind auf dieser Station gespeichert und werden gesendet, sobald das behoben ist.',
      );
      expect(holdBanner(1, hold('other', 'HTTP 500'), 'summit')).toMatch(/^Wartende Verbindungen: 1\. HTTP 500 Sie sind/);
      expect(queuedNote(hold('unreachable'))).toBe(
        'Eure Verbindung ist hier gespeichert und erscheint auf der Leinwand, sobald der Server wieder erreichbar ist.',
      );
    } finally {
      setLanguage('en');
    }
  });

  it('goes away when nothing waits or delivery works', () => {
    expect(holdBanner(0, hold('unreachable'), 'summit')).toBeNull();
    expect(holdBanner(4, null, 'summit')).toBeNull();
    const m = run([{ kind: 'queue', waiting: 0, hold: hold('unreachable') }]);
    expect(m.hold).toBeNull();
  });

  it('tells the people at the booth their tap is kept', () => {
    expect(queuedNote(null)).toContain('shortly');
    expect(queuedNote(hold('token_refused'))).toContain('once the problem below is fixed');
  });
});

describe('keyboard-wedge reader', () => {
  it('takes fast hex digits ended by Enter', () => {
    const w = new WedgeCollector(80);
    let t = 0;
    let line: string | null = null;
    for (const k of [...'04A1B2C3D4E580', 'Enter']) line = w.key(k, (t += 10));
    expect(line).toBe('04A1B2C3D4E580');
  });

  it('ignores slow typing and short lines', () => {
    const w = new WedgeCollector(80);
    let t = 0;
    let line: string | null = null;
    for (const k of [...'04A1B2C3', 'Enter']) line = w.key(k, (t += 200));
    expect(line).toBeNull();
    for (const k of [...'04A1', 'Enter']) line = w.key(k, (t += 5));
    expect(line).toBeNull();
  });
});
