// The chrome's languages in real headless Chromium against the real server: a wall follows the browser's language
// while the event names none, switches live (without a reload) when the organiser sets the event's language through
// the admin API, lays itself out right to left in Arabic, and goes back to the browser's language when the setting
// is cleared. The station screen (on a stand-in for the desktop app's bridge) speaks the event's language when the
// app passes it on, else the system's. The phone page answers in the event's language, else Accept-Language.
// Names stay as entered throughout. Every expected text is read from the catalogues the UI and server share.
// Screenshots of the Arabic wall and station go to artifacts/i18n-*.png.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, ROOT, ServerProcess, freePort, launchBrowser } from './harness';

type Catalogue = Record<string, string>;
const LANGS = ['en', 'de', 'fr', 'es', 'ar'] as const;
type Lang = (typeof LANGS)[number];
const catalogue = Object.fromEntries(
  LANGS.map((l) => [l, JSON.parse(readFileSync(join(ROOT, 'crates', 'livewall-protocol', 'i18n', `${l}.json`), 'utf8')) as Catalogue]),
) as Record<Lang, Catalogue>;

/** The text of `key` in `lang`, failing the test when the catalogue lacks it. */
function text(lang: Lang, key: string): string {
  const v = catalogue[lang][key];
  if (typeof v !== 'string') throw new Error(`${lang}.json has no ${key}`);
  return v;
}

const ART = join(ROOT, 'artifacts');
const EVENT = 'i18n-night';
const ARABIC_EVENT = 'i18n-layali';
const ARABIC_NAME = 'ليلى حداد';
const people = [
  { name: 'Elijah Zhou', email: 'elijah@example.org', major: 'Computer Science' },
  { name: ARABIC_NAME, email: 'layla@example.org', major: 'Music' },
  { name: 'Zoë Brontë', email: 'zoe@example.org', major: 'Design' },
];

let server: ServerProcess;
let api: Api;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function inLocale(locale: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1600, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  contexts.push(ctx);
  return ctx;
}

