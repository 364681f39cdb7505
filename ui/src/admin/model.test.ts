import { describe, expect, it } from 'vitest';
import type { Device } from '../bindings/Device';
import type { Event } from '../bindings/Event';
import {
  NO_BADGE_UID,
  SCREEN_LANGUAGES,
  WALL_FEATURE_CHOICES,
  ago,
  bars,
  boundBadge,
  checkEventForm,
  deviceStatus,
  emptyEventForm,
  eventToForm,
  formToCreate,
  formToUpdate,
  looksLikeEmail,
  parseHash,
  placeHash,
  placeWalkInErrors,
  placeWalkInRefusal,
  planBadge,
  sortDevices,
  walkInFieldOf,
  walkInProfile,
  type WalkInForm,
} from './model';
import { DEFAULT_FEATURES, FEATURES } from '../wall/features';

describe('admin places', () => {
  it('round-trips event and tab through the hash', () => {
    expect(parseHash('#/events/spring-meetup/devices')).toEqual({ eventId: 'spring-meetup', tab: 'devices' });
    expect(parseHash(placeHash({ eventId: 'a b', tab: 'moderation' }))).toEqual({ eventId: 'a b', tab: 'moderation' });
    expect(parseHash('#/events/x/nonsense')).toEqual({ eventId: 'x', tab: 'people' });
    expect(parseHash('')).toEqual({ eventId: null, tab: 'people' });
    expect(parseHash('#/events/%E0%A4%A')).toEqual({ eventId: null, tab: 'people' });
    expect(placeHash({ eventId: null, tab: 'people' })).toBe('#/');
  });
});

describe('binding a badge', () => {
  it('tells a new badge from one the person had, by the tags the server answers', () => {
    // The server normalised `04:a1:b2:c3` and kept the list as it was.
    expect(boundBadge(['04A1B2C3'], ['04A1B2C3'])).toBeNull();
    expect(boundBadge(['04A1B2C3'], ['04A1B2C3', '04112233445566'])).toBe('04112233445566');
    expect(boundBadge([], [])).toBeNull();
  });
  it('refuses an empty field in the server’s words', () => {
    expect(NO_BADGE_UID).toBe('Type or scan a badge UID.');
  });
});

const event: Event = {
  id: 'ev',
  name: 'Ev',
  startsAt: '2025-05-01',
  endsAt: null,
  settings: { initialsOnly: true, publicWall: false, joinUrl: 'https://x.org/j', wall: { ...DEFAULT_FEATURES, ticker: false } },
  createdAt: 1,
  updatedAt: 1,
};

