import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../bindings/Snapshot';
import type { ServerMessage } from '../bindings/ServerMessage';
import { ApiError } from '../api/http';
import type { SnapshotResult } from '../api/rest';
import { fakeSockets } from '../api/fakeSocket';
import { WallState } from './state';
import { WallFeed } from './feed';

/** A hand-driven clock: timers run when `advance` passes them. */
class Clock {
  t = 0;
  private next = 1;
  timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await flush();
    }
    this.t = end;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const person = (id: string) => ({ id, name: `P ${id}`, avatar: null, major: null, company: null });

function snap(epoch: string, seq: number, ids: string[]): Snapshot {
  return {
    type: 'snapshot',
    eventId: 'ev',
    eventName: 'E',
    epoch,
    seq,
    settings: { initialsOnly: false, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } },
    nodes: ids.map(person),
    links: [],
    announcement: null,
  };
}

const conn = (seq: number, a: string, b: string): ServerMessage => ({
  type: 'connection',
  eventId: 'ev',
  seq,
  createdAt: seq,
  from: person(a),
  to: person(b),
});

function setup(snapshots: Array<SnapshotResult | Error>) {
  const clock = new Clock();
  const state = new WallState();
  const { sockets, open } = fakeSockets();
  let fetches = 0;
  const feed = new WallFeed(
    state,
    {
      fetchSnapshot: async () => {
        const next = snapshots[Math.min(fetches++, snapshots.length - 1)];
        if (next === undefined) throw new Error('no snapshot scripted');
        if (next instanceof Error) throw next;
        return next;
      },
      openSocket: open,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: () => 1,
    },
    { gapTimeoutMs: 1000, pingMs: 10_000, pollMs: 5000 },
    () => clock.t,
  );
  return { clock, state, sockets, feed, fetches: () => fetches };
}

const ok = (s: Snapshot): SnapshotResult => ({ kind: 'ok', snapshot: s, etag: `"${s.epoch}-${s.seq}"`, serverNow: null });

/** A feed live on its first socket, from a snapshot at e1/4. */
async function liveFeed() {
  const t = setup([ok(snap('e1', 4, ['a', 'b']))]);
  t.feed.start();
  await flush();
  t.sockets[0]?.open();
  t.sockets[0]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e1', seq: 4, recovered: true });
  return t;
}

