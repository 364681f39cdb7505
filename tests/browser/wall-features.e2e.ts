// The wall's overlays in real headless Chromium against the real server: the spotlight banner, the ticker, a
// streak toast, the "today" counter, the keys (T hides the ticker, ? shows the help) and the event's
// `settings.wall` followed live. Screenshots of the spotlight at 0.5 s and 3 s after a link go to artifacts/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, ROOT, ServerProcess, freePort, launchBrowser, waitFor } from './harness';

const EVENT = 'e2e-features';
const people = [
  { name: 'Ada Lovelace', email: 'ada@example.org', major: 'Mathematics', avatar: '/avatars/demo-0001.svg' },
  { name: 'Grace Hopper', email: 'grace@example.org', major: 'Computer Science' },
  { name: 'Alan Turing', email: 'alan@example.org', major: 'Mathematics', avatar: '/avatars/demo-0002.svg' },
  { name: 'Katherine Johnson', email: 'katherine@example.org', major: 'Physics' },
  { name: 'Margaret Hamilton', email: 'margaret@example.org', major: 'Computer Science' },
  { name: 'Linus Pauling', email: 'linus@example.org', major: 'Chemistry' },
];

const ALL_ON = {
  spotlight: true,
  ticker: true,
  streaks: true,
  medals: true,
  counters: true,
  search: true,
  pathFinder: true,
  clusters: false,
  heat: false,
  tour: false,
};

/** The parts of the wall's test hook this file reads (ui/src/wall/view.ts). */
interface FeatureHook {
  features(): Record<string, boolean>;
  spotlight(): string | null;
  ticker(): string[];
  toasts(): string[];
  linkCount(): number;
  status(): string;
}

