// The organiser's screens in real headless Chromium against the real server: log in, create an event, import a
// CSV (a bad file refused whole with its row errors, then a good one), bind badges, mint a station token and see
// it come online, connect two people from the phone profile page and see the link on an open wall, remove it
// from moderation, hide a person, announce, and export. Screenshots go to artifacts/admin-*.png.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, Api, ROOT, ServerProcess, freePort, launchBrowser, waitFor } from './harness';

const EVENT = 'admin-e2e';
const ART = join(ROOT, 'artifacts');

// Line 3 has no name and a broken e-mail, line 5 repeats line 2's e-mail, line 6 has a malformed badge.
const BAD_CSV = [
  'name,email,company,major,badge,shoe size',
  'Ada Lovelace,ada@example.org,Analytical Engines,Mathematics,,38',
  ',not-an-email,Nowhere,,,40',
  'Bob Builder,bob@example.org,,Engineering,,44',
  'Ada Again,ADA@example.org,,,,39',
  'Cy Twiss,cy@example.org,,,04XYZ,41',
].join('\n');

const GOOD_CSV = [
  '\uFEFFname,email,company,major,badge',
  'Ada Lovelace,ada@example.org,Analytical Engines,Mathematics,',
  'Bob Builder,bob@example.org,,Engineering,',
  '"Twiss, Cy",cy@example.org,"Quotes, Commas & Co",Physics,',
  'Dee Okafor,dee@example.org,Contoso,Design,04A1B2C3',
  'Eve Martin,eve@example.org,Fabrikam,Music,',
].join('\r\n');

interface ProfileRow {
  id: string;
  name: string;
  email: string;
  tags: string[];
  hidden: boolean;
}

let server: ServerProcess;
let api: Api;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];

async function newPage(width = 1440, height = 900): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

async function profiles(): Promise<ProfileRow[]> {
  const r = await api.request<{ items: ProfileRow[]; total: number }>('GET', `/api/events/${EVENT}/profiles?limit=200`);
  return r.items;
}

async function byEmail(email: string): Promise<ProfileRow> {
  const p = (await profiles()).find((x) => x.email === email);
  if (!p) throw new Error(`no profile ${email}`);
  return p;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ART, { recursive: true });
  await page.screenshot({ path: join(ART, name) });
}

async function tab(page: Page, label: string): Promise<void> {
  await page.getByRole('tab', { name: label }).click();
  await page.locator('.tab.active', { hasText: label }).waitFor();
}