describe('WallFeed', () => {
  it('subscribes from the snapshot position and applies live frames', async () => {
    const { feed, sockets, state } = setup([ok(snap('e1', 4, ['a', 'b']))]);
    feed.start();
    await flush();
    const ws = sockets[0];
    expect(ws).toBeDefined();
    ws?.open();
    expect(ws?.sent[0]).toEqual({ action: 'subscribe', eventId: 'ev', since: { epoch: 'e1', seq: 4 } });
    ws?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e1', seq: 4, recovered: true });
    expect(feed.status).toBe('live');
    ws?.receive(conn(5, 'a', 'b'));
    ws?.receive(conn(5, 'a', 'b'));
    ws?.receive('not json');
    expect(state.links.size).toBe(1);
    expect(state.seq).toBe(5);
    feed.stop();
  });

  it('reloads the snapshot on recovered:false and keeps frames that arrive meanwhile', async () => {
    const { feed, sockets, state, fetches } = setup([ok(snap('e1', 4, ['a', 'b'])), ok(snap('e2', 2, ['a', 'b', 'c']))]);
    feed.start();
    await flush();
    const ws = sockets[0];
    ws?.open();
    ws?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e2', seq: 2, recovered: false });
    // The new epoch's log continues while the snapshot is being fetched.
    ws?.receive(conn(3, 'a', 'c'));
    expect(state.links.size).toBe(0);
    await flush();
    expect(fetches()).toBe(2);
    expect(state.position()).toEqual({ epoch: 'e2', seq: 3 });
    expect(state.links.size).toBe(1);
    expect(feed.status).toBe('live');
    feed.stop();
  });

  it('reloads the snapshot when an event frame says people were renamed (initials only switched)', async () => {
    const renamed = snap('e1', 5, ['a', 'b']);
    renamed.settings = { initialsOnly: true, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } };
    renamed.nodes = renamed.nodes.map((n) => ({ ...n, name: 'PA', initials: 'PA' }));
    const { feed, sockets, state, fetches } = setup([ok(snap('e1', 4, ['a', 'b'])), ok(renamed)]);
    feed.start();
    await flush();
    sockets[0]?.open();
    sockets[0]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e1', seq: 4, recovered: true });
    sockets[0]?.receive({
      type: 'event',
      eventId: 'ev',
      seq: 5,
      name: 'E',
      settings: { initialsOnly: true, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } },
      reload: true,
    });
    await flush();
    expect(fetches()).toBe(2);
    expect(state.nodes.get('a')?.name).toBe('PA');
    expect(state.seq).toBe(5);
    // A plain settings change is applied as it comes, without a reload.
    sockets[0]?.receive({ type: 'event', eventId: 'ev', seq: 6, name: 'E2', settings: { initialsOnly: true, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } } });
    await flush();
    expect(fetches()).toBe(2);
    expect(state.eventName).toBe('E2');
    feed.stop();
  });

  it('reconnects with backoff after the socket drops, resuming from the last position', async () => {
    const { feed, sockets, clock } = await liveFeed();
    sockets[0]?.receive(conn(5, 'a', 'b'));
    sockets[0]?.drop();
    expect(feed.status).toBe('offline');
    await clock.advance(400);
    expect(sockets).toHaveLength(1);
    await clock.advance(200); // first retry: at most 0.5 s
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop(); // still down: the next wait doubles
    await clock.advance(900);
    expect(sockets).toHaveLength(2);
    await clock.advance(200);
    expect(sockets).toHaveLength(3);
    sockets[2]?.open();
    expect(sockets[2]?.sent[0]).toEqual({ action: 'subscribe', eventId: 'ev', since: { epoch: 'e1', seq: 5 } });
    sockets[2]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e1', seq: 5, recovered: true });
    expect(feed.status).toBe('live');
    feed.stop();
  });

  it('keeps the wall and checks the snapshot while the socket is down', async () => {
    const first = snap('e1', 4, ['a', 'b']);
    const later: Snapshot = { ...snap('e1', 6, ['a', 'b', 'c']), links: [{ source: 'a', target: 'c', createdAt: 6 }] };
    const { feed, sockets, clock, state } = setup([ok(first), new Error('down'), ok(later)]);
    feed.start();
    await flush();
    sockets[0]?.drop();
    expect(state.nodes.size).toBe(2);
    await clock.advance(5000); // poll fails: the wall stays as it was
    expect(state.nodes.size).toBe(2);
    expect(feed.status).toBe('offline');
    await clock.advance(5000);
    expect(state.links.size).toBe(1);
    expect(state.seq).toBe(6);
    feed.stop();
  });

  it('reconnects when a gap in the log is not filled in time', async () => {
    const { feed, sockets, clock } = await liveFeed();
    sockets[0]?.receive(conn(7, 'a', 'b'));
    await clock.advance(1001);
    expect(sockets[0]?.closed).toBe(true);
    await clock.advance(600);
    expect(sockets).toHaveLength(2);
    feed.stop();
  });

  it('retries the first snapshot until the server answers, and stops on a wrong event', async () => {
    const { feed, clock, state, sockets } = setup([new Error('refused'), ok(snap('e1', 1, ['a']))]);
    feed.start();
    await flush();
    expect(feed.status).toBe('loading');
    await clock.advance(600);
    expect(state.nodes.size).toBe(1);
    expect(sockets).toHaveLength(1);
    feed.stop();

    const missing = setup([new ApiError(404, 'not_found', 'event "x" not found')]);
    missing.feed.start();
    await flush();
    expect(missing.feed.status).toBe('failed');
    expect(missing.feed.failedStatus).toBe(404);
    expect(missing.sockets).toHaveLength(0);
    missing.feed.stop();
    expect(missing.clock.timers.size).toBe(0);
  });

  it('leaves no timer or socket handler behind when stopped', async () => {
    const { feed, sockets, clock } = setup([ok(snap('e1', 4, ['a']))]);
    feed.start();
    await flush();
    sockets[0]?.open();
    feed.stop();
    expect(clock.timers.size).toBe(0);
    expect(sockets[0]?.closed).toBe(true);
    expect(sockets[0]?.onmessage).toBeNull();
  });

  it('stops reconnecting when the server revokes the token (4001), and says why', async () => {
    const { feed, sockets, clock, fetches } = await liveFeed();
    const polls = fetches();
    sockets[0]?.drop(4001);
    expect(feed.status).toBe('failed');
    expect(feed.detail).toBe('token revoked or login ended');
    expect(feed.failedStatus).toBeNull();
    // Nothing is left to wake up: no reconnect, no snapshot checks.
    expect(clock.timers.size).toBe(0);
    await clock.advance(120_000);
    expect(sockets).toHaveLength(1);
    expect(fetches()).toBe(polls);
    feed.stop();
  });

  it('reconnects with backoff after a slow-client close (4008) and a lost connection (1006)', async () => {
    const { feed, sockets, clock } = await liveFeed();
    sockets[0]?.drop(4008);
    expect(feed.status).toBe('offline');
    await clock.advance(499);
    expect(sockets).toHaveLength(1);
    await clock.advance(1); // first retry: at most 0.5 s
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop(1006); // still down: the next wait doubles
    expect(feed.status).toBe('offline');
    await clock.advance(999);
    expect(sockets).toHaveLength(2);
    await clock.advance(1);
    expect(sockets).toHaveLength(3);
    sockets[2]?.open();
    sockets[2]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e1', seq: 4, recovered: true });
    expect(feed.status).toBe('live');
    feed.stop();
  });
});
