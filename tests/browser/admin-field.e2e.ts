// The organiser's screens at the door, in real headless Chromium against the real server: add a walk-in attendee
// (and see a second one with the same e-mail refused next to the e-mail field), import a file with one bad row by
// leaving that row out, and mint a station whose setup link (text, copy button and QR code) is the one the server
// answers. (The desktop app's own additions to these screens are tested in the real app, tests/desktop.)
// Screenshots go to artifacts/admin-*.png.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ADMIN_PASSWORD, Api, ROOT, ServerProcess, freePort, launchBrowser } from './harness';

const EVENT = 'field-e2e';
const IMPORT_EVENT = 'field-import';
const ART = join(ROOT, 'artifacts');

// Line 3 has no name: the server refuses that row and only that row.
const PARTIAL_CSV = [
  'name,email,company',
  'Katherine Johnson,katherine@example.org,NASA Langley',
  ',nameless@example.org,Nowhere',
  'Dorothy Vaughan,dorothy@example.org,NASA Langley',
  'Mary Jackson,mary@example.org,NASA Langley',
].join('\n');

interface ProfileRow {
  id: string;
  name: string;
  email: string;
  company: string | null;
}

let server: ServerProcess;
let api: Api;
let closeBrowser: () => Promise<void>;
let newContext: () => Promise<BrowserContext>;
let context: BrowserContext;
const pageErrors: string[] = [];

async function newPage(ctx: BrowserContext = context, width = 1440, height = 900): Promise<Page> {
  const page = await ctx.newPage();
  await page.setViewportSize({ width, height });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

async function profiles(event: string): Promise<ProfileRow[]> {
  const r = await api.request<{ items: ProfileRow[]; total: number }>('GET', `/api/events/${event}/profiles?limit=200`);
  return r.items;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ART, { recursive: true });
  await page.screenshot({ path: join(ART, name) });
}

async function tab(page: Page, label: string): Promise<void> {
  await page.getByRole('tab', { name: label }).click();
  await page.locator('.tab.active', { hasText: label }).waitFor();
}

interface QrMatrix {
  addData(text: string): void;
  make(): void;
  getModuleCount(): number;
  isDark(row: number, col: number): boolean;
}
type QrFactory = (typeNumber: 0, level: 'L' | 'M' | 'Q' | 'H') => QrMatrix;
// The UI's own QR library, loaded from ui/node_modules (the browser tests have no node_modules of their own).
const QR_LIBRARY = join(ROOT, 'ui', 'node_modules', 'qrcode-generator', 'dist', 'qrcode.mjs');

/**
 * Whether the QR code drawn on `canvas` is that of `text`: the modules read off the canvas's pixels equal those of
 * `text` encoded at one of the four error-correction levels. Null when it is not, else the level.
 */