let server: ServerProcess;
let api: Api;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openWall(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.base}/wall/${EVENT}`);
  await waitFor(page, () => (window as unknown as { __livewall?: FeatureHook }).__livewall?.status() === 'live', 'the live socket');
  return page;
}

/** Evaluates `fn` on the wall's hook. */
function w<T>(page: Page, fn: (h: FeatureHook) => T): Promise<T> {
  return page.evaluate(`(${fn.toString()})(window.__livewall)`) as Promise<T>;
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Features Night', { publicWall: true, initialsOnly: false, joinUrl: 'https://example.org/join/f' });
  await api.addProfiles(EVENT, people);
  await api.connect(EVENT, 'margaret@example.org', 'linus@example.org');
  ({ browser, close: closeBrowser } = await launchBrowser());
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('wall features', () => {
  it('spotlights a new link, lists it on the ticker, cheers a streak and counts today', async () => {
    const page = await openWall();
    expect(await w(page, (h) => h.features())).toEqual(ALL_ON);
    // Let any replay of an earlier link go by, so the new one is shown at once.
    await sleep(300);

    const posted = Date.now();
    await api.connect(EVENT, 'ada@example.org', 'grace@example.org');
    await waitFor(
      page,
      () => {
        const s = (window as unknown as { __livewall?: FeatureHook }).__livewall?.spotlight() ?? '';
        return s.includes('Ada Lovelace') && s.includes('Grace Hopper') ? s : null;
      },
      'the spotlight with both names',
    );
    expect(await page.locator('.spotlight').textContent()).toContain('Ada Lovelace connected with Grace Hopper');
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    await sleep(Math.max(0, posted + 500 - Date.now()));
    await page.screenshot({ path: join(ROOT, 'artifacts', 'wall-spotlight-0.5s.png') });
    await sleep(Math.max(0, posted + 3000 - Date.now()));
    expect(await page.locator('.spotlight.show').count()).toBe(1);
    await page.screenshot({ path: join(ROOT, 'artifacts', 'wall-spotlight-3s.png') });

    await waitFor(
      page,
      () =>
        (window as unknown as { __livewall?: FeatureHook }).__livewall
          ?.ticker()
          .some((t) => t.includes('Ada Lovelace') && t.includes('Grace Hopper')),
      'the link on the ticker',
    );
    // Text on the ticker is readable from across the room: 20 px at least at 1080p.
    const px = await page.evaluate(() => {
      const e = document.querySelector('.ticker-ago');
      return e ? parseFloat(getComputedStyle(e).fontSize) : 0;
    });
    expect(px).toBeGreaterThanOrEqual(20);

    // Three links of Ada's within ten minutes: a streak.
    await api.connect(EVENT, 'ada@example.org', 'alan@example.org');
    await api.connect(EVENT, 'katherine@example.org', 'ada@example.org');
    await waitFor(
      page,
      () =>
        (window as unknown as { __livewall?: FeatureHook }).__livewall?.toasts().includes('Ada Lovelace: 3 in 10 minutes'),
      'the streak toast',
    );
    // Queued behind the first, the later links come to the spotlight in turn.
    await waitFor(
      page,
      () => (window as unknown as { __livewall?: FeatureHook }).__livewall?.spotlight()?.includes('Alan Turing'),
      'the next spotlight',
      10_000,
    );
    // Everything was made today: the today counter has all four links.
    await waitFor(page, () => document.querySelector('.counter-value')?.textContent === '4', 'the today counter');
    expect(await page.locator('.counters').isVisible()).toBe(true);
    await page.screenshot({ path: join(ROOT, 'artifacts', 'wall-features-streak.png') });
    await page.close();
  });

  it('toggles by key: T hides the ticker, ? shows the help, nothing while typing', async () => {
    const page = await openWall();
    await waitFor(page, () => !!document.querySelector('.ticker-item'), 'the ticker filled');
    expect(await page.locator('.ticker').isVisible()).toBe(true);
    await page.keyboard.press('t');
    await waitFor(page, () => (document.querySelector('.ticker') as HTMLElement | null)?.hidden === true, 'the ticker hidden');
    expect((await w(page, (h) => h.features())).ticker).toBe(false);
    expect(await page.locator('.toast-info').last().textContent()).toBe('Ticker: off');

    await page.keyboard.press('Shift+Slash');
    await waitFor(page, () => !(document.querySelector('.help') as HTMLElement | null)?.hidden, 'the help');
    const help = (await page.locator('.help').textContent()) ?? '';
    expect(help).toContain('Wall keys');
    expect(help).toContain('Ticker');
    expect(help).toContain('Spotlight on new links');
    await page.screenshot({ path: join(ROOT, 'artifacts', 'wall-keys-help.png') });
    await page.keyboard.press('Escape');
    expect(await page.locator('.help').isVisible()).toBe(false);

    // Typing in a field is typing, not a toggle.
    await page.evaluate(() => {
      const i = document.createElement('input');
      i.id = 'typing';
      document.body.appendChild(i);
    });
    await page.focus('#typing');
    await page.keyboard.type('tsk');
    expect((await w(page, (h) => h.features())).ticker).toBe(false);
    expect((await w(page, (h) => h.features())).spotlight).toBe(true);

    // A reload returns to the event's settings.
    await page.reload();
    await waitFor(page, () => (window as unknown as { __livewall?: FeatureHook }).__livewall?.status() === 'live', 'live again');
    expect((await w(page, (h) => h.features())).ticker).toBe(true);
    await page.close();
  });

  it('follows settings.wall live', async () => {
    const page = await openWall();
    await waitFor(page, () => !!document.querySelector('.ticker-item'), 'the ticker filled');
    await api.updateEvent(EVENT, { settings: { wall: { ...ALL_ON, ticker: false, counters: false, spotlight: false, heat: true } } });
    await waitFor(page, () => (document.querySelector('.ticker') as HTMLElement | null)?.hidden === true, 'the ticker off');
    expect(await w(page, (h) => h.features())).toEqual({ ...ALL_ON, ticker: false, counters: false, spotlight: false, heat: true });
    await waitFor(page, () => (document.querySelector('.counters') as HTMLElement | null)?.hidden === true, 'the counters off');
    // With the spotlight off a new link shows no banner.
    const before = await w(page, (h) => h.linkCount());
    await api.connect(EVENT, 'margaret@example.org', 'grace@example.org');
    await page.waitForFunction((n) => (window as unknown as { __livewall?: FeatureHook }).__livewall?.linkCount() === n + 1, before);
    await sleep(500);
    expect(await w(page, (h) => h.spotlight())).toBeNull();
    // A key still switches it on for this page.
    await page.keyboard.press('t');
    await waitFor(page, () => (document.querySelector('.ticker') as HTMLElement | null)?.hidden === false, 'the ticker on by key');
    // And the organiser's next change of the same feature wins again.
    await api.updateEvent(EVENT, { settings: { wall: ALL_ON } });
    await waitFor(page, () => (document.querySelector('.counters') as HTMLElement | null)?.hidden === false, 'the counters back');
    expect(await w(page, (h) => h.features())).toEqual(ALL_ON);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
