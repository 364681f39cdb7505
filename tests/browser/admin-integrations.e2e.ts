// The organiser-integrations screens in real headless Chromium against the real server: add a webhook (a bad
// address refused in the server's words), record a connection from a station, watch its delivery fail at a
// receiver that answers 500 once and then succeed with "Send again" (same webhook-id, signed per Standard
// Webhooks), pause, resume and delete the endpoint; set an attendee's lead consent in the person dialog; download
// the HubSpot, Salesforce and Excel exports; set the screen language. Screenshots go to artifacts/admin-*.png.

import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, Api, ROOT, ServerProcess, freePort, launchBrowser, waitFor } from './harness';

const EVENT = 'integrations-e2e';
const ART = join(ROOT, 'artifacts');
// A browser's first download can be slow on a busy machine (profile set-up): more time than other steps.
const DOWNLOAD = { timeout: 60_000 };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

interface WebhookRow {
  id: string;
  url: string;
  kinds: string[];
  secret: string;
  state: 'active' | 'paused';
  pausedReason?: string;
  failures: number;
  pending: number;
}

interface DeliveryRow {
  id: string;
  kind: string;
  state: 'pending' | 'delivered';
  attempts: number;
  recent: Array<{ status?: number; error?: string }>;
  body: string;
}

interface ProfileRow {
  id: string;
  name: string;
  email: string;
  consent: { wall: boolean; lead: boolean; updatedAt?: number; source?: string };
}

