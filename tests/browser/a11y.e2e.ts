// Accessibility of the organiser's, the wall's and the attendee's pages: axe-core (WCAG 2.1 A and AA rules) in real
// headless Chromium against the real server, on every admin tab, the wall (big screen and phone), and the phone
// profile page (a visitor's view and the owner's, with the consent form). Keyboard use of the admin's tabs too.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, Api, ROOT, ServerProcess, freePort, launchBrowser } from './harness';

const EVENT = 'a11y-e2e';
// axe-core is one of ui/'s dev dependencies (the browser tests use ui/'s packages).
const AXE = readFileSync(join(ROOT, 'ui', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let server: ServerProcess;
let api: Api;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** The WCAG 2.1 A/AA violations axe finds on the page as it is now, one line each (rule, element, why). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations;
  });
  return found.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? '?'}): ${v.help} at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
  );
}

async function newPage(width = 1440, height = 900): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  return page;
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Accessible Night', { publicWall: true, initialsOnly: false });
  await api.addProfiles(EVENT, [
    { name: 'Ada Lovelace', email: 'ada@example.org', company: 'Analytical Engines', major: 'Mathematics', consent: { lead: true } },
    { name: 'Grace Hopper', email: 'grace@example.org', major: 'Computer Science' },
    { name: 'Linus Pauling', email: 'linus@example.org', major: 'Chemistry' },
  ]);
  await api.connect(EVENT, 'ada@example.org', 'grace@example.org');
  await api.connect(EVENT, 'grace@example.org', 'linus@example.org');
  const b = await launchBrowser();
  closeBrowser = b.close;
  // The pages' own policies forbid injected scripts; the checker is the test's, not the page's.
  context = await b.browser.newContext({ bypassCSP: true });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  it('the admin: login, and every tab of an event', async () => {
    const admin = await newPage();
    await admin.goto(`${server.base}/admin`);
    await admin.getByLabel('Password').waitFor();
    expect(await violations(admin), 'login').toEqual([]);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('link', { name: /Accessible Night/ }).click();
    const tabs = admin.getByRole('tab');
    await tabs.first().waitFor();
    const names = (await tabs.allTextContents()).map((t) => t.trim());
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      await admin.getByRole('tab', { name }).click();
      await admin.locator('.tab.active', { hasText: name }).waitFor();
      await admin.waitForTimeout(300);
      expect(await violations(admin), name).toEqual([]);
    }
    await admin.close();
  });

  it('the admin tabs work from the keyboard: arrows move and keep focus', async () => {
    const admin = await newPage();
    await admin.goto(`${server.base}/admin`);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('link', { name: /Accessible Night/ }).click();
    const first = admin.getByRole('tab').first();
    await first.focus();
    const before = (await first.textContent())?.trim();
    await admin.keyboard.press('ArrowRight');
    await admin.waitForFunction((b) => {
      const el = document.activeElement;
      return el?.getAttribute('role') === 'tab' && el.textContent?.trim() !== b && el.getAttribute('aria-selected') === 'true';
    }, before);
    await admin.keyboard.press('End');
    await admin.waitForFunction(() => {
      const all = Array.from(document.querySelectorAll('[role="tab"]'));
      return document.activeElement === all[all.length - 1] && all[all.length - 1]?.getAttribute('aria-selected') === 'true';
    });
    await admin.keyboard.press('Home');
    await admin.waitForFunction(() => document.activeElement === document.querySelector('[role="tab"]'));
    // Only the selected tab is in the tab order (a roving tabindex).
    const inOrder = await admin.evaluate(() => Array.from(document.querySelectorAll('[role="tab"]')).filter((t) => t.getAttribute('tabindex') !== '-1').length);
    expect(inOrder).toBe(1);
    await admin.close();
  });

  it('the wall, on a big screen and on a phone', async () => {
    for (const [w, h] of [
      [1920, 1080],
      [390, 844],
    ] as const) {
      const wall = await newPage(w, h);
      await wall.goto(`${server.base}/wall/${EVENT}`);
      await wall.waitForFunction(() => document.querySelectorAll('.board-row').length > 0);
      await wall.waitForTimeout(500);
      expect(await violations(wall), `${w}x${h}`).toEqual([]);
      await wall.close();
    }
  });

  it('the phone profile page, a visitor’s and its owner’s', async () => {
    const people = await api.request<{ items: { id: string; email: string }[] }>('GET', `/api/events/${EVENT}/profiles`);
    const ada = people.items.find((p) => p.email === 'ada@example.org');
    if (!ada) throw new Error('no Ada');
    const link = await api.request<{ path: string }>('GET', `/api/events/${EVENT}/profiles/${ada.id}/badge-link`);
    const phone = await newPage(390, 844);
    await phone.goto(`${server.base}${link.path}`);
    expect(await violations(phone), 'visitor').toEqual([]);
    await phone.getByRole('button', { name: 'This is my badge' }).click();
    await phone.goto(`${server.base}/p/${ada.id}`);
    await phone.getByRole('checkbox', { name: 'Show me on the wall' }).waitFor();
    expect(await violations(phone), 'owner').toEqual([]);
    await phone.close();
  });
});
