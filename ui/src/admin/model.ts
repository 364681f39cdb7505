// The admin screens' logic that needs no DOM: where the organiser is, form checks, badge UIDs, device status.

import type { CreateEvent } from '../bindings/CreateEvent';
import type { Device } from '../bindings/Device';
import type { Event } from '../bindings/Event';
import type { Presence } from '../bindings/Presence';
import type { UpdateEvent } from '../bindings/UpdateEvent';

export const TABS = ['people', 'import', 'devices', 'moderation', 'live', 'settings'] as const;
export type Tab = (typeof TABS)[number];

export const TAB_LABELS: Record<Tab, string> = {
  people: 'Attendees',
  import: 'Import CSV',
  devices: 'Devices',
  moderation: 'Moderation',
  live: 'Live & announce',
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

/** Badge UIDs as the server stores them: 4, 7 or 10 bytes, uppercase hex without separators. */
export function normaliseUid(input: string): { ok: true; uid: string } | { ok: false; message: string } {
  const raw = input.trim();
  if (!raw) return { ok: false, message: 'Type or scan a badge UID.' };
  const hex = raw.replace(/^0x/i, '').replace(/[\s:\-.]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) return { ok: false, message: `“${raw}” is not a badge UID: use hex digits 0-9 and A-F.` };
  if (![8, 14, 20].includes(hex.length)) {
    return {
      ok: false,
      message: `A badge UID has 4, 7 or 10 bytes (8, 14 or 20 hex digits); “${raw}” has ${hex.length} digit${hex.length === 1 ? '' : 's'}.`,
    };
  }
  return { ok: true, uid: hex };
}

export interface EventForm {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  publicWall: boolean;
  initialsOnly: boolean;
  joinUrl: string;
}

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
  return { id: '', name: '', startsAt: '', endsAt: '', publicWall: true, initialsOnly: false, joinUrl: '' };
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
  };
}

function settingsOf(f: EventForm) {
  const joinUrl = f.joinUrl.trim();
  return { publicWall: f.publicWall, initialsOnly: f.initialsOnly, ...(joinUrl ? { joinUrl } : {}) };
}

export function formToCreate(f: EventForm): CreateEvent {
  const body: CreateEvent = { name: f.name.trim(), settings: settingsOf(f) };
  if (f.id.trim()) body.id = f.id.trim();
  if (f.startsAt) body.startsAt = f.startsAt;
  if (f.endsAt) body.endsAt = f.endsAt;
  return body;
}

/** A PATCH body: emptied dates are cleared with `null`. */
export function formToUpdate(f: EventForm): UpdateEvent {
  return {
    name: f.name.trim(),
    startsAt: f.startsAt || null,
    endsAt: f.endsAt || null,
    settings: settingsOf(f),
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
