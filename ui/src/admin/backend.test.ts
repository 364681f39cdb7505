import { describe, expect, it } from 'vitest';
import { badgeReader, badgeUrl, liveSocketUrl, ReaderError, wallOpener } from './backend';

type Invoke = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

/** A window of the desktop app whose commands `answer` answers (a stand-in for Tauri's IPC), and the calls made. */
function app(answer: Invoke) {
  const calls: Array<[string, unknown]> = [];
  const invoke: Invoke = (cmd, args) => {
    calls.push([cmd, args]);
    return answer(cmd, args);
  };
  return { calls, win: { __TAURI__: { core: { invoke } } } };
}

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
    const { calls, win } = app(async (cmd) => {
      if (cmd === 'admin_wait_badge') return { uid: '04A1B2C3', uri: null, tagType: 'ntag215' };
      throw { code: 'timeout', message: 'No badge was tapped in 30 s.' };
    });
    const reader = badgeReader(win);
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
    const reader = badgeReader(
      app(async (_cmd, args) => {
        if (args?.replace !== true) throw { code: 'badge_in_use', message: 'This badge already holds another link.' };
        return args.expectUid === '04A1B2C3' ? { uid: '04A1B2C3' } : {};
      }).win,
    );
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04A1B2C3', false)).rejects.toMatchObject({ code: 'badge_in_use' });
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04A1B2C3', true)).resolves.toEqual({ uid: '04A1B2C3' });
    await expect(reader?.writeBadge('https://x/p/1', 2000, '04FFFFFF', true)).rejects.toMatchObject({
      message: 'The reader wrote the badge but did not say its UID.',
    });
  });

  it('opens walls in a window of the app, and leaves plain browsers to the link', async () => {
    expect(wallOpener({})).toBeNull();
    const { calls, win } = app(async (_cmd, args) => {
      if (args?.event === 'gone') throw { code: 'not_configured', message: 'No server is configured.' };
      return null;
    });
    const open = wallOpener(win);
    await open?.('summit');
    expect(calls).toEqual([['admin_open_wall', { event: 'summit' }]]);
    await expect(open?.('gone')).rejects.toThrow('No server is configured.');
  });
});
