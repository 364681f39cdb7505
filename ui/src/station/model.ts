// What the station screen shows, as a pure function of the events the Rust side sends (`station.rs`), so the
// screen logic is unit-tested without a window.

import type { BadgeRef } from '../bindings/BadgeRef';
import type { Person } from '../bindings/Person';
import type { QueueHold } from '../bindings/QueueHold';
import type { ReaderStatus } from '../bindings/ReaderStatus';
import type { StationEvent } from '../bindings/StationEvent';
import type { TapOutcome } from '../bindings/TapOutcome';
import { t } from '../i18n';

type FirstScreen = { kind: 'first'; badge: BadgeRef; person: Person | null; until: number };
type SendingScreen = { kind: 'sending'; key: string; people: [Person | null, Person | null] };
/**
 * What a short notice (a phone, a failed read) goes back to: nothing was recorded, so a first badge still waits
 * for its partner and a tap being sent is still being sent.
 */
type Resumable = FirstScreen | SendingScreen;

export type Screen =
  | { kind: 'idle' }
  | FirstScreen
  | { kind: 'unknown'; badge: BadgeRef }
  | { kind: 'phone'; resume: Resumable | null }
  | { kind: 'read_failed'; message: string; resume: Resumable | null }
  | SendingScreen
  | { kind: 'queued'; key: string }
  | { kind: 'done'; outcome: TapOutcome; people: [Person, Person] | null; message: string | null }
  | { kind: 'cancelled' }
  | { kind: 'timed_out' }
  | { kind: 'failure'; message: string };

type Notice = Extract<Screen, { kind: 'phone' | 'read_failed' }>;

export interface StationModel {
  screen: Screen;
  reader: ReaderStatus;
  readers: string[];
  readerMessage: string | null;
  waiting: number;
  /** Why the waiting taps are not being delivered, when delivery stopped. */
  hold: QueueHold | null;
  /** When the current screen ends (ms, the caller's clock), or null to stay. */
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
  hold: null,
  resetAt: null,
  sound: null,
};

const RESULT_MS = 5000;
const NOTICE_MS = 3500;

function sameBadge(a: BadgeRef, b: BadgeRef): boolean {
  return a.kind === b.kind && a.value === b.value;
}

function isNotice(s: Screen): s is Notice {
  return s.kind === 'phone' || s.kind === 'read_failed';
}

/** The pairing state behind the screen: what a notice covers, else the screen itself. */
function beneath(s: Screen): Screen {
  return isNotice(s) ? (s.resume ?? { kind: 'idle' }) : s;
}

function resumable(s: Screen): Resumable | null {
  return s.kind === 'first' || s.kind === 'sending' ? s : null;
}

/** Shows a short notice over whatever the pairing is doing, to come back to it after. */
function notice(m: StationModel, screen: Notice, now: number): StationModel {
  return { ...m, screen, resetAt: now + NOTICE_MS, sound: 'failure' };
}

/** The model after `ev` at time `now`. */
export function reduce(m: StationModel, ev: StationEvent, now: number): StationModel {
  const base = { ...m, sound: null };
  const under = beneath(m.screen);
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
    case 'first_person': {
      if (under.kind !== 'first' || !sameBadge(under.badge, ev.badge)) return base;
      const first = { ...under, person: ev.person };
      return { ...base, screen: isNotice(m.screen) ? { ...m.screen, resume: first } : first };
    }
    case 'unknown':
      // The station has already forgotten the badge, so its 'first' screen (if any) is over. A late answer for a
      // badge no longer waiting must not hide a newer screen, though.
      if ((under.kind === 'first' && sameBadge(under.badge, ev.badge)) || under.kind === 'idle')
        return { ...base, screen: { kind: 'unknown', badge: ev.badge }, resetAt: now + NOTICE_MS, sound: 'failure' };
      return base;
    case 'phone':
      return notice(base, { kind: 'phone', resume: resumable(under) }, now);
    case 'read_failed':
      return notice(base, { kind: 'read_failed', message: ev.message, resume: resumable(under) }, now);
    case 'paired': {
      const first = under.kind === 'first' ? under.person : null;
      return { ...base, screen: { kind: 'sending', key: ev.key, people: [first, null] }, resetAt: null };
    }
    case 'result': {
      const showing = (under.kind === 'sending' || under.kind === 'queued') && under.key === ev.key;
      const sound = outcomeTone(ev.outcome);
      if (!showing) return { ...base, sound: m.screen.kind === 'idle' ? sound : null };
      return {
        ...base,
        screen: { kind: 'done', outcome: ev.outcome, people: ev.people, message: ev.message },
        resetAt: now + RESULT_MS,
        sound,
      };
    }
    case 'queue': {
      const next = { ...base, waiting: ev.waiting, hold: ev.waiting > 0 ? ev.hold : null };
      // Still sending after a round that could not deliver it: the tap is safe, say so.
      if (under.kind === 'sending' && ev.waiting > 0)
        return { ...next, screen: { kind: 'queued', key: under.key }, resetAt: now + RESULT_MS, sound: 'success' };
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

/** Once the screen's time is up: back to what a notice covered if it still runs, else idle. */
export function tick(m: StationModel, now: number): StationModel {
  if (m.resetAt === null || now < m.resetAt) return m;
  const resume = isNotice(m.screen) ? m.screen.resume : null;
  if (resume?.kind === 'first' && resume.until > now) return { ...m, screen: resume, resetAt: resume.until, sound: null };
  if (resume?.kind === 'sending') return { ...m, screen: resume, resetAt: null, sound: null };
  return { ...m, screen: { kind: 'idle' }, resetAt: null, sound: null };
}

/** How a screen looks: a refused tap is a failure like any other, never in the success colour. */
export type Tone = 'calm' | 'success' | 'waiting' | 'failure';

function outcomeTone(outcome: TapOutcome): 'success' | 'failure' {
  return outcome === 'refused' ? 'failure' : 'success';
}

export function screenTone(s: Screen): Tone {
  switch (s.kind) {
    case 'done':
      return outcomeTone(s.outcome);
    case 'queued':
      return 'waiting';
    case 'unknown':
    case 'phone':
    case 'read_failed':
    case 'timed_out':
    case 'failure':
      return 'failure';
    case 'idle':
    case 'first':
    case 'sending':
    case 'cancelled':
      return 'calm';
  }
}

/**
 * The standing line about taps that cannot be delivered and what staff can do about it, or null while delivery
 * works, in the page's language (the server's own words for an `other` hold stay as it sent them). Every kind of
 * hold keeps the taps; only the fix differs.
 */
export function holdBanner(waiting: number, hold: QueueHold | null, eventId: string): string | null {
  if (waiting <= 0 || hold === null) return null;
  const head = t('station.hold.head', { count: waiting });
  const kept = t('station.hold.kept');
  switch (hold.kind) {
    case 'token_refused':
      return `${head} ${t('station.hold.token_refused')} ${kept}`;
    case 'event_not_found':
      return `${head} ${t('station.hold.event_not_found', { event: eventId })} ${kept}`;
    case 'unreachable':
      return `${head} ${t('station.hold.unreachable')}`;
    case 'server_busy':
      return `${head} ${t('station.hold.server_busy')}`;
    case 'other':
      return `${head} ${hold.message} ${kept}`;
  }
}

/** What the 'Saved!' screen tells the two people, given why their tap waits. */
export function queuedNote(hold: QueueHold | null): string {
  switch (hold?.kind) {
    case undefined:
    case 'server_busy':
      return t('station.queued.slow');
    case 'unreachable':
      return t('station.queued.unreachable');
    default:
      return t('station.queued.held');
  }
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
