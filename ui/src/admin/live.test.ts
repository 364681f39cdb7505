import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../bindings/ServerMessage';
import { AdminLive, parseFrame, type SocketLike } from './live';
import { badgeReader, badgeUrl, liveSocketUrl, ReaderError, wallOpener } from './backend';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: unknown[] = [];
  closed = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  receive(v: unknown): void {
    this.onmessage?.({ data: typeof v === 'string' ? v : JSON.stringify(v) } as MessageEvent);
  }
  drop(): void {
    this.onclose?.({} as CloseEvent);
  }
}

describe('parseFrame', () => {
  it('keeps known frames and refuses the rest', () => {
    expect(parseFrame('{"type":"presence","eventId":"e","walls":1,"stations":0,"devices":["d"]}')).toMatchObject({ type: 'presence' });
    expect(parseFrame('{"type":"presence","eventId":"e"}')).toBeNull();
    expect(parseFrame('{"type":"mystery"}')).toBeNull();
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame(42)).toBeNull();
  });
});

describe('AdminLive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('subscribes, passes frames on, and reconnects after a drop', () => {
    const sockets: FakeSocket[] = [];
    const live = new AdminLive('ev', () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    });
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
});

describe('backend', () => {
  it('builds the socket and badge URLs from the server origin', () => {
    expect(liveSocketUrl('a b', 'https://wall.example.org')).toBe('wss://wall.example.org/ws?token=a+b');
    expect(liveSocketUrl('t', 'http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/ws?token=t');
    expect(badgeUrl({ path: '/p/abc123?k=00ff', url: null }, 'https://wall.example.org/')).toBe(
      'https://wall.example.org/p/abc123?k=00ff',
    );
    expect(badgeUrl({ path: '/p/abc123?k=00ff', url: 'https://public.example/p/abc123?k=00ff' })).toBe(
      'https://public.example/p/abc123?k=00ff',
    );
  });

  it('has no reader in a plain browser and wraps the app reader’s answers and errors', async () => {
    expect(badgeReader({})).toBeNull();
    const calls: Array<[string, unknown]> = [];
    const reader = badgeReader({
      __TAURI__: {
        core: {
          invoke: async (cmd: string, args?: Record<string, unknown>) => {
            calls.push([cmd, args]);
            if (cmd === 'admin_wait_badge') return { uid: '04A1B2C3', uri: null, tagType: 'ntag215' };
            throw { code: 'timeout', message: 'No badge was tapped in 30 s.' };
          },
        },
      },
    });
    expect(reader).not.toBeNull();
    await expect(reader?.waitBadge(1000)).resolves.toEqual({ uid: '04A1B2C3', uri: null, tagType: 'ntag215' });
    const err = await reader?.writeBadge('https://x/p/1', 2000, '04A1B2C3', false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReaderError);
    expect(err).toMatchObject({ code: 'timeout', message: 'No badge was tapped in 30 s.' });
    expect(calls).toEqual([
      ['admin_wait_badge', { timeoutMs: 1000 }],
      ['admin_write_badge', { url: 'https://x/p/1', timeoutMs: 2000, expectUid: '04A1B2C3', replace: false }],
    ]);
  });

  it('writes only onto the badge that was checked, and says why the app refused', async () => {
    const reader = badgeReader({
      __TAURI__: {
        core: {
          invoke: async (_cmd: string, args?: Record<string, unknown>) => {
            if (args?.replace !== true) throw { code: 'badge_in_use', message: 'This badge already holds another link.' };
            return args.expectUid === '04A1B2C3' ? { uid: '04A1B2C3' } : {};
          },
        },
      },
    });
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04A1B2C3', false)).rejects.toMatchObject({ code: 'badge_in_use' });
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04A1B2C3', true)).resolves.toEqual({ uid: '04A1B2C3' });
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04FFFFFF', true)).rejects.toMatchObject({
      message: 'The reader wrote the badge but did not say its UID.',
    });
  });

  it('opens walls in a window of the app, and leaves plain browsers to the link', async () => {
    expect(wallOpener({})).toBeNull();
    const calls: Array<[string, unknown]> = [];
    const open = wallOpener({
      __TAURI__: {
        core: {
          invoke: async (cmd: string, args?: Record<string, unknown>) => {
            calls.push([cmd, args]);
            if (args?.event === 'gone') throw { code: 'not_configured', message: 'No server is configured.' };
            return null;
          },
        },
      },
    });
    await open?.('summit');
    expect(calls).toEqual([['admin_open_wall', { event: 'summit' }]]);
    await expect(open?.('gone')).rejects.toThrow('No server is configured.');
  });
});