async function openWall(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.base}/wall/${EVENT}`);
  await page.waitForFunction(() => window.__livewall?.status() === 'live', undefined, { timeout: 20_000 });
  return page;
}

interface Chrome {
  lang: string;
  dir: string;
  board: string;
  qr: string;
  stats: string[];
  names: string[];
}

function chrome(page: Page): Promise<Chrome> {
  return page.evaluate(() => {
    const txt = (sel: string) => document.querySelector(sel)?.textContent ?? '';
    return {
      lang: document.documentElement.lang,
      dir: document.documentElement.dir,
      board: txt('.panel-title'),
      qr: txt('.qr-label'),
      stats: Array.from(document.querySelectorAll('.stat-label'), (e) => e.textContent ?? ''),
      names: Array.from(document.querySelectorAll('.board-row:not([hidden]) .board-name'), (e) => e.textContent ?? '').sort(),
    };
  });
}

/** Waits until the wall's chrome is in `lang` and its leaderboard is drawn, then answers what it shows. */
async function speaks(page: Page, lang: Lang): Promise<Chrome> {
  const want = { lang, board: text(lang, 'wall.board.title') };
  // The chrome speaks at once; the leaderboard fills when the snapshot has arrived.
  await page.waitForFunction(
    (w) =>
      document.documentElement.lang === w.lang &&
      document.querySelector('.panel-title')?.textContent === w.board &&
      document.querySelectorAll('.board-row:not([hidden]) .board-name').length === 3,
    want,
    { timeout: 15_000 },
  );
  const c = await chrome(page);
  expect(c.lang).toBe(lang);
  expect(c.dir).toBe(lang === 'ar' ? 'rtl' : 'ltr');
  expect(c.board).toBe(text(lang, 'wall.board.title'));
  expect(c.qr).toBe(text(lang, 'wall.qr.caption'));
  expect(c.stats).toEqual([text(lang, 'wall.stats.people'), text(lang, 'wall.stats.connections'), text(lang, 'wall.stats.recent')]);
  // Names are never translated.
  expect(c.names).toEqual([ARABIC_NAME, 'Elijah Zhou', 'Zoë Brontë'].sort());
  return c;
}

async function setEventLanguage(language: string | null): Promise<void> {
  await api.updateEvent(EVENT, { settings: { language } });
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'i18n Night', { publicWall: true, initialsOnly: false, joinUrl: 'https://example.org/join/i18n' });
  await api.addProfiles(EVENT, people);
  await api.connect(EVENT, 'elijah@example.org', 'layla@example.org');
  await api.connect(EVENT, 'zoe@example.org', 'layla@example.org');
  ({ browser, close: closeBrowser } = await launchBrowser());
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await closeBrowser?.();
  await server?.dispose();
});

describe('wall languages', () => {
  it('speaks the browser’s language while the event names none', async () => {
    const de = await openWall(await inLocale('de-DE'));
    await speaks(de, 'de');
    const fr = await openWall(await inLocale('fr-FR'));
    await speaks(fr, 'fr');
    // A language without a catalogue falls back to English.
    const ja = await openWall(await inLocale('ja-JP'));
    await speaks(ja, 'en');
    await Promise.all([de.close(), fr.close(), ja.close()]);
  });

  it('switches an open wall live when the organiser sets the event language, right to left in Arabic, and back', async () => {
    const page = await openWall(await inLocale('de-DE'));
    await speaks(page, 'de');
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const connects = await page.evaluate(() => window.__livewall?.connects());

    await setEventLanguage('es');
    await speaks(page, 'es');

    // A wall opened now in another browser language speaks the event's, from its snapshot.
    const late = await openWall(await inLocale('fr-FR'));
    await speaks(late, 'es');
    await late.close();

    await setEventLanguage('ar');
    await speaks(page, 'ar');
    // Right to left: the side panel sits on the left of the graph, the legend and badge anchor to the right.
    const boxes = await page.evaluate(() => {
      const r = (sel: string) => document.querySelector(sel)?.getBoundingClientRect();
      return { panel: r('.panel')?.x ?? -1, stage: r('.stage')?.x ?? -1 };
    });
    expect(boxes.panel).toBeLessThan(boxes.stage);
    mkdirSync(ART, { recursive: true });
    await page.screenshot({ path: join(ART, 'i18n-wall-ar.png') });

    await setEventLanguage(null);
    await speaks(page, 'de');
    const after = await page.evaluate(() => ({
      same: (window as unknown as { __sameDocument?: boolean }).__sameDocument === true,
      status: window.__livewall?.status(),
      connects: window.__livewall?.connects(),
    }));
    expect(after).toEqual({ same: true, status: 'live', connects });
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

/** A stand-in for the desktop app's bridge (`window.__TAURI__`), enough for the station screen. */
function fakeDesktop(o: { server: string; event: string; language: string | null }): void {
  const handlers = new Map<string, (e: { payload: unknown }) => void>();
  const reader = { kind: 'reader', status: 'ready', readers: ['Fake reader'], message: null };
  (window as unknown as { __TAURI__: unknown }).__TAURI__ = {
    core: {
      invoke: async (cmd: string) => {
        switch (cmd) {
          case 'desktop_config':
            return {
              role: 'station',
              server: o.server,
              event: o.event,
              hasToken: true,
              hasExitPin: false,
              embedded: null,
              problem: null,
              offerPort: null,
              version: 'e2e',
            };
          case 'station_start':
            return { eventId: o.event, reader, queue: { kind: 'queue', waiting: 0, hold: null }, language: o.language };
          default:
            throw { code: 'internal', message: `no ${cmd} in this test` };
        }
      },
    },
    event: {
      listen: async (name: string, fn: (e: { payload: unknown }) => void) => {
        handlers.set(name, fn);
        return () => handlers.delete(name);
      },
    },
  };
  (window as unknown as { __emit: (name: string, payload: unknown) => void }).__emit = (name, payload) =>
    handlers.get(name)?.({ payload });
}

async function openStation(locale: string): Promise<Page> {
  // What the desktop app would pass on: the event's language as the server has it now.
  const ev = await api.request<{ settings: { language?: string | null } }>('GET', `/api/events/${EVENT}`);
  const ctx = await inLocale(locale);
  await ctx.addInitScript(fakeDesktop, { server: server.base, event: EVENT, language: ev.settings.language ?? null });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.base}/station`);
  await page.locator('.st-reader').waitFor();
  return page;
}