describe('event form', () => {
  it('checks names, ids, dates and links', () => {
    const f = { ...emptyEventForm(), id: 'Bad Id', startsAt: '2025-02-30', endsAt: '2025-13-01', joinUrl: 'javascript:alert(1)' };
    expect(Object.keys(checkEventForm(f, true)).sort()).toEqual(['endsAt', 'id', 'joinUrl', 'name', 'startsAt']);
    expect(checkEventForm({ ...f, id: 'Bad Id', name: 'x', startsAt: '', endsAt: '', joinUrl: '' }, false)).toEqual({});
    expect(checkEventForm({ ...emptyEventForm(), name: 'x', startsAt: '2025-05-02', endsAt: '2025-05-01' }, true)).toEqual({
      endsAt: 'The last day is before the first day.',
    });
  });

  it('builds create and update bodies', () => {
    expect(formToCreate({ ...emptyEventForm(), name: '  Night  ' })).toEqual({
      name: 'Night',
      settings: { publicWall: true, initialsOnly: false, wall: DEFAULT_FEATURES },
    });
    const f = eventToForm(event);
    expect(f).toMatchObject({ startsAt: '2025-05-01', endsAt: '', publicWall: false, initialsOnly: true, joinUrl: 'https://x.org/j' });
    expect(formToUpdate({ ...f, startsAt: '' })).toEqual({
      name: 'Ev',
      startsAt: null,
      endsAt: null,
      settings: { publicWall: false, initialsOnly: true, joinUrl: 'https://x.org/j', language: null, wall: { ...DEFAULT_FEATURES, ticker: false } },
    });
  });

  it('sets the screen language, or clears it so each screen follows its browser', () => {
    expect(eventToForm(event).language).toBe('');
    const german = eventToForm({ ...event, settings: { ...event.settings, language: 'de' } });
    expect(german.language).toBe('de');
    expect(formToUpdate(german).settings?.language).toBe('de');
    expect(formToUpdate({ ...german, language: '' }).settings?.language).toBeNull();
    expect(formToCreate({ ...emptyEventForm(), name: 'N', language: 'ar' }).settings).toEqual({ publicWall: true, initialsOnly: false, language: 'ar', wall: DEFAULT_FEATURES });
    expect(SCREEN_LANGUAGES.map((l) => l.code)).toEqual(['', 'en', 'de', 'fr', 'es', 'ar']);
  });

  it('sends the wall features whole, defaults filled in for an older server', () => {
    const f = eventToForm(event);
    expect(f.wall).toEqual({ ...DEFAULT_FEATURES, ticker: false });
    const heat = formToUpdate({ ...f, wall: { ...f.wall, heat: true, spotlight: false } });
    expect(heat.settings?.wall).toEqual({ ...DEFAULT_FEATURES, ticker: false, heat: true, spotlight: false });
    // Older servers send no `wall`: the form starts from the defaults (all on except clusters, heat, tour).
    const old = { ...event, settings: { initialsOnly: false, publicWall: true } } as unknown as Event;
    expect(eventToForm(old).wall).toEqual(DEFAULT_FEATURES);
    expect(emptyEventForm().wall).toEqual(DEFAULT_FEATURES);
    // One checkbox per feature, each with its wall key, none twice.
    expect(WALL_FEATURE_CHOICES.map((c) => c.feature)).toEqual([...FEATURES]);
    expect(new Set(WALL_FEATURE_CHOICES.map((c) => c.key)).size).toBe(FEATURES.length);
  });
});

describe('devices', () => {
  const d = (id: string, createdAt: number, revokedAt: number | null = null): Device => ({
    id,
    eventId: 'ev',
    name: id,
    role: 'station',
    createdAt,
    revokedAt,
  });
  const presence = { eventId: 'ev', walls: 1, stations: 1, devices: ['b'] };

  it('says online from presence, and revoked over everything', () => {
    expect(deviceStatus(d('a', 1), presence)).toBe('offline');
    expect(deviceStatus(d('b', 1), presence)).toBe('online');
    expect(deviceStatus(d('b', 1, 5), presence)).toBe('revoked');
    expect(deviceStatus(d('b', 1), null)).toBe('offline');
  });

  it('lists online first, revoked last, newest first', () => {
    const list = [d('r', 9, 10), d('a', 1), d('b', 2), d('c', 3)];
    expect(sortDevices(list, presence).map((x) => x.id)).toEqual(['b', 'c', 'a', 'r']);
  });
});

