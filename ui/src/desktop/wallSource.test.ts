import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../bindings/Snapshot';
import type { ServerMessage } from '../bindings/ServerMessage';
import type { Person } from '../bindings/Person';
import { WallState } from '../wall/state';
import { DesktopWallSource, type KioskBridge, type KioskStart } from './wallSource';

const person = (id: string): Person => ({ id, name: `Person ${id}`, avatar: null, major: null, company: null });

const snap = (seq: number, links: [string, string][]): Snapshot => ({
  type: 'snapshot',
  eventId: 'ev',
  eventName: 'Demo',
  epoch: 'e1',
  seq,
  settings: { initialsOnly: false, publicWall: true },
  nodes: ['a', 'b', 'c', 'd'].map(person),
  links: links.map(([source, target]) => ({ source, target, createdAt: 1 })),
  announcement: null,
});

const conn = (seq: number, from: string, to: string): ServerMessage => ({
  type: 'connection',
  eventId: 'ev',
  seq,
  createdAt: 100 + seq,
  from: person(from),
  to: person(to),
});

/** A bridge whose `start` answers when the test says, with events sent meanwhile. */
function fakeBridge(): { bridge: KioskBridge; send(event: string, p: unknown): void; answer(s: KioskStart): void } {
  const handlers = new Map<string, (p: unknown) => void>();
  let resolve: (s: KioskStart) => void = () => undefined;
  const started = new Promise<KioskStart>((r) => (resolve = r));
  return {
    bridge: {
      start: () => started,
      listen: (event, fn) => {
        handlers.set(event, fn);
        return Promise.resolve(() => handlers.delete(event));
      },
    },
    send: (event, p) => handlers.get(event)?.(p),
    answer: (s) => resolve(s),
  };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('the kiosk wall source', () => {
  it('draws the cached wall first, then live entries that arrived meanwhile', async () => {
    const state = new WallState();
    const f = fakeBridge();
    const src = new DesktopWallSource(state, f.bridge);
    src.start();
    await flush();
    // Live entries racing the cached answer: held, not dropped and not applied to an empty wall.
    f.send('wall:entry', conn(6, 'b', 'c'));
    f.send('wall:online', true);
    expect(state.links.size).toBe(0);
    f.answer({ eventId: 'ev', snapshot: snap(5, [['a', 'b']]) });
    await flush();
    expect(src.fromCache).toBe(true);
    expect(state.links.size).toBe(2);
    expect(state.seq).toBe(6);
    expect(src.status).toBe('live');
    f.send('wall:entry', conn(6, 'b', 'c'));
    expect(state.anomalies.duplicates).toBe(1);
    f.send('wall:snapshot', snap(9, [['c', 'd']]));
    expect([...state.links.keys()].length).toBe(1);
  });

  it('says offline when the server is gone and only the cache was drawn', async () => {
    const state = new WallState();
    const f = fakeBridge();
    const src = new DesktopWallSource(state, f.bridge);
    const seen: string[] = [];
    src.onStatus((s) => seen.push(s));
    src.start();
    await flush();
    f.answer({ eventId: 'ev', snapshot: snap(5, [['a', 'b']]) });
    await flush();
    f.send('wall:online', false);
    expect(src.status).toBe('offline');
    expect(seen).toContain('offline');
    src.stop();
    f.send('wall:entry', conn(6, 'b', 'c'));
    expect(state.seq).toBe(5);
  });

  it('starts empty with no cache and waits for the server', async () => {
    const state = new WallState();
    const f = fakeBridge();
    const src = new DesktopWallSource(state, f.bridge);
    src.start();
    await flush();
    f.answer({ eventId: 'ev', snapshot: null });
    await flush();
    expect(src.fromCache).toBe(false);
    expect(src.status).toBe('loading');
    f.send('wall:snapshot', snap(3, [['a', 'c']]));
    expect(state.links.size).toBe(1);
  });
});
