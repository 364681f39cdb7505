// The admin screens' logic that needs no DOM: where the organiser is, form checks, what binding a badge did and
// what to do with a badge before writing it, device status. What a badge UID looks like is the server's rule
// (`TagUid`): the screens send what was typed or scanned and show the server's words when it refuses.

import type { CreateEvent } from '../bindings/CreateEvent';
import type { CreateProfile } from '../bindings/CreateProfile';
import type { Device } from '../bindings/Device';
import type { Event } from '../bindings/Event';
import type { FieldError } from '../bindings/FieldError';
import type { Person } from '../bindings/Person';
import type { Presence } from '../bindings/Presence';
import type { UpdateEvent } from '../bindings/UpdateEvent';
import type { WallFeatures } from '../bindings/WallFeatures';
import { normalFeatures } from '../wall/features';

export const TABS = ['people', 'import', 'devices', 'moderation', 'live', 'webhooks', 'settings'] as const;
export type Tab = (typeof TABS)[number];

export const TAB_LABELS: Record<Tab, string> = {
  people: 'Attendees',
  import: 'Import CSV',
  devices: 'Devices',
  moderation: 'Moderation',
  live: 'Live & announce',
  webhooks: 'Webhooks',
  settings: 'Settings & export',
};

export interface Place {
  eventId: string | null;
  tab: Tab;
}

/** `#/events/<id>/<tab>` → where to go; anything else is the events list. */
export function parseHash(hash: string): Place {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p.length > 0);
  if (parts[0] !== 'events' || parts[1] === undefined) return { eventId: null, tab: 'people' };
  let eventId: string;
  try {
    eventId = decodeURIComponent(parts[1]);
  } catch {
    return { eventId: null, tab: 'people' };
  }
  const tab = (TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as Tab) : 'people';
  return { eventId, tab };
}

export function placeHash(p: Place): string {
  return p.eventId === null ? '#/' : `#/events/${encodeURIComponent(p.eventId)}/${p.tab}`;
}

/** The words for an empty badge field, the same as the server's. */
export const NO_BADGE_UID = 'Type or scan a badge UID.';

/**
 * The badge a bind added, from the tags before and the tags the server answered (it normalises UIDs and drops
 * repeats), or null when the badge was this person's already.
 */
export function boundBadge(before: readonly string[], after: readonly string[]): string | null {
  return after.find((t) => !before.includes(t)) ?? null;
}

/** What the server takes for an e-mail: something, one @, something (no spaces). */
export function looksLikeEmail(s: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(s.trim());
}

export interface WalkInForm {
  name: string;
  email: string;
  company: string;
  major: string;
  /** A badge UID to bind at once, or empty. */
  badge: string;
}

export type WalkInErrors = Partial<Record<keyof WalkInForm, string>>;

/**
 * The profile a walk-in form creates, or what to fix first: a missing name or an e-mail that is plainly not one.
 * The badge goes as typed (trimmed); the server reads it and refuses it in words when it is not a UID.
 */
export function walkInProfile(f: WalkInForm): { ok: true; profile: CreateProfile } | { ok: false; errors: WalkInErrors } {
  const errors: WalkInErrors = {};
  const name = f.name.trim();
  const email = f.email.trim();
  if (!name) errors.name = 'A name is needed.';
  if (!looksLikeEmail(email)) errors.email = 'Use an e-mail like ada@example.org: the server tells attendees apart by it.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const profile: CreateProfile = { name, email };
  if (f.company.trim()) profile.company = f.company.trim();
  if (f.major.trim()) profile.major = f.major.trim();
  if (f.badge.trim()) profile.tags = [f.badge.trim()];
  return { ok: true, profile };
}

const WALK_IN_FIELD: Record<string, keyof WalkInForm> = {
  name: 'name',
  email: 'email',
  company: 'company',
  major: 'major',
  tags: 'badge',
  badge: 'badge',
};

/** A refusal's per-field problems (a 422's `details`) on the walk-in form's fields; those of other fields apart. */
export function placeWalkInErrors(details: FieldError[]): { fields: WalkInErrors; other: FieldError[] } {
  const fields: WalkInErrors = {};
  const other: FieldError[] = [];
  for (const d of details) {
    const f = WALK_IN_FIELD[d.field];
    if (f) fields[f] = fields[f] ? `${fields[f]} ${d.message}` : d.message;
    else other.push(d);
  }
  return { fields, other };
}