describe('small words and figures', () => {
  it('says how long ago', () => {
    const now = Date.parse('2025-05-01T12:00:00Z');
    expect(ago(now - 2_000, now)).toBe('just now');
    expect(ago(now - 30_000, now)).toBe('30 s ago');
    expect(ago(now - 5 * 60_000, now)).toBe('5 min ago');
  });
  it('scales taps per minute to the busiest minute', () => {
    expect(bars([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(bars([0, 0])).toEqual([0, 0]);
  });
});

describe('walk-in attendees', () => {
  const form = (over: Partial<WalkInForm> = {}): WalkInForm => ({ name: '', email: '', company: '', major: '', badge: '', ...over });

  it('creates a profile from the filled fields only, with the badge as typed for the server to read', () => {
    expect(walkInProfile(form({ name: ' Ada Lovelace ', email: ' ada@example.org ' }))).toEqual({
      ok: true,
      profile: { name: 'Ada Lovelace', email: 'ada@example.org' },
    });
    expect(walkInProfile(form({ name: 'Ada', email: 'ada@example.org', company: 'Engines', major: 'Maths', badge: ' 04:a1:b2:c3 ' }))).toEqual({
      ok: true,
      profile: { name: 'Ada', email: 'ada@example.org', company: 'Engines', major: 'Maths', tags: ['04:a1:b2:c3'] },
    });
  });

  it('says what to fix before anything is sent', () => {
    const r = walkInProfile(form({ email: 'not-an-email', badge: '04A1' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // The badge is the server's to judge: it is not checked here.
    expect(Object.keys(r.errors).sort()).toEqual(['email', 'name']);
    expect(looksLikeEmail('a@b')).toBe(true);
    expect(looksLikeEmail('a b@c')).toBe(false);
  });

  it('puts the server’s field problems on the form’s fields', () => {
    const placed = placeWalkInErrors([
      { field: 'email', message: 'email "x" is not a valid e-mail address' },
      { field: 'tags', message: 'badge 04ZZ is not hex' },
      { field: 'avatar', message: 'avatar must be a web address' },
    ]);
    expect(placed.fields).toEqual({ email: 'email "x" is not a valid e-mail address', badge: 'badge 04ZZ is not hex' });
    expect(placed.other).toEqual([{ field: 'avatar', message: 'avatar must be a web address' }]);
  });

  it('puts a refusal without details on the field its message names', () => {
    // The server's 409 for a taken e-mail carries only a message.
    expect(placeWalkInRefusal([], 'email grace@example.org is already used by Grace Hopper in this event')).toEqual({
      fields: { email: 'email grace@example.org is already used by Grace Hopper in this event' },
      other: [],
    });
    expect(placeWalkInRefusal([], 'badge 04A1B2C3 is already bound to Dee Okafor (p1)').fields).toEqual({
      badge: 'badge 04A1B2C3 is already bound to Dee Okafor (p1)',
    });
    expect(walkInFieldOf('tag UID "04" must be 4, 7 or 10 bytes of hex (for example 04A1B2C3D4E5F6)')).toBe('badge');
    expect(walkInFieldOf('name must not be empty')).toBe('name');
    // The UID rule's own words, wherever they name the badge UID.
    expect(walkInFieldOf('a badge UID has 4, 7 or 10 bytes (8, 14 or 20 hex digits); "04A1B2C" has 7 digits')).toBe('badge');
    expect(walkInFieldOf('"04:A1:ZZ" is not a badge UID: use hex digits 0-9 and A-F (for example 04A1B2C3D4E5F6)')).toBe('badge');
    expect(walkInFieldOf('type or scan a badge UID')).toBe('badge');
    // Not about a field of the form: the message stays in the status line.
    expect(walkInFieldOf('a profile with id "x" already exists')).toBeNull();
    expect(walkInFieldOf('emails are closed')).toBeNull();
    expect(placeWalkInRefusal([], 'Cannot reach the server.')).toEqual({ fields: {}, other: [] });
    // Details, when the server sends them, win over the message.
    expect(placeWalkInRefusal([{ field: 'name', message: 'name must not be empty' }], 'email x is already used').fields).toEqual({
      name: 'name must not be empty',
    });
  });
});

describe('enrolling a badge', () => {
  const me = { id: 'p1' };
  const url = 'https://wall.example.org/p/p1?k=00ff';
  const bob = { id: 'p2', name: 'Bob Builder', avatar: null, major: null, company: null };

  it('writes a blank badge, and only binds one that holds this person’s link', () => {
    expect(planBadge(null, null, me, url)).toEqual({ kind: 'write' });
    expect(planBadge(null, { ...bob, id: 'p1' }, me, url)).toEqual({ kind: 'write' });
    expect(planBadge(url, null, me, url)).toEqual({ kind: 'bind' });
  });

  it('asks before taking someone else’s badge or overwriting another link', () => {
    expect(planBadge(null, bob, me, url)).toEqual({ kind: 'ask', reasons: ['This badge already belongs to Bob Builder.'], owner: bob });
    expect(planBadge('https://elsewhere.example/x', null, me, url)).toEqual({
      kind: 'ask',
      reasons: ['This badge already holds another link (https://elsewhere.example/x).'],
      owner: null,
    });
    const both = planBadge('https://wall.example.org/p/p2?k=11', bob, me, url);
    expect(both.kind === 'ask' && both.reasons.length).toBe(2);
  });
});