describe('station languages', () => {
  it('speaks the event’s language when the app passes it on, else the system’s; names stay as entered', async () => {
    await setEventLanguage(null);
    const de = await openStation('de-DE');
    await de.waitForFunction((w) => document.querySelector('.st-title')?.textContent === w, text('de', 'station.idle.title'));
    expect(await de.locator('.st-reader').textContent()).toBe(text('de', 'station.reader.ready'));
    expect(await de.locator('.st-queue').textContent()).toBe(text('de', 'station.queue.all_sent'));
    expect(await de.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['de', 'ltr']);
    await de.close();

    await setEventLanguage('ar');
    const ar = await openStation('de-DE');
    await ar.waitForFunction((w) => document.querySelector('.st-title')?.textContent === w, text('ar', 'station.idle.title'));
    expect(await ar.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    await ar.evaluate((name) => {
      const emit = (window as unknown as { __emit: (n: string, p: unknown) => void }).__emit;
      const badge = { kind: 'uid', value: '04A1B2C3' };
      emit('station:event', { kind: 'first', badge, timeoutMs: 15_000 });
      emit('station:event', { kind: 'first_person', badge, person: { id: 'p1', name, avatar: null, major: null, company: null } });
    }, 'Zoë Brontë');
    await ar.locator('.st-title bdi').waitFor();
    expect(await ar.locator('.st-title bdi').textContent()).toBe('Zoë Brontë');
    const [before, after] = text('ar', 'station.first.hello').split('{name}');
    expect(await ar.locator('.st-title').textContent()).toBe(`${before}Zoë Brontë${after}`);
    mkdirSync(ART, { recursive: true });
    await ar.screenshot({ path: join(ART, 'i18n-station-ar.png') });
    await ar.close();
    await setEventLanguage(null);
    expect(pageErrors).toEqual([]);
  });
});

describe('phone page languages', () => {
  async function phone(profileId: string, acceptLanguage: string): Promise<string> {
    const res = await fetch(`${server.base}/p/${encodeURIComponent(profileId)}`, { headers: { 'Accept-Language': acceptLanguage } });
    expect(res.status).toBe(200);
    return res.text();
  }

  it('answers in the browser’s language while the event names none, and in the event’s when it does', async () => {
    await setEventLanguage(null);
    const list = await api.request<{ items: Array<{ id: string; email: string }> }>('GET', `/api/events/${EVENT}/profiles?limit=50`);
    const elijah = list.items.find((p) => p.email === 'elijah@example.org');
    if (!elijah) throw new Error('no profile for elijah@example.org');

    const de = await phone(elijah.id, 'de-DE, de;q=0.9, en;q=0.5');
    expect(de).toMatch(/<html[^>]*\slang="de"/);
    expect(de).not.toMatch(/<html[^>]*\sdir="rtl"/);
    // The page's words are the catalogue's (the part of the visitor's note before the event's name).
    expect(de).toContain((text('de', 'phone.visitor.note').split('{event}')[0] ?? '').trim());
    expect(await phone(elijah.id, 'ja, fr-CA;q=0.8')).toMatch(/<html[^>]*\slang="fr"/);

    await api.createEvent(ARABIC_EVENT, 'Layali', { publicWall: true, initialsOnly: false, language: 'ar' });
    const made = await api.addProfiles(ARABIC_EVENT, [{ name: ARABIC_NAME, email: 'layla@example.org' }]);
    const layla = (made as { created: Array<{ id: string }> }).created[0];
    if (!layla) throw new Error('the Arabic event has no profile');
    const ar = await phone(layla.id, 'de');
    expect(ar).toMatch(/<html[^>]*\slang="ar"/);
    expect(ar).toMatch(/<html[^>]*\sdir="rtl"/);
    // The name as entered.
    expect(ar).toContain(ARABIC_NAME);
  });
});