async function qrLevel(canvas: Locator, text: string): Promise<string | null> {
  const { default: qrcode } = (await import(QR_LIBRARY)) as { default: QrFactory };
  const px = await canvas.evaluate((c) => {
    const el = c as HTMLCanvasElement;
    const d = el.getContext('2d')?.getImageData(0, 0, el.width, el.height).data;
    let bits = '';
    if (d) for (let i = 0; i < d.length; i += 4) bits += (d[i] ?? 255) < 128 ? '1' : '0';
    return { w: el.width, h: el.height, bits };
  });
  const dark = (x: number, y: number) => px.bits[y * px.w + x] === '1';
  // The code's extent: from the first to the last dark pixel (the finder patterns sit in three corners).
  let minX = px.w;
  let minY = px.h;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < px.h; y++)
    for (let x = 0; x < px.w; x++)
      if (dark(x, y)) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
  if (maxX < 0) return null;
  for (const level of ['L', 'M', 'Q', 'H'] as const) {
    const qr = qrcode(0, level);
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    const span = maxX - minX + 1;
    if (span % n !== 0 || maxY - minY + 1 !== span) continue;
    const cell = span / n;
    let same = true;
    for (let r = 0; r < n && same; r++)
      for (let c = 0; c < n && same; c++) {
        const x = minX + Math.floor((c + 0.5) * cell);
        const y = minY + Math.floor((r + 0.5) * cell);
        same = dark(x, y) === qr.isDark(r, c);
      }
    if (same) return level;
  }
  return null;
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Field Night', { publicWall: true, initialsOnly: false });
  await api.createEvent(IMPORT_EVENT, 'Field Import', { publicWall: true, initialsOnly: false });
  await api.addProfiles(EVENT, [
    { name: 'Ada Lovelace', email: 'ada@example.org', company: 'Analytical Engines' },
    { name: 'Alan Turing', email: 'alan@example.org', company: 'Bletchley Park' },
  ]);
  const b = await launchBrowser();
  closeBrowser = b.close;
  newContext = async () => {
    const ctx = await b.browser.newContext();
    ctx.setDefaultTimeout(15_000);
    return ctx;
  };
  context = await newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('organiser screens at the door', () => {
  let admin: Page;

  it('logs in from a plain browser, which shows nothing of the desktop app', async () => {
    admin = await newPage();
    await admin.goto(`${server.base}/admin`);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    expect(await admin.locator('.embedded-box').count()).toBe(0);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('heading', { name: 'New event' }).waitFor();
    await admin.locator('.event-link', { hasText: 'Field Night' }).waitFor();
    expect(await admin.locator('.side-join').isHidden()).toBe(true);
    expect(await admin.getByText(/Devices join at/).count()).toBe(0);
  });

  it('adds a walk-in attendee, then refuses a second one with the same e-mail next to the e-mail field', async () => {
    await admin.getByRole('link', { name: /Field Night/ }).click();
    await admin.locator('.people-table tbody tr').nth(1).waitFor();
    await admin.getByText('Add a walk-in attendee').click();
    const walkin = admin.locator('.walkin-form');
    await walkin.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    await walkin.getByLabel('E-mail', { exact: true }).fill('grace@example.org');
    await walkin.getByLabel('Company', { exact: true }).fill('US Navy');
    await walkin.getByRole('button', { name: 'Add attendee' }).click();
    await walkin.locator('.status-ok', { hasText: 'Grace Hopper was added. They are shown in the list below.' }).waitFor();
    // The list shows her (searched by her e-mail), and the form is empty for the next one.
    const rows = admin.locator('.people-table tbody tr');
    await rows.filter({ hasText: 'Grace Hopper' }).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('grace@example.org');
    expect(await rows.first().locator('td').nth(2).textContent()).toBe('US Navy');
    expect(await admin.getByLabel('Search attendees').inputValue()).toBe('grace@example.org');
    expect(await walkin.getByLabel('Name', { exact: true }).inputValue()).toBe('');
    await shot(admin, 'admin-walkin.png');
    let stored = await profiles(EVENT);
    expect(stored.filter((p) => p.email.toLowerCase() === 'grace@example.org')).toEqual([
      expect.objectContaining({ name: 'Grace Hopper', email: 'grace@example.org', company: 'US Navy' }),
    ]);
    expect(stored).toHaveLength(3);

    // The same e-mail again: the server answers 409 with its message, shown under the e-mail field.
    await walkin.getByLabel('Name', { exact: true }).fill('Grace B. Hopper');
    await walkin.getByLabel('E-mail', { exact: true }).fill('grace@example.org');
    await walkin.getByRole('button', { name: 'Add attendee' }).click();
    // The field's own error line: the one its input names in aria-describedby, inside the same field.
    const errorOf = async (label: string) => {
      const input = walkin.getByLabel(label, { exact: true });
      const id = `${await input.getAttribute('id')}-err`;
      expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain(id);
      return walkin.locator('.field').locator(`[id="${id}"]`);
    };
    const emailError = await errorOf('E-mail');
    await emailError.filter({ hasText: 'email grace@example.org is already used by Grace Hopper in this event' }).waitFor();
    expect(await emailError.isVisible()).toBe(true);
    expect(await walkin.getByLabel('E-mail', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await (await errorOf('Name')).isHidden()).toBe(true);
    expect(await walkin.locator('.status-error').textContent()).toBe('Nobody was added: fix the fields marked above.');
    expect(await rows.count()).toBe(1);
    await shot(admin, 'admin-walkin-duplicate.png');
    stored = await profiles(EVENT);
    expect(stored.filter((p) => p.email.toLowerCase() === 'grace@example.org')).toHaveLength(1);
    expect(stored.map((p) => p.name).sort()).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
  });

  it('imports the rows of a file without problems, leaving out the bad one by its line', async () => {
    await admin.getByRole('link', { name: /Field Import/ }).click();
    await tab(admin, 'Import CSV');
    await admin.locator('#csv-file').setInputFiles({ name: 'field-partial.csv', mimeType: 'text/csv', buffer: Buffer.from(PARTIAL_CSV) });
    await admin.locator('.preview-table').waitFor();
    expect(await admin.locator('.preview-table tr.bad').count()).toBe(1);
    expect(await admin.locator('.preview-table tr[data-line="3"] .problems').textContent()).toBe('name: name must not be empty');
    for (const line of ['2', '4', '5']) {
      expect(await admin.locator(`.preview-table tr[data-line="${line}"] .ok-mark`).count()).toBe(1);
    }
    expect(await admin.locator('.status-error').textContent()).toBe(
      '1 problem in 1 of 4 rows: nothing can be imported until they are fixed. Or import only the 3 rows without problems.',
    );
    expect(await admin.getByRole('button', { name: 'Import 4 attendees' }).isDisabled()).toBe(true);
    const skip = admin.getByRole('button', { name: 'Import the 3 rows without problems' });
    expect(await skip.isEnabled()).toBe(true);
    expect(await profiles(IMPORT_EVENT)).toEqual([]);
    await shot(admin, 'admin-import-partial.png');

    await skip.click();
    await admin
      .locator('.status-ok', { hasText: 'Imported 3 attendees from field-partial.csv; skipped 1 row with problems (see the list).' })
      .waitFor();
    const left = admin.locator('table[aria-label="Rows left out"] tbody tr');
    expect(await left.count()).toBe(1);
    expect(await left.locator('td').allTextContents()).toEqual(['3', 'name', 'name must not be empty']);
    expect(await skip.isHidden()).toBe(true);
    await admin.getByRole('link', { name: 'See the attendees →' }).waitFor();
    await shot(admin, 'admin-import-partial-done.png');
    const stored = await profiles(IMPORT_EVENT);
    expect(stored.map((p) => [p.name, p.email]).sort()).toEqual([
      ['Dorothy Vaughan', 'dorothy@example.org'],
      ['Katherine Johnson', 'katherine@example.org'],
      ['Mary Jackson', 'mary@example.org'],
    ]);
  });

  it('mints a station whose setup link, copy button and QR code carry what the server answers', async () => {
    await admin.getByRole('link', { name: /Field Night/ }).click();
    await tab(admin, 'Devices');
    await admin.getByLabel('Name', { exact: true }).fill('Door station');
    await admin.getByLabel('Role', { exact: true }).selectOption('station');
    await admin.getByRole('button', { name: 'Mint token' }).click();
    const item = admin.locator('.device', { hasText: 'Door station' });
    const linkBox = item.locator('textarea.setup-link');
    await linkBox.waitFor();
    const shown = await linkBox.inputValue();

    const devices = await api.request<Array<{ id: string; name: string }>>('GET', `/api/events/${EVENT}/devices`);
    const door = devices.find((d) => d.name === 'Door station');
    if (!door) throw new Error('the server has no device "Door station"');
    const answered = await api.request<{ token: string; setupLink: string }>('GET', `/api/events/${EVENT}/devices/${door.id}`);
    expect(shown).toBe(answered.setupLink);
    expect(answered.setupLink).toBe(`${server.base}/setup#role=station&event=${EVENT}&token=${encodeURIComponent(answered.token)}`);
    expect(await item.locator('textarea.token-text').inputValue()).toBe(answered.token);
    // The QR code is that of the same link, not of the token alone.
    const qr = item.locator('.qr-canvas');
    expect(await qr.isVisible()).toBe(true);
    expect(await qrLevel(qr, answered.setupLink)).not.toBeNull();
    expect(await qrLevel(qr, answered.token)).toBeNull();
    // The copy button puts exactly that link on the clipboard.
    await item.getByRole('button', { name: 'Copy setup link' }).click();
    await item.locator('.muted', { hasText: 'Copied.' }).waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(answered.setupLink);
    await shot(admin, 'admin-devices-setup-link.png');

    // After a reload the link is fetched again from the server, and is the same.
    await admin.reload();
    await item.getByRole('button', { name: 'Show setup link' }).click();
    await linkBox.waitFor();
    expect(await linkBox.inputValue()).toBe(answered.setupLink);
    await admin.close();
  });
});
