// The wall in real headless Chromium against the real server: live connections, odd names, hidden people,
// settings, a private event with a token, a server restart, and a screenshot of the demo event.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, ROOT, ServerProcess, freePort, hook, launchBrowser, waitFor } from './harness';

const EVENT = 'e2e-night';
const people = [
  { name: 'Elijah Zhou', email: 'elijah@example.org', major: 'Computer Science', avatar: '/avatars/demo-0000.svg' },
  { name: 'Aurora Cheng', email: 'aurora@example.org', major: 'Design' },
  { name: 'Nadia Haddad', email: 'nadia@example.org', major: 'Design', avatar: 'https://avatar.invalid/missing.png' },
  { name: 'A'.repeat(200), email: 'long@example.org', major: 'Physics' },
  { name: '🎉 Party Parrot 🦜', email: 'emoji@example.org', company: 'Contoso' },
  { name: 'ليلى حداد', email: 'rtl@example.org', major: 'Music' },
  { name: 'Kenji Tanaka', email: 'kenji@example.org', major: 'Physics', avatar: '/avatars/no-such-avatar.svg' },
  { name: 'Hidden Person', email: 'hidden@example.org', major: 'Music' },
];

let server: ServerProcess;
let api: Api;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];

async function openWall(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.base}${path}`);
  return page;
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'E2E Night', { publicWall: true, initialsOnly: false, joinUrl: 'https://example.org/join/e2e' });
  await api.addProfiles(EVENT, people);
  await api.connect(EVENT, 'elijah@example.org', 'nadia@example.org');
  await api.connect(EVENT, 'long@example.org', 'emoji@example.org');
  await api.connect(EVENT, 'rtl@example.org', 'kenji@example.org');
  ({ browser, close: closeBrowser } = await launchBrowser());
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('live wall', () => {
  it('draws the snapshot and shows connections posted through the API as they happen', async () => {
    const page = await openWall(`/wall/${EVENT}`);
    const h = hook(page);
    await waitFor(page, () => window.__livewall?.nodeCount() === 8 && window.__livewall.linkCount() === 3, 'the snapshot');
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
    expect(await page.locator('.wall-title').textContent()).toBe('E2E Night');
    expect(await page.locator('.qr-code').isVisible()).toBe(true);

    await api.connect(EVENT, 'elijah@example.org', 'aurora@example.org');
    await waitFor(page, () => window.__livewall?.linkCount() === 4, 'the new link');
    await waitFor(page, () => window.__livewall?.lastCaption() === 'Elijah Zhou ↔ Aurora Cheng', 'the caption');
    expect(await page.locator('.caption').textContent()).toContain('Aurora Cheng');

    // A duplicate tap changes nothing.
    const dup = await api.connect(EVENT, 'aurora@example.org', 'elijah@example.org');
    expect(dup.duplicate).toBe(true);

    // Leaderboard: Elijah has two connections and leads.
    await waitFor(page, () => document.querySelector('.board-name')?.textContent === 'Elijah Zhou', 'the leaderboard');
    expect(await page.locator('.stat-value').first().textContent()).toBe('8');

    // A rush of taps: all arrive, the caption stays readable (coalesced).
    const emails = people.map((p) => p.email).filter((e) => e !== 'hidden@example.org');
    const posts: Array<Promise<unknown>> = [];
    for (let i = 0; i < emails.length; i++)
      for (let j = i + 1; j < emails.length; j++) posts.push(api.connect(EVENT, emails[i] ?? '', emails[j] ?? ''));
    await Promise.all(posts);
    await waitFor(page, () => window.__livewall?.linkCount() === 21, 'all 21 pairs');
    expect((await h.counts())?.nodes).toBe(8);
    await page.close();
  });

  it('removes a person hidden by the organiser and follows the initials-only setting', async () => {
    const page = await openWall(`/wall/${EVENT}`);
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    await api.connect(EVENT, 'hidden@example.org', 'kenji@example.org');
    await waitFor(page, () => window.__livewall?.nodeCount() === 8 && window.__livewall.linkCount() === 22, 'the link');
    const profiles = await (
      await fetch(`${server.base}/api/events/${EVENT}/profiles`, {
        headers: { Authorization: `Bearer ${await adminToken()}` },
      })
    ).json();
    const list: Array<{ id: string; email: string }> = Array.isArray(profiles) ? profiles : profiles.items ?? profiles.profiles;
    const hidden = list.find((p) => p.email === 'hidden@example.org');
    expect(hidden).toBeDefined();
    await fetch(`${server.base}/api/events/${EVENT}/profiles/${hidden?.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({ hidden: true }),
    });
    await waitFor(page, () => window.__livewall?.nodeCount() === 7 && window.__livewall.linkCount() === 21, 'the hide');

    await api.updateEvent(EVENT, { settings: { publicWall: true, initialsOnly: true } });
    await waitFor(page, () => document.querySelector('.board-name')?.textContent?.length === 2, 'initials on the board');
    await api.connect(EVENT, 'hidden@example.org', 'aurora@example.org');
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.evaluate(() => window.__livewall?.nodeCount())).toBe(7);
    await api.updateEvent(EVENT, { settings: { publicWall: true, initialsOnly: false } });
    await page.close();
  });

  it('initials only shows EZ for Elijah Zhou on the wall and its leaderboard, not initials of initials', async () => {
    // Regression: with initials only the server already sends "EZ" as the name, and the wall initialled it again
    // ("E"). An event of its own, so Elijah leads the board whatever the other tests did.
    const ev = 'e2e-initials';
    await api.createEvent(ev, 'Initials Night', { publicWall: true, initialsOnly: true });
    await api.addProfiles(ev, [
      { name: 'Elijah Zhou', email: 'elijah@example.org' },
      { name: 'Aurora Cheng', email: 'aurora@example.org' },
      { name: 'Nadia Haddad', email: 'nadia@example.org' },
      { name: 'Kenji Tanaka', email: 'kenji@example.org' },
    ]);
    await api.connect(ev, 'elijah@example.org', 'aurora@example.org');
    await api.connect(ev, 'elijah@example.org', 'nadia@example.org');
    const page = await openWall(`/wall/${ev}`);
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    // From the snapshot: Elijah leads with two.
    await waitFor(page, () => document.querySelector('.board-name')?.textContent === 'EZ', 'EZ on the board');
    // From a live connection frame: the caption and the node labels are built from the same names.
    await api.connect(ev, 'elijah@example.org', 'kenji@example.org');
    await waitFor(page, () => window.__livewall?.lastCaption() === 'EZ ↔ KT', 'the caption in initials');
    const board = (): Promise<string[]> =>
      page.evaluate(() => Array.from(document.querySelectorAll('.board-row:not([hidden]) .board-name'), (e) => e.textContent ?? ''));
    await waitFor(page, () => document.querySelectorAll('.board-row:not([hidden])').length === 4, 'four on the board');
    // Elijah first; the others (one link each) in the order they met him.
    expect((await board())[0]).toBe('EZ');
    expect((await board()).sort()).toEqual(['AC', 'EZ', 'KT', 'NH']);

    // Toggled off and on again: the server re-sends everyone with the name to show.
    await api.updateEvent(ev, { settings: { publicWall: true, initialsOnly: false } });
    await waitFor(page, () => document.querySelector('.board-name')?.textContent === 'Elijah Zhou', 'full names again');
    await api.updateEvent(ev, { settings: { publicWall: true, initialsOnly: true } });
    await waitFor(page, () => document.querySelector('.board-name')?.textContent === 'EZ', 'EZ on the board again');
    expect((await board()).sort()).toEqual(['AC', 'EZ', 'KT', 'NH']);
    await page.close();
  });

  it('shows announcements for walls, keeps them for late joiners, and clears them', async () => {
    const page = await openWall(`/wall/${EVENT}`);
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    await api.announce(EVENT, 'Only for stations', 'stations');
    await api.announce(EVENT, 'Dinner is served 🍝', 'walls');
    await waitFor(page, () => document.querySelector('.banner:not([hidden])')?.textContent === 'Dinner is served 🍝', 'the banner');
    // A wall opened now gets the banner from the snapshot.
    const late = await openWall(`/wall/${EVENT}`);
    await waitFor(late, () => window.__livewall?.announcement() === 'Dinner is served 🍝', 'the banner for a late wall');
    await api.announce(EVENT, null, 'walls');
    await waitFor(page, () => document.querySelector('.banner')?.hasAttribute('hidden') === true, 'the banner to clear');
    await waitFor(late, () => window.__livewall?.announcement() === null, 'the banner to clear');
    await late.close();
    await page.close();
  });

  it('opens a private wall with ?token= and refuses it without', async () => {
    await api.createEvent('e2e-private', 'Private Night', { publicWall: false });
    await api.addProfiles('e2e-private', [
      { name: 'Mei Park', email: 'mei@example.org' },
      { name: 'Oscar Novak', email: 'oscar@example.org' },
    ]);
    await api.connect('e2e-private', 'mei@example.org', 'oscar@example.org');
    const denied = await openWall('/wall/e2e-private');
    await waitFor(denied, () => window.__livewall?.status() === 'failed', 'the refusal');
    expect(await denied.locator('.badge').textContent()).toContain('Cannot show this wall');
    await denied.close();
    const page = await openWall(`/wall/e2e-private?token=${encodeURIComponent(await adminToken())}`);
    await waitFor(page, () => window.__livewall?.linkCount() === 1, 'the private snapshot');
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    await api.connect('e2e-private', 'oscar@example.org', 'mei@example.org');
    await api.addProfiles('e2e-private', [{ name: 'Ava Kim', email: 'ava@example.org' }]);
    await api.connect('e2e-private', 'ava@example.org', 'mei@example.org');
    await waitFor(page, () => window.__livewall?.linkCount() === 2 && window.__livewall.nodeCount() === 3, 'the new person');
    await page.close();
  });

  it('keeps the wall through a server restart and shows what was posted meanwhile', async () => {
    const page = await openWall(`/wall/${EVENT}`);
    const h = hook(page);
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
    const before = await h.counts();
    await server.stop();
    await waitFor(page, () => window.__livewall?.status() === 'offline', 'the offline badge');
    expect(await page.locator('.badge').isVisible()).toBe(true);
    // Never blank: the last wall is still there.
    expect((await h.counts())?.links).toBe(before?.links);

    await server.start();
    await api.login();
    await api.addProfiles(EVENT, [{ name: 'Late Comer', email: 'late@example.org', major: 'Biology' }]);
    await api.connect(EVENT, 'late@example.org', 'aurora@example.org');
    await api.connect(EVENT, 'late@example.org', 'kenji@example.org');
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the reconnect', 60_000);
    await waitFor(
      page,
      () => window.__livewall?.linkCount() === 23 && window.__livewall.nodeCount() === 8,
      'the connections posted meanwhile',
      30_000,
    );
    expect(await page.locator('.badge').isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

let token = '';
async function adminToken(): Promise<string> {
  if (token) return token;
  const r = await fetch(`${server.base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'e2e-admin-password-123' }),
  });
  token = ((await r.json()) as { token: string }).token;
  return token;
}

describe('demo wall', () => {
  it('writes a screenshot of the demo event to artifacts/wall-demo.png', async () => {
    const demo = new ServerProcess(await freePort(), ['demo', '--tap-ms', '700']);
    try {
      await demo.start();
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${demo.base}/wall/demo`);
      await waitFor(page, () => (window.__livewall?.nodeCount() ?? 0) >= 150, 'the demo snapshot');
      await waitFor(page, () => window.__livewall?.lastCaption() !== null, 'a live caption', 30_000);
      // Let the avatars load and the layout settle.
      await page.waitForTimeout(4000);
      mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'artifacts', 'wall-demo.png') });
      const anomalies = await page.evaluate(() => window.__livewall?.anomalies());
      expect(anomalies?.malformed).toBe(0);
      await page.close();
      expect(pageErrors).toEqual([]);
    } finally {
      await demo.dispose();
    }
  });
});
