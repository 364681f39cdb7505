import { describe, expect, it } from 'vitest';
import type { DesktopConfig } from '../bindings/DesktopConfig';
import type { EmbeddedServer } from '../bindings/EmbeddedServer';
import { desktopConfig } from './backend';
import { embeddedNotice, firstLoginSentence, joinLine, joinSentence } from './embedded';

function config(embedded: EmbeddedServer | null): DesktopConfig {
  return {
    role: 'admin',
    server: 'http://127.0.0.1:8080',
    event: null,
    hasToken: false,
    hasExitPin: false,
    embedded,
    problem: null,
    offerPort: null,
    version: '0.1.0',
  };
}

const first: EmbeddedServer = {
  publicUrl: 'http://192.168.1.20:8080',
  localUrl: 'http://127.0.0.1:8080',
  adminUser: 'admin',
  adminPassword: 'tulip-orbit-7-quartz',
};

describe('what the admin screens say about the laptop that runs the server', () => {
  it('says nothing outside the desktop app or when the app runs no server', () => {
    expect(embeddedNotice(null)).toBeNull();
    expect(embeddedNotice(undefined)).toBeNull();
    expect(embeddedNotice(config(null))).toBeNull();
    // Odd answers show nothing rather than a broken address.
    expect(embeddedNotice('desktop')).toBeNull();
    expect(embeddedNotice({ embedded: { publicUrl: '  ' } })).toBeNull();
    expect(embeddedNotice({ embedded: { publicUrl: 42 } })).toBeNull();
  });

  it('shows the join address, and the first login only in the answer that carries it', () => {
    const n = embeddedNotice(config(first));
    expect(n).toEqual({
      publicUrl: 'http://192.168.1.20:8080',
      firstLogin: { user: 'admin', password: 'tulip-orbit-7-quartz' },
      username: 'admin',
    });
    if (!n?.firstLogin) throw new Error('no first login');
    expect(joinSentence(n)).toBe('This laptop is the event’s server. Phones and other devices join at http://192.168.1.20:8080');
    expect(joinLine(n)).toBe('Devices join at http://192.168.1.20:8080');
    expect(firstLoginSentence(n.firstLogin)).toBe('First login: admin / tulip-orbit-7-quartz — note it now, it is shown only once.');

    // Later answers of the app's life: the password is gone, the address stays; localUrl is never shown.
    const later = embeddedNotice(config({ ...first, adminPassword: null }));
    expect(later).toEqual({ publicUrl: 'http://192.168.1.20:8080', firstLogin: null, username: 'admin' });
    // A run that created no account (the database was there already) names none.
    expect(embeddedNotice(config({ ...first, adminUser: null, adminPassword: null }))).toEqual({
      publicUrl: 'http://192.168.1.20:8080',
      firstLogin: null,
      username: null,
    });
  });

  it('words a first login without a user name', () => {
    const n = embeddedNotice(config({ ...first, adminUser: null }));
    expect(n?.username).toBeNull();
    expect(n?.firstLogin && firstLoginSentence(n.firstLogin)).toBe(
      'First login: password tulip-orbit-7-quartz — note it now, it is shown only once.',
    );
  });
});

describe('desktopConfig', () => {
  it('is null in a plain browser, asks the app once per call, and reads a refusal as no app', async () => {
    expect(desktopConfig({})).toBeNull();
    const calls: Array<[string, unknown]> = [];
    const answer = config(first);
    const got = desktopConfig({
      __TAURI__: {
        core: {
          invoke: async (cmd: string, args?: Record<string, unknown>) => {
            calls.push([cmd, args]);
            return answer;
          },
        },
      },
    });
    await expect(got).resolves.toBe(answer);
    expect(calls).toEqual([['desktop_config', undefined]]);

    const refused = desktopConfig({
      __TAURI__: {
        core: {
          invoke: async () => {
            throw { code: 'forbidden', message: 'desktop_config not allowed on this origin' };
          },
        },
      },
    });
    await expect(refused).resolves.toBeNull();
  });
});