/** A webhook receiver on its own loopback port: 500 to the first request, 204 to every one after. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly srv: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = this.requests.length === 0 ? 500 : 204;
      this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered, answered === 500 ? { 'Content-Type': 'text/plain' } : {});
      res.end(answered === 500 ? 'receiver not ready' : undefined);
    });
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((ok) => this.srv.listen(0, '127.0.0.1', ok));
    const addr = this.srv.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/livewall`;
  }

  close(): Promise<void> {
    this.srv.closeAllConnections();
    return new Promise<void>((ok) => this.srv.close(() => ok()));
  }
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed by the secret after `whsec_`. */
function signatureValid(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const want = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${want}`);
}

let server: ServerProcess;
let api: Api;
let receiver: Receiver;
let stationToken: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ART, { recursive: true });
  await page.screenshot({ path: join(ART, name), fullPage: true });
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

function webhooks(): Promise<WebhookRow[]> {
  return api.request<WebhookRow[]>('GET', `/api/events/${EVENT}/webhooks`);
}

function event(): Promise<{ settings: { language?: string | null } }> {
  return api.request('GET', `/api/events/${EVENT}`);
}

async function byEmail(email: string): Promise<ProfileRow> {
  const r = await api.request<{ items: ProfileRow[] }>('GET', `/api/events/${EVENT}/profiles?limit=200`);
  const p = r.items.find((x) => x.email === email);
  if (!p) throw new Error(`no profile ${email}`);
  return p;
}

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Integrations Night', { publicWall: true, initialsOnly: false });
  await api.addProfiles(EVENT, [
    { name: 'Ada Lovelace', email: 'ada@example.org', company: 'Analytical Engines', consent: { lead: true } },
    { name: 'Bob Builder', email: 'bob@example.org', company: 'Builders Ltd' },
    { name: 'Cy Twiss', email: 'cy@example.org' },
  ]);
  const station = await api.request<{ token: string }>('POST', `/api/events/${EVENT}/devices`, { name: 'Door station', role: 'station' });
  stationToken = station.token;
  const b = await launchBrowser();
  closeBrowser = b.close;
  context = await b.browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
  await receiver?.close();
});

describe('organiser integrations', () => {
  let admin: Page;
  let hook: WebhookRow;
  let secret: string;

  it('logs in onto the Webhooks tab and refuses a bad address in the server’s words', async () => {
    admin = await context.newPage();
    await admin.setViewportSize({ width: 1440, height: 900 });
    admin.on('pageerror', (e) => pageErrors.push(String(e)));
    await admin.goto(`${server.base}/admin#/events/${EVENT}/webhooks`);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.locator('.tab.active', { hasText: 'Webhooks' }).waitFor();
    await admin.locator('.muted', { hasText: 'No webhooks yet.' }).waitFor();

    // Nothing typed, nothing chosen: said before sending.
    for (const kind of ['New connections', 'Removed connections', 'Attendee changes']) await admin.getByLabel(kind).uncheck();
    await admin.getByRole('button', { name: 'Add webhook' }).click();
    await admin.locator('.field-error', { hasText: 'Type the address' }).waitFor();
    await admin.locator('.field-error', { hasText: 'Choose at least one thing to send.' }).waitFor();

    // An address the server does not send to: its words, next to the field.
    await admin.getByLabel('New connections').check();
    await admin.getByLabel('Receiver URL').fill('ftp://example.org/hooks');
    await admin.getByRole('button', { name: 'Add webhook' }).click();
    const urlError = admin.locator('.webhook-form .field-error:not([hidden]), .webhook-form .status-error').first();
    await urlError.waitFor();
    expect((await urlError.textContent())?.trim()).not.toBe('');
    expect(await webhooks()).toEqual([]);
  });

  it('adds a webhook and shows its signing secret with a copy button', async () => {
    await admin.getByLabel('Receiver URL').fill(receiver.url);
    await admin.getByLabel('New connections').check();
    await admin.getByLabel('Removed connections').check();
    await admin.getByLabel('Attendee changes').uncheck();
    await admin.getByLabel('Description (optional)').fill('Test receiver');
    await admin.getByRole('button', { name: 'Add webhook' }).click();
    await admin.locator('.status-ok', { hasText: 'Copy its signing secret' }).waitFor();
    const item = admin.locator('.webhook', { hasText: receiver.url });
    secret = await item.locator('textarea.secret-text').inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(await item.getByRole('button', { name: 'Copy secret' }).isVisible()).toBe(true);
    expect(await item.locator('[data-state]').textContent()).toBe('Active');
    const list = await webhooks();
    expect(list).toHaveLength(1);
    hook = list[0] as WebhookRow;
    expect(hook.url).toBe(receiver.url);
    expect([...hook.kinds].sort()).toEqual(['connection.created', 'connection.removed']);
    expect(hook.secret).toBe(secret);
    await shot(admin, 'admin-webhooks.png');
    // The form is ready for the next one, every kind ticked again.
    expect(await admin.getByLabel('Receiver URL').inputValue()).toBe('');
    expect(await admin.getByLabel('Attendee changes').isChecked()).toBe(true);
  });

  it('shows a connection’s delivery failing, then delivered by "Send again" with the same webhook-id', async () => {
    const res = await fetch(`${server.base}/api/events/${EVENT}/connections`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stationToken}` },
      body: JSON.stringify({ from: { email: 'ada@example.org' }, to: { email: 'bob@example.org' } }),
    });
    expect(res.status).toBe(201);
    await until('the receiver’s first request', () => receiver.requests.length >= 1);
    const first = receiver.requests[0] as Received;
    expect(first.answered).toBe(500);

    const item = admin.locator('.webhook', { hasText: receiver.url });
    await item.getByRole('button', { name: 'Show deliveries' }).click();
    const refresh = item.getByRole('button', { name: /^Refresh/ });
    const row = item.locator('.delivery-table tbody tr').first();
    // Failing, as the server records it (refresh until the attempt is in).
    await until('the failed attempt in the list', async () => {
      await refresh.click();
      return (await row.count()) > 0 && (await row.getAttribute('data-status')) === 'failing';
    });
    expect(await row.locator('td').nth(0).textContent()).toContain('New connections');
    expect(await row.locator('.last-result').textContent()).toContain('HTTP 500');
    expect(Number(await row.locator('td').nth(3).textContent())).toBeGreaterThanOrEqual(1);
    const deliveryId = await row.getAttribute('data-delivery');
    expect(deliveryId).toBe(first.headers['webhook-id']);
    await shot(admin, 'admin-webhook-failing.png');

    await row.getByRole('button', { name: /^Send again/ }).click();
    await item.locator('.status-ok', { hasText: /^Sent new connections #\d+ again/ }).waitFor();
    await until('the receiver’s second request', () => receiver.requests.length >= 2);
    await until('the delivered state after a refresh', async () => {
      await refresh.click();
      return (await row.getAttribute('data-status')) === 'delivered';
    });
    expect(await row.locator('.last-result').textContent()).toContain('HTTP 204');
    expect(await row.locator('.pill').textContent()).toBe('Delivered');
    await shot(admin, 'admin-webhook-delivered.png');

    // Every request was the same delivery, named by the same webhook-id, timestamped and signed.
    for (const r of receiver.requests) {
      expect(r.headers['webhook-id']).toBe(deliveryId);
      expect(String(r.headers['webhook-timestamp'])).toMatch(/^\d{10}$/);
      expect(String(r.headers['webhook-signature'])).toMatch(/^v1,/);
      expect(signatureValid(r, secret)).toBe(true);
      expect(r.body).toBe(first.body);
    }
    expect(JSON.parse(first.body)).toMatchObject({ type: 'connection.created' });
    expect(receiver.requests.at(-1)?.answered).toBe(204);

    const [stored] = await api.request<DeliveryRow[]>('GET', `/api/events/${EVENT}/webhooks/${hook.id}/deliveries?limit=50`);
    expect(stored?.id).toBe(deliveryId);
    expect(stored?.state).toBe('delivered');
    expect(stored?.recent.some((a) => a.status === 500)).toBe(true);
    // Delivered by hand, it is not sent again when its automatic retry would have been due.
    const sent = receiver.requests.length;
    await sleep(6_000);
    expect(receiver.requests.length).toBe(sent);
    // The endpoint's counters are back to nothing failing, nothing waiting.
    await waitFor(admin, () => document.querySelector('.webhook-counts')?.getAttribute('data-pending') === '0', 'nothing pending');
    expect(await item.locator('.webhook-counts').getAttribute('data-failures')).toBe('0');
  });

  it('pauses and resumes the endpoint, and deletes it after confirmation', async () => {
    const item = admin.locator('.webhook', { hasText: receiver.url });
    await item.getByRole('button', { name: /^Pause/ }).click();
    await item.locator('[data-state="paused"]').waitFor();
    await item.locator('.paused-note', { hasText: 'Paused' }).waitFor();
    expect((await webhooks())[0]?.state).toBe('paused');
    await shot(admin, 'admin-webhook-paused.png');
    // Resume is where the reason is, and has the keyboard focus that Pause had.
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe('Resume');
    await item.locator('.paused-note').getByRole('button', { name: /^Resume/ }).click();
    await item.locator('[data-state="active"]').waitFor();
    expect((await webhooks())[0]?.state).toBe('active');

    await item.getByRole('button', { name: /^Delete/ }).click();
    await confirm(admin, 'Cancel');
    expect(await webhooks()).toHaveLength(1);
    await item.getByRole('button', { name: /^Delete/ }).click();
    await confirm(admin, 'Delete webhook');
    await admin.locator('.status-ok', { hasText: 'was deleted' }).waitFor();
    expect(await webhooks()).toEqual([]);
  });

  it('shows consent in the attendee list and saves it from the person dialog', async () => {
    await tab(admin, 'Attendees');
    const bobRow = admin.locator('.people-table tbody tr', { hasText: 'Bob Builder' });
    await bobRow.waitFor();
    expect(await bobRow.locator('[data-consent="wall"]').getAttribute('data-value')).toBe('yes');
    expect(await bobRow.locator('[data-consent="lead"]').getAttribute('data-value')).toBe('no');
    const adaRow = admin.locator('.people-table tbody tr', { hasText: 'Ada Lovelace' });
    expect(await adaRow.locator('[data-consent="lead"]').getAttribute('data-value')).toBe('yes');

    await bobRow.getByRole('button', { name: 'Edit & badges' }).click();
    const dlg = admin.locator('dialog[open]');
    const lead = dlg.getByLabel('Share as a lead');
    expect(await lead.isChecked()).toBe(false);
    await lead.check();
    await dlg.locator('.status-ok', { hasText: 'may now be shared as a lead' }).waitFor();
    const bob = await byEmail('bob@example.org');
    expect(bob.consent.lead).toBe(true);
    expect(bob.consent.wall).toBe(true);
    expect(bob.consent.source).toBe('organiser');
    await dlg.locator('.hint', { hasText: 'Last set by an organiser' }).waitFor();
    await shot(admin, 'admin-consent.png');
    await dlg.getByRole('button', { name: 'Close' }).click();
    await waitFor(
      admin,
      () => Array.from(document.querySelectorAll('.people-table tbody tr')).some((tr) => tr.textContent?.includes('Bob Builder') && tr.querySelector('[data-consent="lead"]')?.getAttribute('data-value') === 'yes'),
      'Bob’s Lead OK in the list',
    );
  });

  it('imports consent columns and shows them in the preview', async () => {
    await tab(admin, 'Import CSV');
    const csv = ['name,email,show_on_wall,shareable', 'Dee Okafor,dee@example.org,no,yes', 'Eve Martin,eve@example.org,yes,no'].join('\n');
    await admin.locator('#csv-file').setInputFiles({ name: 'consent.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await admin.locator('.status-ok', { hasText: '2 attendees ready to import' }).waitFor();
    const cells = async (line: number) => admin.locator(`.preview-table tr[data-line="${line}"] td`).allTextContents();
    // Line, Name, E-mail, Company, Major, Badges, Hidden, On wall, Lead OK, Problems.
    expect((await cells(2)).slice(7, 9)).toEqual(['no', 'yes']);
    expect((await cells(3)).slice(7, 9)).toEqual(['yes', 'no']);
    await admin.getByRole('button', { name: 'Import 2 attendees' }).click();
    await admin.locator('.status-ok', { hasText: 'Imported 2 attendees' }).waitFor();
    expect((await byEmail('dee@example.org')).consent).toMatchObject({ wall: false, lead: true, source: 'import' });
    expect((await byEmail('eve@example.org')).consent).toMatchObject({ wall: true, lead: false });
  });

  it('downloads the HubSpot, Salesforce and Excel exports, with contact details only of leads', async () => {
    await tab(admin, 'Settings & export');
    await admin.getByText('Only attendees who agreed to share their details', { exact: false }).waitFor();
    const [hub] = await Promise.all([admin.waitForEvent('download', DOWNLOAD), admin.getByRole('button', { name: 'HubSpot contacts (CSV)' }).click()]);
    const csv = readFileSync(await hub.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]?.startsWith('First Name,Last Name,Email')).toBe(true);
    expect(csv).toContain('ada@example.org');
    expect(csv).toContain('bob@example.org');
    expect(csv).toContain('dee@example.org');
    expect(csv).not.toContain('cy@example.org');
    expect(csv).not.toContain('eve@example.org');
    await admin.locator('.status-ok', { hasText: /^Downloaded .*hubspot\.csv/ }).waitFor();

    const [sf] = await Promise.all([admin.waitForEvent('download', DOWNLOAD), admin.getByRole('button', { name: 'Salesforce leads (CSV)' }).click()]);
    const sfcsv = readFileSync(await sf.path(), 'utf8');
    expect(sfcsv).toContain('ada@example.org');
    expect(sfcsv).not.toContain('cy@example.org');

    const [xlsx] = await Promise.all([admin.waitForEvent('download', DOWNLOAD), admin.getByRole('button', { name: 'Excel workbook (XLSX)' }).click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    expect(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('sets the screen language, and goes back to each screen’s browser', async () => {
    const select = admin.getByLabel('Screen language');
    expect(await select.inputValue()).toBe('');
    await select.selectOption({ label: 'Deutsch' });
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.locator('.status-ok', { hasText: 'Saved.' }).waitFor();
    await until('the language to be stored', async () => (await event()).settings.language === 'de');
    expect(await admin.getByLabel('Screen language').inputValue()).toBe('de');
    await shot(admin, 'admin-settings-language.png');

    await admin.getByLabel('Screen language').selectOption({ label: 'Follow each screen’s browser' });
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await until('the language to be cleared', async () => ((await event()).settings.language ?? null) === null);
    await admin.locator('.status-ok', { hasText: 'Saved.' }).waitFor();
    expect(await admin.getByLabel('Screen language').inputValue()).toBe('');
    await admin.close();
    expect(pageErrors).toEqual([]);
  });
});