async function confirm(page: Page, button: string): Promise<void> {
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  await dlg.getByRole('button', { name: button, exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  const b = await launchBrowser();
  closeBrowser = b.close;
  context = await b.browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('organiser screens', () => {
  let admin: Page;
  let wall: Page;

  it('logs in, refusing a wrong password in words', async () => {
    admin = await newPage();
    await admin.goto(`${server.base}/admin`);
    await admin.getByLabel('Password').fill('wrong password');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.locator('.status-error', { hasText: 'wrong username or password' }).waitFor();
    await shot(admin, 'admin-login.png');
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('heading', { name: 'New event' }).waitFor();
    // The session survives a reload (sessionStorage), and a bad token sends the organiser back to the login.
    await admin.reload();
    await admin.getByRole('heading', { name: 'New event' }).waitFor();
  });

  it('creates an event, checking the form first', async () => {
    await admin.getByLabel('Id (in the wall address)').fill('Not Valid!');
    await admin.getByRole('button', { name: 'Create event' }).click();
    await admin.locator('.field-error', { hasText: 'Give the event a name.' }).waitFor();
    expect(await admin.locator('.field-error', { hasText: 'lowercase letters' }).isVisible()).toBe(true);
    await admin.getByLabel('Name', { exact: true }).fill('Admin E2E Night');
    await admin.getByLabel('Id (in the wall address)').fill(EVENT);
    await admin.getByLabel('First day').fill('2026-05-01');
    await admin.getByLabel('Last day').fill('2026-05-02');
    await admin.getByRole('button', { name: 'Create event' }).click();
    await admin.locator('.tab.active', { hasText: 'Import CSV' }).waitFor();
    expect(await admin.locator('.event-title').textContent()).toBe('Admin E2E Night');
    expect(await admin.locator('.event-link.active .event-name').textContent()).toBe('Admin E2E Night');
    const ev = await api.request<{ startsAt: string; settings: { publicWall: boolean } }>('GET', `/api/events/${EVENT}`);
    expect(ev.startsAt).toBe('2026-05-01');
    expect(ev.settings.publicWall).toBe(true);
  });

  it('previews a CSV with bad rows, shows line, column and why, and creates nobody', async () => {
    await admin.locator('#csv-file').setInputFiles({ name: 'attendees-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await admin.locator('.preview-table').waitFor();
    const bad = admin.locator('.preview-table tr.bad');
    expect(await bad.count()).toBe(3);
    const line3 = admin.locator('.preview-table tr[data-line="3"]');
    expect(await line3.locator('td').first().textContent()).toBe('3');
    expect(await line3.locator('.problems').textContent()).toContain('email:');
    expect(await line3.locator('.problems').textContent()).toContain('not a valid e-mail');
    expect(await admin.locator('.preview-table tr[data-line="5"] .problems').textContent()).toContain('already used on line 2');
    expect(await admin.locator('.preview-table tr[data-line="6"] .problems').textContent()).toContain('badge');
    expect(await admin.locator('.preview-table tr[data-line="2"] .ok-mark').count()).toBe(1);
    expect(await admin.locator('.note').textContent()).toContain('shoe size');
    expect(await admin.locator('.status-error').textContent()).toContain('nothing can be imported');
    expect(await admin.getByRole('button', { name: /^Import \d+ attendees?$/ }).isDisabled()).toBe(true);
    await shot(admin, 'admin-import-errors.png');
    expect(await profiles()).toEqual([]);
  });

  it('imports a good file (BOM, CRLF, quoted commas) all at once', async () => {
    await admin.locator('#csv-file').setInputFiles({ name: 'attendees.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD_CSV) });
    await admin.locator('.status-ok', { hasText: '5 attendees ready to import from attendees.csv' }).waitFor();
    expect(await admin.locator('.preview-table tr.bad').count()).toBe(0);
    expect(await admin.locator('.preview-table tr[data-line="4"] td').nth(1).textContent()).toBe('Twiss, Cy');
    await shot(admin, 'admin-import.png');
    await admin.getByRole('button', { name: 'Import 5 attendees' }).click();
    await admin.locator('.status-ok', { hasText: 'Imported 5 attendees from attendees.csv.' }).waitFor();
    const list = await profiles();
    expect(list.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Bob Builder', 'Dee Okafor', 'Eve Martin', 'Twiss, Cy']);
    expect(list.find((p) => p.name === 'Dee Okafor')?.tags).toEqual(['04A1B2C3']);
  });

  it('searches attendees and binds badges, refusing one bound to someone else by name', async () => {
    await admin.getByRole('link', { name: 'See the attendees →' }).click();
    await admin.locator('.people-table tbody tr').nth(4).waitFor();
    await shot(admin, 'admin-people.png');
    await admin.getByLabel('Search attendees').fill('bob');
    await waitFor(admin, () => document.querySelectorAll('.people-table tbody tr').length === 1, 'the search');
    await admin.getByRole('button', { name: 'Edit & badges' }).click();
    const dlg = admin.locator('dialog[open]');
    const uidField = dlg.getByLabel(/Badge UID/);
    // A typo is explained before anything is sent.
    await uidField.fill('04:A1:ZZ');
    await dlg.getByRole('button', { name: 'Bind badge' }).click();
    await dlg.locator('.field-error', { hasText: 'not a badge UID' }).waitFor();
    // Dee already wears 04A1B2C3: refused with her name.
    await uidField.fill('04 a1 b2 c3');
    await dlg.getByRole('button', { name: 'Bind badge' }).click();
    await dlg.locator('.status-error', { hasText: 'already bound to Dee Okafor' }).waitFor();
    // A keyboard-wedge reader types the UID and Enter.
    await uidField.fill('04:11:22:33:44:55:66');
    await uidField.press('Enter');
    await dlg.locator('.status-ok', { hasText: 'Badge 04112233445566 typed and bound to Bob Builder.' }).waitFor();
    expect(await dlg.locator('.badge-list li .mono').textContent()).toBe('04112233445566');
    await shot(admin, 'admin-badges.png');
    await dlg.getByRole('button', { name: 'Close' }).click();
    expect((await byEmail('bob@example.org')).tags).toEqual(['04112233445566']);
    await waitFor(admin, () => document.querySelector('.people-table tbody tr td.mono')?.textContent === '04112233445566', 'the badge in the list');
  });

  it('mints a station token shown as QR code and text, sees it online, revokes it', async () => {
    await tab(admin, 'Devices');
    await admin.getByRole('button', { name: 'Mint token' }).click();
    await admin.locator('.field-error', { hasText: 'Name the device' }).waitFor();
    await admin.getByLabel('Name', { exact: true }).fill('Booth 1');
    await admin.getByLabel('Role', { exact: true }).selectOption('station');
    await admin.getByRole('button', { name: 'Mint token' }).click();
    const item = admin.locator('.device', { hasText: 'Booth 1' });
    await item.locator('.qr-canvas').waitFor();
    expect(await item.locator('.qr-canvas').isVisible()).toBe(true);
    const token = await item.locator('textarea.token-text').inputValue();
    const devices = await api.request<Array<{ id: string; name: string }>>('GET', `/api/events/${EVENT}/devices`);
    const booth = devices.find((d) => d.name === 'Booth 1');
    expect(booth).toBeDefined();
    const again = await api.request<{ token: string }>('GET', `/api/events/${EVENT}/devices/${booth?.id}`);
    expect(token).toBe(again.token);
    expect(await item.locator('[data-status]').textContent()).toBe('Offline');
    // The QR code really encodes something: it has dark and light pixels.
    const dark = await item.locator('.qr-canvas').evaluate((c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d');
      const d = ctx?.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if ((d[i] ?? 255) < 100) n++;
      return n / (d.length / 4);
    });
    expect(dark).toBeGreaterThan(0.2);
    expect(dark).toBeLessThan(0.6);

    // A station connects with the token: the admin sees it online, live.
    const station = await newPage(400, 300);
    await station.goto(`${server.base}/healthz`);
    await station.evaluate(
      ({ token, event }) => {
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`);
        (window as unknown as { __stationClose: number | null }).__stationClose = null;
        ws.onopen = () => ws.send(JSON.stringify({ action: 'subscribe', eventId: event }));
        ws.onclose = (e) => {
          (window as unknown as { __stationClose: number | null }).__stationClose = e.code;
        };
      },
      { token, event: EVENT },
    );
    await item.locator('[data-status="online"]').waitFor();
    await admin.getByLabel('Name', { exact: true }).fill('Hall kiosk');
    await admin.getByLabel('Role', { exact: true }).selectOption('kiosk');
    await admin.getByRole('button', { name: 'Mint token' }).click();
    await admin.locator('.device', { hasText: 'Hall kiosk' }).locator('.qr-canvas').waitFor();
    await shot(admin, 'admin-devices.png');

    await item.getByRole('button', { name: 'Revoke' }).click();
    await confirm(admin, 'Revoke');
    await item.locator('[data-status="revoked"]').waitFor();
    expect(await waitFor(station, () => (window as unknown as { __stationClose: number | null }).__stationClose, 'the station to be disconnected')).toBe(4001);
    await station.close();
  });

  it('connects two people from the phone page, shows it on the wall, and removes it from moderation', async () => {
    wall = await newPage(1280, 720);
    await wall.goto(`${server.base}/wall/${EVENT}`);
    await waitFor(wall, () => window.__livewall?.status() === 'live' && window.__livewall.nodeCount() === 5, 'the wall');
    expect(await wall.evaluate(() => window.__livewall?.linkCount())).toBe(0);

    await tab(admin, 'Moderation');
    await admin.locator('.muted', { hasText: 'No connections yet.' }).waitFor();

    const ada = await byEmail('ada@example.org');
    const bob = await byEmail('bob@example.org');
    const link = async (id: string) =>
      `${server.base}${(await api.request<{ path: string }>('GET', `/api/events/${EVENT}/profiles/${id}/badge-link`)).path}`;
    // A stranger's phone sees Ada, never her e-mail, and is told how to connect.
    const stranger = await newPage(390, 844);
    await stranger.goto(await link(ada.id));
    expect(await stranger.locator('h1').textContent()).toBe('Ada Lovelace');
    expect(await stranger.content()).not.toContain('ada@example.org');
    await stranger.getByText('Tap your own badge with this phone first', { exact: false }).first().waitFor();
    await stranger.close();
    // Bob's phone: his own badge first ("This is my badge"), then Ada's, and one tap connects them.
    const phone = await newPage(390, 844);
    await phone.goto(await link(bob.id));
    await phone.getByRole('button', { name: 'This is my badge' }).click();
    await phone.locator('h1', { hasText: 'Hello, Bob Builder!' }).waitFor();
    await phone.goto(await link(ada.id));
    await shot(phone, 'phone-profile.png');
    await phone.getByRole('button', { name: 'Connect Bob Builder with Ada Lovelace' }).click();
    await phone.locator('h1', { hasText: 'Connected!' }).waitFor();
    await shot(phone, 'phone-connected.png');
    // The same pair again is friendly.
    await phone.goto(await link(ada.id));
    await phone.getByRole('button', { name: /^Connect/ }).click();
    await phone.locator('h1', { hasText: 'Already connected' }).waitFor();
    await phone.close();

    await waitFor(wall, () => window.__livewall?.linkCount() === 1, 'the link on the wall');
    await waitFor(wall, () => window.__livewall?.lastCaption() === 'Bob Builder ↔ Ada Lovelace', 'the caption');

    // Moderation lists it live; removing it takes it off the wall.
    const row = admin.locator('.conn-table tbody tr', { hasText: 'Ada Lovelace' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Bob Builder');
    await api.connect(EVENT, 'dee@example.org', 'eve@example.org');
    await admin.locator('.conn-table tbody tr', { hasText: 'Dee Okafor' }).waitFor();
    await waitFor(wall, () => window.__livewall?.linkCount() === 2, 'the second link on the wall');
    await shot(admin, 'admin-moderation.png');
    await row.getByRole('button', { name: /^Remove/ }).click();
    await confirm(admin, 'Remove');
    await admin.locator('.status-ok', { hasText: 'Removed Bob Builder ↔ Ada Lovelace.' }).waitFor();
    await waitFor(wall, () => window.__livewall?.linkCount() === 1, 'the link to leave the wall');
    expect(await admin.locator('.conn-table tbody tr').count()).toBe(1);
  });

  it('hides a person and deletes another (after confirmation): both leave the wall', async () => {
    await tab(admin, 'Attendees');
    const row = admin.locator('.people-table tbody tr', { hasText: 'Eve Martin' });
    await row.getByRole('button', { name: 'Hide' }).click();
    await admin.locator('.status-ok', { hasText: 'Eve Martin is hidden' }).waitFor();
    await waitFor(wall, () => window.__livewall?.nodeCount() === 4 && window.__livewall.linkCount() === 0, 'Eve to leave the wall');
    expect(await row.locator('.pill').textContent()).toBe('hidden');
    expect((await byEmail('eve@example.org')).hidden).toBe(true);

    const bob = admin.locator('.people-table tbody tr', { hasText: 'Bob Builder' });
    await bob.getByRole('button', { name: 'Delete' }).click();
    await confirm(admin, 'Cancel');
    expect(await bob.count()).toBe(1);
    await bob.getByRole('button', { name: 'Delete' }).click();
    await confirm(admin, 'Delete');
    await admin.locator('.status-ok', { hasText: 'Bob Builder was deleted.' }).waitFor();
    await waitFor(wall, () => window.__livewall?.nodeCount() === 3, 'Bob to leave the wall');
    expect((await profiles()).map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Dee Okafor', 'Eve Martin', 'Twiss, Cy']);
  });

  it('shows live statistics and sends and clears an announcement', async () => {
    await tab(admin, 'Live & announce');
    await admin.locator('[data-stat="people"] .stat-card-value', { hasText: '3' }).waitFor();
    expect(await admin.locator('[data-stat="hidden"] .stat-card-value').textContent()).toBe('1');
    // A new connection updates the figures live.
    const before = await api.request<{ connections: number }>('GET', `/api/events/${EVENT}/stats`);
    expect(await admin.locator('[data-stat="connections"] .stat-card-value').textContent()).toBe(String(before.connections));
    await api.connect(EVENT, 'ada@example.org', 'dee@example.org');
    await admin.locator('[data-stat="connections"] .stat-card-value', { hasText: String(before.connections + 1) }).waitFor();
    await admin.locator('.top-list li', { hasText: 'Ada Lovelace' }).waitFor();

    await admin.getByRole('button', { name: 'Show banner' }).click();
    await admin.locator('.status-error', { hasText: 'Type the message' }).waitFor();
    await admin.getByLabel('Message').fill('Keynote starts in 5 minutes');
    await admin.getByLabel('Both').check();
    await admin.getByRole('button', { name: 'Show banner' }).click();
    await admin.locator('.status-ok', { hasText: 'Shown on walls and stations.' }).waitFor();
    await waitFor(wall, () => document.querySelector('.banner:not([hidden])')?.textContent === 'Keynote starts in 5 minutes', 'the banner');
    expect(await admin.locator('[data-audience="walls"] .current-text').textContent()).toBe('Keynote starts in 5 minutes');
    await shot(admin, 'admin-live.png');
    await admin.getByRole('button', { name: 'Clear on walls' }).click();
    await waitFor(wall, () => document.querySelector('.banner')?.hasAttribute('hidden') === true, 'the banner to clear');
    await shot(wall, 'admin-wall-after.png');
  });

  it('exports connections and people as CSV, with only those who agreed to be shared', async () => {
    // Ada, Dee and Cy agreed to be shared as leads; Eve did not, so she leaves the event as a pseudonym.
    const page = await api.request<{ items: { id: string; email: string }[] }>('GET', `/api/events/${EVENT}/profiles?limit=100`);
    for (const p of page.items.filter((p) => ['ada@example.org', 'dee@example.org', 'cy@example.org'].includes(p.email))) {
      await api.request('PATCH', `/api/events/${EVENT}/profiles/${p.id}`, { consent: { lead: true } });
    }
    await tab(admin, 'Settings & export');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Connections (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`${EVENT}-connections.csv`);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('id,created_at,from_id,from_name,from_email,to_id,to_name,to_email,device_id,station');
    // One line per stored connection (Dee–Eve and Ada–Dee); the removed Ada–Bob is gone.
    const stored = await api.request<unknown[]>('GET', `/api/events/${EVENT}/connections`);
    expect(stored).toHaveLength(2);
    expect(lines).toHaveLength(1 + stored.length);
    expect(csv).toContain('dee@example.org');
    expect(csv).toContain('Ada Lovelace');
    expect(csv).not.toContain('bob@example.org');
    expect(csv).not.toContain('eve@example.org');
    expect(csv).toContain(',anon-');
    await admin.locator('.status-ok', { hasText: `Downloaded ${EVENT}-connections.csv` }).waitFor();

    const [people] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'People (CSV)' }).click()]);
    const pcsv = readFileSync(await people.path(), 'utf8');
    expect(pcsv).toContain('"Twiss, Cy",cy@example.org');
    expect(pcsv).toContain('04A1B2C3');
    expect(pcsv).not.toContain('bob@example.org');
    await shot(admin, 'admin-settings.png');
  });

  it('edits the event settings and deletes an event after confirmation', async () => {
    await admin.getByLabel('Initials only').check();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.locator('.status-ok', { hasText: 'Saved.' }).waitFor();
    await waitFor(wall, () => document.querySelector('.board-name')?.textContent?.length === 2, 'initials on the wall');

    await api.createEvent('doomed', 'Doomed Event', { publicWall: false, initialsOnly: false });
    await admin.reload();
    await admin.getByRole('link', { name: /Doomed Event/ }).click();
    await tab(admin, 'Settings & export');
    await admin.getByRole('button', { name: 'Delete this event…' }).click();
    // Cancel keeps it.
    await confirm(admin, 'Cancel');
    await api.request('GET', '/api/events/doomed');
    await admin.getByRole('button', { name: 'Delete this event…' }).click();
    await confirm(admin, 'Delete event');
    await admin.getByRole('heading', { name: 'New event' }).waitFor();
    expect(await admin.getByRole('link', { name: /Doomed Event/ }).count()).toBe(0);
    await expect(api.request('GET', '/api/events/doomed')).rejects.toThrow(/404/);
  });

  it('goes back to the login when the session is no longer valid', async () => {
    await admin.evaluate(() => {
      const raw = sessionStorage.getItem('livewall.admin.session') ?? '{}';
      sessionStorage.setItem('livewall.admin.session', JSON.stringify({ ...JSON.parse(raw), token: 'not-a-token' }));
    });
    await admin.reload();
    await admin.locator('.status-error', { hasText: 'Your session ended' }).waitFor();
    expect(await admin.getByRole('button', { name: 'Log in' }).isVisible()).toBe(true);
    await wall.close();
    await admin.close();
    expect(pageErrors).toEqual([]);
  });
});
