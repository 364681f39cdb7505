import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../bindings/Snapshot';
import type { ServerMessage } from '../bindings/ServerMessage';
import type { Person } from '../bindings/Person';
import { MAX_PENDING, WallState, type WallChange } from './state';

const person = (id: string, name = `Person ${id}`): Person => ({ id, name, avatar: null, major: 'Design', company: null });

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot',
    eventId: 'ev',
    eventName: 'Demo Night',
    epoch: 'e1',
    seq: 10,
    settings: { initialsOnly: false, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } },
    nodes: [person('a', 'Elijah Zhou'), person('b', 'Aurora Cheng'), person('c')],
    links: [{ source: 'a', target: 'b', createdAt: 1000 }],
    announcement: null,
    ...over,
  };
}

const conn = (seq: number, from: string, to: string, createdAt = 5000 + seq): ServerMessage => ({
  type: 'connection',
  eventId: 'ev',
  seq,
  createdAt,
  from: person(from),
  to: person(to),
});

function loaded(over: Partial<Snapshot> = {}): { s: WallState; changes: WallChange[] } {
  const s = new WallState();
  const changes: WallChange[] = [];
  s.subscribe((c) => changes.push(c));
  s.applySnapshot(snapshot(over));
  return { s, changes };
}

describe('WallState', () => {
  it('loads a snapshot with degrees and position', () => {
    const { s } = loaded();
    expect(s.nodes.size).toBe(3);
    expect(s.links.size).toBe(1);
    expect(s.position()).toEqual({ epoch: 'e1', seq: 10 });
    expect(s.nodes.get('a')?.degree).toBe(1);
    expect(s.nodes.get('c')?.degree).toBe(0);
    expect(s.eventName).toBe('Demo Night');
  });

  it('applies a connection and adds an unseen person next to their partner', () => {
    const { s, changes } = loaded();
    expect(s.apply(conn(11, 'a', 'z'))).toBe('applied');
    expect(s.seq).toBe(11);
    expect(s.links.size).toBe(2);
    const added = changes.find((c) => c.kind === 'node-added' && c.node.id === 'z');
    expect(added).toMatchObject({ kind: 'node-added', near: 'a' });
    const link = changes.find((c) => c.kind === 'link-added' && c.live);
    expect(link).toBeDefined();
    expect(s.nodes.get('a')?.degree).toBe(2);
  });

  it('drops duplicate frames by seq', () => {
    const { s } = loaded();
    expect(s.apply(conn(11, 'a', 'c'))).toBe('applied');
    expect(s.apply(conn(11, 'a', 'c'))).toBe('duplicate');
    expect(s.apply(conn(9, 'b', 'c'))).toBe('duplicate');
    expect(s.links.size).toBe(2);
    expect(s.anomalies.duplicates).toBe(2);
  });

  it('holds frames past a gap and applies them in order once it is filled', () => {
    const { s } = loaded();
    expect(s.apply(conn(13, 'b', 'c'))).toBe('buffered');
    expect(s.apply(conn(12, 'a', 'c'))).toBe('buffered');
    expect(s.apply(conn(13, 'b', 'c'))).toBe('duplicate');
    expect(s.links.size).toBe(1);
    expect(s.gap()).toBe(11);
    expect(s.apply({ type: 'removed', eventId: 'ev', seq: 11, source: 'b', target: 'a' })).toBe('applied');
    expect(s.seq).toBe(13);
    expect(s.gap()).toBeNull();
    expect([...s.links.values()].map((l) => [l.source, l.target])).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('asks for a resync when a gap is never filled', () => {
    const { s } = loaded();
    for (let i = 0; i < MAX_PENDING; i++) expect(s.apply(conn(12 + i, 'a', `n${i}`))).toBe('buffered');
    expect(s.needsResync).toBe(false);
    s.apply(conn(12 + MAX_PENDING, 'a', 'late'));
    expect(s.needsResync).toBe(true);
    // A fresh snapshot clears the flag and applies what waited beyond it.
    s.applySnapshot(snapshot({ seq: 11 + MAX_PENDING - 1 }));
    expect(s.needsResync).toBe(false);
    expect(s.seq).toBe(11 + MAX_PENDING);
    expect(s.nodes.has(`n${MAX_PENDING - 1}`)).toBe(true);
  });

  it('ignores frames of another event, before the snapshot, and junk', () => {
    const fresh = new WallState();
    expect(fresh.apply(conn(1, 'a', 'b'))).toBe('ignored');
    const { s } = loaded();
    expect(s.apply({ ...conn(11, 'a', 'c'), eventId: 'other' })).toBe('ignored');
    expect(s.apply(null)).toBe('ignored');
    expect(s.apply('{"type":"connection"}')).toBe('ignored');
    expect(s.apply({ type: 'connection', eventId: 'ev', seq: 11 })).toBe('applied');
    expect(s.anomalies.malformed).toBe(1);
    expect(s.seq).toBe(11);
    expect(s.apply({ type: 'pong' })).toBe('ignored');
  });

  it('never shows hidden people or their links, and brings them back when un-hidden', () => {
    const { s } = loaded();
    s.apply(conn(11, 'b', 'c'));
    expect(s.apply({ type: 'node', eventId: 'ev', seq: 12, node: person('b'), hidden: true })).toBe('applied');
    expect(s.nodes.has('b')).toBe(false);
    expect(s.links.size).toBe(0);
    expect(s.nodes.get('a')?.degree).toBe(0);
    // A connection with a hidden person stays invisible.
    s.apply(conn(13, 'b', 'a'));
    expect(s.nodes.has('b')).toBe(false);
    expect(s.links.size).toBe(0);
    s.apply({ type: 'node', eventId: 'ev', seq: 14, node: person('b', 'Aurora Cheng'), hidden: false });
    expect(s.nodes.get('b')?.name).toBe('Aurora Cheng');
    // Their links were dropped on hiding: the server logs the remaining ones again as connection frames.
    expect(s.links.size).toBe(0);
  });

  it('accepts a node frame before the link that uses it, and a link before the node', () => {
    const { s } = loaded();
    s.apply({ type: 'node', eventId: 'ev', seq: 11, node: person('n', 'New Person'), hidden: false });
    expect(s.nodes.get('n')?.degree).toBe(0);
    s.apply(conn(12, 'n', 'a'));
    expect(s.nodes.get('n')?.degree).toBe(1);
    // The link arrives first (with its people); a later node frame only updates the profile.
    s.apply(conn(13, 'm', 'a'));
    s.apply({ type: 'node', eventId: 'ev', seq: 14, node: { ...person('m'), name: 'Renamed' }, hidden: false });
    expect(s.nodes.get('m')).toMatchObject({ name: 'Renamed', degree: 1 });
  });

  it('keeps snapshot links to people it has not seen until they turn up', () => {
    const { s } = loaded({ links: [{ source: 'a', target: 'ghost', createdAt: 1 }] });
    expect(s.links.size).toBe(0);
    s.apply({ type: 'node', eventId: 'ev', seq: 11, node: person('ghost'), hidden: false });
    expect(s.links.size).toBe(1);
  });

  it('removes links, in either direction, and recomputes degrees', () => {
    const { s } = loaded();
    s.apply({ type: 'removed', eventId: 'ev', seq: 11, source: 'b', target: 'a' });
    expect(s.links.size).toBe(0);
    expect(s.nodes.get('a')?.degree).toBe(0);
    s.apply({ type: 'removed', eventId: 'ev', seq: 12, source: 'x', target: 'y' });
    expect(s.seq).toBe(12);
  });

  it('follows event settings and announcements for walls only', () => {
    const { s, changes } = loaded();
    s.apply({
      type: 'event',
      eventId: 'ev',
      seq: 11,
      name: 'Renamed Night',
      settings: { initialsOnly: true, publicWall: true, joinUrl: 'https://example.org/join' },
    });
    expect(s.settings).toEqual({ initialsOnly: true, publicWall: true, joinUrl: 'https://example.org/join', wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } });
    expect(s.eventName).toBe('Renamed Night');
    s.apply({ type: 'announcement', eventId: 'ev', seq: 12, message: 'Dinner at 8', audience: 'stations' });
    expect(s.announcement).toBeNull();
    s.apply({ type: 'announcement', eventId: 'ev', seq: 13, message: 'Dinner at 8', audience: 'all' });
    expect(s.announcement).toBe('Dinner at 8');
    s.apply({ type: 'announcement', eventId: 'ev', seq: 14, message: null, audience: 'walls' });
    expect(s.announcement).toBeNull();
    expect(changes.filter((c) => c.kind === 'announcement').map((c) => (c as { message: unknown }).message)).toEqual([
      null,
      'Dinner at 8',
      null,
    ]);
  });

  it('keeps the event language from the snapshot and from live event frames, and drops it when cleared', () => {
    const { s } = loaded({ settings: { initialsOnly: false, publicWall: true, language: 'de', wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } } });
    expect(s.settings.language).toBe('de');
    s.apply({ type: 'event', eventId: 'ev', seq: 11, name: 'Demo Night', settings: { initialsOnly: false, publicWall: true, language: 'ar', wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } } });
    expect(s.settings.language).toBe('ar');
    s.apply({ type: 'event', eventId: 'ev', seq: 12, name: 'Demo Night', settings: { initialsOnly: false, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } } });
    expect(s.settings).toEqual({ initialsOnly: false, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } });
  });

  it('shows the announcement a snapshot carries, for walls only', () => {
    expect(loaded({ announcement: { message: 'Welcome!', audience: 'all', createdAt: 1 } }).s.announcement).toBe('Welcome!');
    expect(loaded({ announcement: { message: 'Tap here', audience: 'stations', createdAt: 1 } }).s.announcement).toBeNull();
    const { s } = loaded({ announcement: { message: 'Welcome!', audience: 'walls', createdAt: 1 } });
    s.applySnapshot(snapshot({ seq: 12, announcement: null }));
    expect(s.announcement).toBeNull();
  });

  it('reloads a snapshot keeping the node objects of people still present', () => {
    const { s, changes } = loaded();
    const a = s.nodes.get('a');
    changes.length = 0;
    s.applySnapshot(
      snapshot({
        epoch: 'e2',
        seq: 3,
        nodes: [person('a', 'Elijah Zhou'), person('d')],
        links: [{ source: 'a', target: 'd', createdAt: 2000 }],
      }),
    );
    expect(s.nodes.get('a')).toBe(a);
    expect([...s.nodes.keys()].sort()).toEqual(['a', 'd']);
    expect(s.position()).toEqual({ epoch: 'e2', seq: 3 });
    expect(changes.filter((c) => c.kind === 'node-removed').map((c) => (c as { id: string }).id).sort()).toEqual(['b', 'c']);
    expect(s.apply(conn(4, 'a', 'b'))).toBe('applied');
  });

  it('ranks the leaderboard by degree, ties to whoever got there first', () => {
    const { s } = loaded({
      nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => person(id)),
      links: [
        { source: 'c', target: 'd', createdAt: 100 },
        { source: 'a', target: 'b', createdAt: 200 },
        { source: 'a', target: 'e', createdAt: 300 },
        { source: 'c', target: 'e', createdAt: 400 },
      ],
    });
    // a and c have 2 links; a reached 2 at t=300, c at t=400. e has 2 too, reached at 400 after c (arrival order).
    expect(s.leaderboard(10).map((n) => n.id)).toEqual(['a', 'c', 'e', 'd', 'b']);
    expect(s.leaderboard(2).map((n) => n.id)).toEqual(['a', 'c']);
    s.apply({ type: 'removed', eventId: 'ev', seq: 11, source: 'a', target: 'e' });
    // Now c has 2; d reached 1 at t=100, before a and b (t=200) and e (t=400).
    expect(s.leaderboard(3).map((n) => n.id)).toEqual(['c', 'd', 'a']);
  });

  it('counts links in a recent window', () => {
    const { s } = loaded({ links: [] });
    s.apply(conn(11, 'a', 'b', 1_000));
    s.apply(conn(12, 'a', 'c', 9_000));
    s.apply(conn(13, 'b', 'c', 5_000));
    expect(s.linksSince(0)).toBe(3);
    expect(s.linksSince(5_000)).toBe(2);
    s.apply({ type: 'removed', eventId: 'ev', seq: 14, source: 'a', target: 'c' });
    expect(s.linksSince(5_000)).toBe(1);
  });

  it('survives hostile names', () => {
    const long = 'x'.repeat(200);
    const { s } = loaded({
      nodes: [
        person('a', long),
        person('b', '\u202eevil\u0000 name'),
        { id: 'c', name: 42 as unknown as string, avatar: 7 as unknown as string, major: null, company: null },
      ],
      links: [],
    });
    expect(s.nodes.get('a')?.name).toHaveLength(200);
    expect(s.nodes.get('b')?.name).toBe('evil name');
    expect(s.nodes.get('c')).toMatchObject({ name: '', avatar: null });
  });

  it("takes initials from the server and never from the name, '?' when it sends none", () => {
    const { s } = loaded({
      settings: { initialsOnly: true, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } },
      nodes: [{ ...person('a', 'EZ'), initials: 'EZ' }, person('b', 'Aurora Cheng'), { ...person('c'), initials: '' }],
      links: [],
    });
    expect(s.nodes.get('a')).toMatchObject({ name: 'EZ', initials: 'EZ' });
    // An old cached snapshot has no initials: the disc says so rather than guessing from the name.
    expect(s.nodes.get('b')).toMatchObject({ name: 'Aurora Cheng', initials: '?' });
    expect(s.nodes.get('c')?.initials).toBe('?');
  });

  it('absorbs thousands of frames in one go', () => {
    const { s } = loaded({ links: [], nodes: [] });
    const frames: ServerMessage[] = [];
    for (let i = 0; i < 5000; i++) frames.push(conn(11 + i, `p${i % 500}`, `p${(i * 7 + 1) % 500}`));
    // Delivered shuffled within small windows, with repeats.
    for (let i = 0; i < frames.length; i += 10) {
      const chunk = frames.slice(i, i + 10).reverse();
      for (const f of chunk) s.apply(f);
      if (chunk[0]) s.apply(chunk[0]);
    }
    expect(s.seq).toBe(5010);
    expect(s.gap()).toBeNull();
    expect(s.nodes.size).toBe(500);
  });
});
