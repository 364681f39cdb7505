import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../bindings/ServerMessage';
import { fakeSockets } from '../api/fakeSocket';
import { AdminLive } from './liveFeed';

describe('AdminLive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('subscribes, passes frames on, and reconnects after a drop', () => {
    const { sockets, open } = fakeSockets();
    const live = new AdminLive('ev', open);
    const got: ServerMessage[] = [];
    const statuses: string[] = [];
    live.on((m) => got.push(m));
    live.onStatus((s) => statuses.push(s));
    sockets[0]?.open();
    expect(sockets[0]?.sent).toEqual([{ action: 'subscribe', eventId: 'ev' }]);
    sockets[0]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e', seq: 1, recovered: false });
    sockets[0]?.receive({ type: 'presence', eventId: 'ev', walls: 0, stations: 1, devices: ['d1'] });
    sockets[0]?.receive('garbage');
    expect(got.map((m) => m.type)).toEqual(['subscribed', 'presence']);
    sockets[0]?.drop();
    expect(live.status).toBe('offline');
    vi.advanceTimersByTime(30_000);
    expect(sockets).toHaveLength(2);
    sockets[1]?.open();
    sockets[1]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e', seq: 1, recovered: false });
    expect(statuses).toEqual(['connecting', 'live', 'offline', 'connecting', 'live']);
    live.stop();
    expect(sockets[1]?.closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('stops for good when the server ends the login (4001), and says why', () => {
    const { sockets, open } = fakeSockets();
    const live = new AdminLive('ev', open);
    const statuses: string[] = [];
    live.onStatus((s) => statuses.push(s));
    sockets[0]?.open();
    sockets[0]?.receive({ type: 'subscribed', eventId: 'ev', epoch: 'e', seq: 1, recovered: true });
    sockets[0]?.drop(4001);
    expect(live.status).toBe('offline');
    expect(live.reason).toBe('token revoked or login ended');
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
    expect(statuses).toEqual(['connecting', 'live', 'offline']);
    live.stop();
  });

  it('reconnects with growing waits after a slow-client close (4008) and a lost connection (1006)', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { sockets, open } = fakeSockets();
    const live = new AdminLive('ev', open);
    sockets[0]?.open();
    sockets[0]?.drop(4008);
    expect(live.status).toBe('offline');
    expect(live.reason).toBeNull();
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1); // first wait: at most 0.5 s
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop(1006); // still down: the next wait doubles
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    live.stop();
  });
});