/**
 * The walk-in field a refusal's message is about, as the server words it: `email … is already used by …` (a 409
 * that carries no `details`), `name must not be empty`, `badge … is already bound to …`, `tag UID … must be …`,
 * and the UID rule's own words, which name a badge UID anywhere (`a badge UID has 4, 7 or 10 bytes …`).
 */
export function walkInFieldOf(message: string): keyof WalkInForm | null {
  const text = message.trim();
  if (/\bbadge UID\b/i.test(text)) return 'badge';
  const m = /^(name|email|company|major|badge|tag)\b/.exec(text);
  return m?.[1] ? (WALK_IN_FIELD[m[1] === 'tag' ? 'tags' : m[1]] ?? null) : null;
}

/**
 * Where a refused walk-in's problems go: its `details` by field, or, when it has none (the server answers a
 * conflict or a single check with a message only), that message on the field it names.
 */
export function placeWalkInRefusal(details: FieldError[], message: string): { fields: WalkInErrors; other: FieldError[] } {
  if (details.length > 0) return placeWalkInErrors(details);
  const f = walkInFieldOf(message);
  return f ? { fields: { [f]: message }, other: [] } : { fields: {}, other: [] };
}

/** What enrolment does with the badge on the reader before putting a person's link on it. */
export type BadgePlan =
  /** Blank, or this person's without a link: write the link, then bind. */
  | { kind: 'write' }
  /** It holds this person's link already: bind only. */
  | { kind: 'bind' }
  /** Someone else's, or holding another link: only once the organiser confirms, in these words. */
  | { kind: 'ask'; reasons: string[]; owner: Person | null };

/**
 * Decides from the link the badge holds (`uri`) and who it is bound to (`owner`) whether writing `url` for the
 * person `me` would overwrite something.
 */
export function planBadge(uri: string | null, owner: Person | null, me: { id: string }, url: string): BadgePlan {
  const other = owner !== null && owner.id !== me.id ? owner : null;
  const reasons: string[] = [];
  if (other) reasons.push(`This badge already belongs to ${other.name}.`);
  if (uri !== null && uri !== url) reasons.push(`This badge already holds another link (${uri}).`);
  if (reasons.length > 0) return { kind: 'ask', reasons, owner: other };
  return uri === url ? { kind: 'bind' } : { kind: 'write' };
}

export interface EventForm {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  publicWall: boolean;
  initialsOnly: boolean;
  joinUrl: string;
  /** The screens' language (`de`), or empty: each screen follows its browser. */
  language: string;
  /** Which wall features are on (`settings.wall`, sent whole). */
  wall: WallFeatures;
}

/** The "Wall features" checkboxes, in the order the form shows them, with the key that toggles each on a wall. */
export const WALL_FEATURE_CHOICES: ReadonlyArray<{ feature: keyof WallFeatures; label: string; hint: string; key: string }> = [
  { feature: 'spotlight', label: 'Spotlight', hint: 'a banner “Ada connected with Grace” for each new link.', key: 'S' },
  { feature: 'ticker', label: 'Ticker', hint: 'a scrolling line of the latest links at the bottom.', key: 'T' },
  { feature: 'streaks', label: 'Streaks and milestones', hint: '“3 in 10 minutes”, the 100th connection, someone’s 10th.', key: 'K' },
  { feature: 'medals', label: 'Medals', hint: 'rings around the top connectors.', key: 'M' },
  { feature: 'counters', label: 'Today and per minute', hint: 'connections since midnight and the current rate.', key: 'C' },
  { feature: 'search', label: 'Search', hint: 'find a person; the graph flies to them.', key: 'F' },
  { feature: 'pathFinder', label: 'Path finder', hint: 'the shortest chain between two people.', key: 'P' },
  { feature: 'clusters', label: 'Clusters', hint: 'colour people by the group they meet with instead of their field.', key: 'G' },
  { feature: 'heat', label: 'Heat', hint: 'where the latest links happen.', key: 'H' },
  { feature: 'tour', label: 'Tour', hint: 'the camera visits each new link, then zooms back out.', key: 'O' },
];

/** The languages walls, stations and phone pages can be set to, each named in itself; `''` follows each browser. */
export const SCREEN_LANGUAGES: ReadonlyArray<{ code: string; label: string }> = [
  { code: '', label: 'Follow each screen’s browser' },
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
  { code: 'fr', label: 'Français' },
  { code: 'es', label: 'Español' },
  { code: 'ar', label: 'العربية' },
];

