import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../bindings/Snapshot';
import type { ServerMessage } from '../bindings/ServerMessage';
import type { Person } from '../bindings/Person';
import { WallState } from '../wall/state';
import type { KioskStart } from '../bindings/KioskStart';
import { asLinkProblem, DesktopWallSource, problemLine, type KioskBridge } from './wallSource';

const person = (id: string): Person => ({ id, name: `Person ${id}`, avatar: null, major: null, company: null });

const snap = (seq: number, links: [string, string][]): Snapshot => ({
  type: 'snapshot',
  eventId: 'ev',
  eventName: 'Demo',
  epoch: 'e1',
  seq,
  settings: { initialsOnly: false, publicWall: true, wall: { spotlight: true, ticker: true, streaks: true, medals: true, counters: true, search: true, pathFinder: true, clusters: false, heat: false, tour: false } },
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

/** A source over a fake bridge, started and listening, its cached wall not answered yet; `watch` runs first. */
async function started(watch: (src: DesktopWallSource) => void = () => undefined) {
  const state = new WallState();
  const f = fakeBridge();
  const src = new DesktopWallSource(state, f.bridge);
  watch(src);
  src.start();
  await flush();
  return { state, f, src };
}

describe('the kiosk wall source', () => {
  it('draws the cached wall first, then live entries that arrived meanwhile', async () => {
    const { state, f, src } = await started();
    // Live entries racing the cached answer: held, not dropped and not applied to an empty wall.
    f.send('wall:entry', conn(6, 'b', 'c'));
    f.send('wall:online', true);
    expect(state.links.size).toBe(0);
    f.answer({ eventId: 'ev', server: 'http://10.0.0.2:8080', snapshot: snap(5, [['a', 'b']]) });
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
    const seen: string[] = [];
    const { state, f, src } = await started((s) => s.onStatus((st) => seen.push(st)));
    f.answer({ eventId: 'ev', server: 'http://10.0.0.2:8080', snapshot: snap(5, [['a', 'b']]) });
    await flush();
    f.send('wall:online', false);
    expect(src.status).toBe('offline');
    expect(seen).toContain('offline');
    src.stop();
    f.send('wall:entry', conn(6, 'b', 'c'));
    expect(state.seq).toBe(5);
  });

  it('starts empty with no cache and waits for the server', async () => {
    const { state, f, src } = await started();
    f.answer({ eventId: 'ev', server: 'http://10.0.0.2:8080', snapshot: null });
    await flush();
    expect(src.fromCache).toBe(false);
    expect(src.status).toBe('loading');
    f.send('wall:snapshot', snap(3, [['a', 'c']]));
    expect(state.links.size).toBe(1);
  });

  it('tells the staff why it cannot follow the event until the wall is live again', async () => {
    let heard = 0;
    const { f, src } = await started((s) => s.onStatus(() => heard++));
    f.answer({ eventId: 'ev', server: 'http://10.0.0.2:8080', snapshot: snap(5, [['a', 'b']]) });
    await flush();
    const before = heard;
    f.send('wall:problem', { address: 'http://10.0.0.2:8080', what: 'connection refused', fix: 'Check that the server laptop is on.' });
    expect(heard).toBe(before + 1);
    expect(src.trouble).toBe('Cannot reach http://10.0.0.2:8080: connection refused. Check that the server laptop is on.');
    f.send('wall:online', true);
    expect(src.problem).toBeNull();
    expect(src.trouble).toBeNull();
    f.send('wall:problem', { address: 'http://10.0.0.2:8080', what: 'x', fix: 'y' });
    // While live, a problem is not shown; null means it was fixed.
    expect(src.trouble).toBeNull();
    f.send('wall:problem', null);
    expect(src.problem).toBeNull();
  });
});

describe('link problems', () => {
  it('reads the payload and writes one line', () => {
    expect(asLinkProblem(null)).toBeNull();
    expect(asLinkProblem({ address: 'a', what: 1, fix: 'c' })).toBeNull();
    expect(problemLine({ address: 'http://h:8080', what: 'the token was refused.', fix: 'Ask for a new setup link' })).toBe(
      'Cannot reach http://h:8080: the token was refused. Ask for a new setup link.',
    );
  });
});
