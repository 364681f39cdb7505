// What the station screen shows, as a pure function of the events the Rust side sends (`station.rs`), so the
// screen logic is unit-tested without a window.

import type { Person } from '../bindings/Person';

export type BadgeRef = { kind: 'uid' | 'profile_id'; value: string };
export type ReaderStatus = 'searching' | 'ready' | 'no_reader' | 'service_down';
export type TapOutcome = 'connected' | 'already_connected' | 'refused';

export type StationEvent =
  | { kind: 'reader'; status: ReaderStatus; readers: string[]; message: string | null }
  | { kind: 'first'; badge: BadgeRef; timeoutMs: number }
  | { kind: 'first_person'; badge: BadgeRef; person: Person }
  | { kind: 'unknown'; badge: BadgeRef }
  | { kind: 'paired'; key: string; first: BadgeRef; second: BadgeRef }
  | { kind: 'result'; key: string; outcome: TapOutcome; people: [Person, Person] | null; message: string | null }
  | { kind: 'cancelled' }
  | { kind: 'timed_out' }
  | { kind: 'queue'; waiting: number; reason: string | null }
  | { kind: 'failure'; message: string };

export type Screen =
  | { kind: 'idle' }
  | { kind: 'first'; badge: BadgeRef; person: Person | null; until: number }
  | { kind: 'unknown'; badge: BadgeRef }
  | { kind: 'sending'; key: string; people: [Person | null, Person | null] }
  | { kind: 'queued'; key: string }
  | { kind: 'done'; outcome: TapOutcome; people: [Person, Person] | null; message: string | null }
  | { kind: 'cancelled' }
  | { kind: 'timed_out' }
  | { kind: 'failure'; message: string };

export interface StationModel {
  screen: Screen;
  reader: ReaderStatus;
  readers: string[];
  readerMessage: string | null;
  waiting: number;
  /** When the current screen goes back to idle (ms, the caller's clock), or null to stay. */
  resetAt: number | null;
  /** Sound to play for the last event, if any. */
  sound: 'success' | 'failure' | 'tick' | null;
}

export const initialModel: StationModel = {
  screen: { kind: 'idle' },
  reader: 'searching',
  readers: [],
  readerMessage: null,
  waiting: 0,
  resetAt: null,
  sound: null,
};

const RESULT_MS = 5000;
const NOTICE_MS = 3500;

function sameBadge(a: BadgeRef, b: BadgeRef): boolean {
  return a.kind === b.kind && a.value === b.value;
}

/** The model after `ev` at time `now`. */
export function reduce(m: StationModel, ev: StationEvent, now: number): StationModel {
  const base = { ...m, sound: null };
  switch (ev.kind) {
    case 'reader':
      return { ...base, reader: ev.status, readers: ev.readers, readerMessage: ev.message };
    case 'first':
      return {
        ...base,
        screen: { kind: 'first', badge: ev.badge, person: null, until: now + ev.timeoutMs },
        resetAt: now + ev.timeoutMs,
        sound: 'tick',
      };
    case 'first_person':
      if (m.screen.kind === 'first' && sameBadge(m.screen.badge, ev.badge))
        return { ...base, screen: { ...m.screen, person: ev.person } };
      return base;
    case 'unknown':
      // Only while that badge is still the one waiting: a late answer must not hide a newer screen.
      if (m.screen.kind === 'first' && sameBadge(m.screen.badge, ev.badge))
        return { ...base, screen: { kind: 'unknown', badge: ev.badge }, resetAt: now + NOTICE_MS, sound: 'failure' };
      return base;
    case 'paired': {
      const first = m.screen.kind === 'first' ? m.screen.person : null;
      return { ...base, screen: { kind: 'sending', key: ev.key, people: [first, null] }, resetAt: null };
    }
    case 'result': {
      const showing = (m.screen.kind === 'sending' || m.screen.kind === 'queued') && m.screen.key === ev.key;
      const sound = ev.outcome === 'refused' ? 'failure' : 'success';
      if (!showing) return { ...base, sound: m.screen.kind === 'idle' ? sound : null };
      return {
        ...base,
        screen: { kind: 'done', outcome: ev.outcome, people: ev.people, message: ev.message },
        resetAt: now + RESULT_MS,
        sound,
      };
    }
    case 'queue': {
      const next = { ...base, waiting: ev.waiting };
      // Still sending after a round that could not reach the server: the tap is safe, say so.
      if (m.screen.kind === 'sending' && ev.waiting > 0)
        return { ...next, screen: { kind: 'queued', key: m.screen.key }, resetAt: now + RESULT_MS, sound: 'success' };
      return next;
    }
    case 'cancelled':
      return { ...base, screen: { kind: 'cancelled' }, resetAt: now + NOTICE_MS };
    case 'timed_out':
      return { ...base, screen: { kind: 'timed_out' }, resetAt: now + NOTICE_MS, sound: 'failure' };
    case 'failure':
      return { ...base, screen: { kind: 'failure', message: ev.message }, resetAt: now + RESULT_MS, sound: 'failure' };
  }
}

/** Back to idle once the screen's time is up. */
export function tick(m: StationModel, now: number): StationModel {
  if (m.resetAt !== null && now >= m.resetAt) return { ...m, screen: { kind: 'idle' }, resetAt: null, sound: null };
  return m;
}

/**
 * Collects keystrokes of a keyboard-wedge reader: hex digits typed quickly then Enter. Slow typing (a person at
 * a keyboard) is not a badge: a gap over `maxGapMs` between keys starts over.
 */
export class WedgeCollector {
  private buf = '';
  private last = 0;

  constructor(private readonly maxGapMs = 80) {}

  /** Feeds one key; answers the UID line when Enter completes one. */
  key(key: string, now: number): string | null {
    if (now - this.last > this.maxGapMs) this.buf = '';
    this.last = now;
    if (key === 'Enter') {
      const line = this.buf;
      this.buf = '';
      return /^[0-9a-fA-F:]{8,29}$/.test(line) ? line : null;
    }
    if (key.length === 1 && /[0-9a-fA-F:]/.test(key)) this.buf += key;
    else this.buf = '';
    return null;
  }
}