export type FormErrors = Partial<Record<keyof EventForm, string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Checks an event form as the server would, so mistakes are shown before sending. */
export function checkEventForm(f: EventForm, creating: boolean): FormErrors {
  const errors: FormErrors = {};
  if (!f.name.trim()) errors.name = 'Give the event a name.';
  else if (f.name.trim().length > 200) errors.name = 'Keep the name under 200 characters.';
  if (creating && f.id.trim() && !/^[a-z0-9_-]{1,64}$/.test(f.id.trim())) {
    errors.id = 'Use 1 to 64 lowercase letters, digits, “-” or “_” (or leave it empty to generate one).';
  }
  if (f.startsAt && !validDate(f.startsAt)) errors.startsAt = 'Use a date like 2025-05-01.';
  if (f.endsAt && !validDate(f.endsAt)) errors.endsAt = 'Use a date like 2025-05-02.';
  if (!errors.startsAt && !errors.endsAt && f.startsAt && f.endsAt && f.endsAt < f.startsAt) {
    errors.endsAt = 'The last day is before the first day.';
  }
  const url = f.joinUrl.trim();
  if (url) {
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) errors.joinUrl = 'Use a full web address starting with https://';
  }
  return errors;
}

export function emptyEventForm(): EventForm {
  return { id: '', name: '', startsAt: '', endsAt: '', publicWall: true, initialsOnly: false, joinUrl: '', language: '', wall: normalFeatures(undefined) };
}

export function eventToForm(e: Event): EventForm {
  return {
    id: e.id,
    name: e.name,
    startsAt: e.startsAt?.slice(0, 10) ?? '',
    endsAt: e.endsAt?.slice(0, 10) ?? '',
    publicWall: e.settings.publicWall,
    initialsOnly: e.settings.initialsOnly,
    joinUrl: e.settings.joinUrl ?? '',
    language: e.settings.language ?? '',
    // An older server sends no `wall`: the defaults.
    wall: normalFeatures(e.settings.wall),
  };
}

function settingsOf(f: EventForm) {
  const joinUrl = f.joinUrl.trim();
  return { publicWall: f.publicWall, initialsOnly: f.initialsOnly, ...(joinUrl ? { joinUrl } : {}), wall: { ...f.wall } };
}

export function formToCreate(f: EventForm): CreateEvent {
  const body: CreateEvent = { name: f.name.trim(), settings: { ...settingsOf(f), ...(f.language ? { language: f.language } : {}) } };
  if (f.id.trim()) body.id = f.id.trim();
  if (f.startsAt) body.startsAt = f.startsAt;
  if (f.endsAt) body.endsAt = f.endsAt;
  return body;
}

/** A PATCH body: emptied dates are cleared with `null`, and so is the language when screens follow their browser. */
export function formToUpdate(f: EventForm): UpdateEvent {
  return {
    name: f.name.trim(),
    startsAt: f.startsAt || null,
    endsAt: f.endsAt || null,
    // An emptied join link is cleared (`null`), not kept.
    settings: { ...settingsOf(f), joinUrl: f.joinUrl.trim() || null, language: f.language || null },
  };
}

export type DeviceStatus = 'online' | 'offline' | 'revoked';

export function deviceStatus(d: Device, presence: Presence | null): DeviceStatus {
  if (d.revokedAt !== null) return 'revoked';
  return presence?.devices.includes(d.id) ? 'online' : 'offline';
}

/** Online first, then offline, revoked last; newest first within each. */
export function sortDevices(devices: Device[], presence: Presence | null): Device[] {
  const rank: Record<DeviceStatus, number> = { online: 0, offline: 1, revoked: 2 };
  return [...devices].sort(
    (a, b) => rank[deviceStatus(a, presence)] - rank[deviceStatus(b, presence)] || b.createdAt - a.createdAt,
  );
}

/** "3 min ago", "just now", or a clock time for older ones. */
export function ago(ms: number, now: number = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** Taps per minute as bar heights 0..1 (the busiest minute is 1). */
export function bars(perMinute: readonly number[]): number[] {
  const max = Math.max(0, ...perMinute);
  return perMinute.map((n) => (max > 0 ? n / max : 0));
}
