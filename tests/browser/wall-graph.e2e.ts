// The graph tools of the wall in real headless Chromium against the real server: search flies the camera to a
// person, the path finder shows the chain between two people, clusters and heat switched on through the admin
// API, and the kiosk tour visiting a new link and coming back. Screenshots at 1920x1080 go to artifacts/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, ROOT, ServerProcess, freePort, launchBrowser, waitFor } from './harness';

const EVENT = 'e2e-graph';
const ARTIFACTS = join(ROOT, 'artifacts');

// Two groups of four, everyone in a group connected, joined by one link (Margaret - Ken); Alan knows Margaret only.
const groupA = ['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds', 'Margaret Hamilton'];
const groupB = ['Ken Thompson', 'Barbara Liskov', 'Dennis Ritchie', 'Frances Allen'];
const email = (name: string) => `${name.split(' ')[0]?.toLowerCase()}@example.org`;
const majors = ['Computer Science', 'Design', 'Physics', 'Music'];
const people = [...groupA, ...groupB, 'Alan Turing'].map((name, i) => ({ name, email: email(name), major: majors[i % 4] }));

const FLAGS = {
  spotlight: false,
  ticker: false,
  streaks: false,
  medals: true,
  counters: true,
  search: true,
  pathFinder: true,
  clusters: false,
  heat: false,
  tour: false,
};

/** The graph part of the test hook (ui/src/wall/graph/tools.ts `GraphToolsInfo`). */
interface GraphInfo {
  camera: { x: number; y: number; scale: number };
  highlighted: string[];
  medals: string[];
  clusters: number;
  tour: 'idle' | 'in' | 'hold' | 'out';
  path: string | null;
  searchOpen: boolean;
  focusOnScreen: { x: number; y: number } | null;
}

/** The parts of `window.__livewall` this file reads beyond the harness's declaration. */
interface GraphHook {
  graph(): GraphInfo;
  features(): Record<string, boolean>;
}

let server: ServerProcess;
let api: Api;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let page: Page;
const pageErrors: string[] = [];

const graph = (): Promise<GraphInfo> =>
  page.evaluate(() => (window.__livewall as unknown as GraphHook).graph());

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function setFlags(flags: Partial<typeof FLAGS>): Promise<void> {
  await api.updateEvent(EVENT, { settings: { publicWall: true, initialsOnly: false, wall: { ...FLAGS, ...flags } } });
}

async function shot(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name) });
}

/** The centre of the graph's stage, in CSS pixels of the stage. */
async function stageCentre(): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const r = document.querySelector('.stage')?.getBoundingClientRect();
    return { x: (r?.width ?? 0) / 2, y: (r?.height ?? 0) / 2 };
  });
}

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Graph Night', { publicWall: true, initialsOnly: false, wall: FLAGS });
  await api.addProfiles(EVENT, people);
  for (const group of [groupA, groupB])
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++) await api.connect(EVENT, email(group[i] ?? ''), email(group[j] ?? ''));
  await api.connect(EVENT, email('Margaret Hamilton'), email('Ken Thompson'));
  await api.connect(EVENT, email('Alan Turing'), email('Margaret Hamilton'));
  ({ browser, close: closeBrowser } = await launchBrowser());
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.base}/wall/${EVENT}`);
  await waitFor(page, () => window.__livewall?.nodeCount() === 9 && window.__livewall.linkCount() === 14, 'the snapshot');
  await waitFor(page, () => window.__livewall?.status() === 'live', 'the live socket');
  // The first layout and the camera settle.
  await settle(2500);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.dispose();
});

describe('wall graph tools', () => {
  it('rings the top connectors with the leaderboard order', async () => {
    const g = await graph();
    expect(g.medals[0]).toBe('Margaret Hamilton');
    expect(g.medals[1]).toBe('Ken Thompson');
    expect(g.medals).toHaveLength(9);
    expect(await page.locator('.board-name').first().textContent()).toBe('Margaret Hamilton');
  });

  it('searches a person and flies the camera to them', async () => {
    const before = await graph();
    await page.locator('.gs-open-search').click();
    await waitFor(page, () => document.activeElement?.classList.contains('gs-input') === true, 'the search field focused');
    await page.keyboard.type('lin');
    await waitFor(page, () => document.querySelector('.gs-find .gs-hit-name')?.textContent === 'Linus Torvalds', 'the type-ahead');
    await page.keyboard.press('Enter');
    await settle(1800);
    const g = await graph();
    const centre = await stageCentre();
    const panelBottom = await page.evaluate(() => document.querySelector('.gs-search')?.getBoundingClientRect().bottom ?? 0);
    expect(g.camera.scale).toBeGreaterThan(before.camera.scale * 1.2);
    expect(g.focusOnScreen).not.toBeNull();
    // In the middle of the screen, under the search panel.
    expect(Math.abs((g.focusOnScreen?.x ?? 0) - centre.x)).toBeLessThan(40);
    expect(g.focusOnScreen?.y ?? 0).toBeGreaterThan(panelBottom + 40);
    expect(Math.abs((g.focusOnScreen?.y ?? 0) - (panelBottom + centre.y * 2) / 2)).toBeLessThan(60);
    // Linus and his three links.
    expect([...g.highlighted].sort()).toEqual(['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds', 'Margaret Hamilton']);
    await shot('wall-search.png');
    // Typing a feature key in the field does not toggle the feature.
    await page.keyboard.type('m');
    expect(await page.evaluate(() => (window.__livewall as unknown as GraphHook).features())).toMatchObject({ medals: true });
    await page.keyboard.press('Escape');
    await waitFor(page, () => !(window.__livewall as unknown as GraphHook).graph().searchOpen, 'the search closed');
    expect((await graph()).highlighted).toEqual([]);
  });

  it('finds the chain between two people two hops apart', async () => {
    await page.locator('.gs-open-path').click();
    await page.locator('.gs-from .gs-input').fill('Ada');
    await page.locator('.gs-from .gs-input').press('Enter');
    await page.locator('.gs-to .gs-input').fill('ken');
    await page.locator('.gs-to .gs-input').press('Enter');
    await waitFor(
      page,
      () => (window.__livewall as unknown as GraphHook).graph().path === 'Ada Lovelace → Margaret Hamilton → Ken Thompson',
      'the chain',
    );
    expect(await page.locator('.gs-chain').textContent()).toContain('Ada Lovelace → Margaret Hamilton → Ken Thompson');
    expect([...(await graph()).highlighted].sort()).toEqual(['Ada Lovelace', 'Ken Thompson', 'Margaret Hamilton']);
    await settle(1600);
    await shot('wall-path.png');

    await page.keyboard.press('Escape');
    await waitFor(page, () => document.querySelector('.gs-path')?.hasAttribute('hidden') === true, 'the path finder closed');
  });

  it('colours people by cluster when the organiser turns clusters on', async () => {
    const legendBefore = await page.locator('.legend').textContent();
    expect(legendBefore).toContain('Computer Science');
    await setFlags({ clusters: true });
    await waitFor(page, () => (window.__livewall as unknown as GraphHook).graph().clusters === 2, 'two clusters');
    await waitFor(page, () => document.querySelector('.legend')?.textContent?.includes('Group 2') === true, 'the cluster legend');
    expect(await page.locator('.legend').textContent()).not.toContain('Computer Science');
    await settle(600);
    await shot('wall-clusters.png');
  });

  it('shows the heat of recent links', async () => {
    await setFlags({ clusters: false, heat: true });
    await waitFor(page, () => document.querySelector('.legend')?.textContent?.includes('Computer Science') === true, 'field colours back');
    await settle(800);
    await shot('wall-heat.png');
  });

  it('tours a new link: flies in to both people, holds, and comes back out', async () => {
    await setFlags({ heat: false, tour: true });
    await waitFor(page, () => (window.__livewall as unknown as GraphHook).features().tour === true, 'the tour on');
    await settle(1500);
    const whole = (await graph()).camera.scale;
    await api.connect(EVENT, email('Ada Lovelace'), email('Barbara Liskov'));
    await waitFor(page, () => (window.__livewall as unknown as GraphHook).graph().tour === 'hold', 'the tour to hold', 10_000);
    const held = await graph();
    expect(held.camera.scale).toBeGreaterThan(whole * 1.2);
    expect([...held.highlighted].sort()).toEqual(['Ada Lovelace', 'Barbara Liskov']);
    await settle(700);
    await shot('wall-tour.png');
    await waitFor(page, () => (window.__livewall as unknown as GraphHook).graph().tour === 'idle', 'the tour back out', 10_000);
    await settle(2500);
    const after = await graph();
    expect(after.highlighted).toEqual([]);
    expect(Math.abs(after.camera.scale - whole) / whole).toBeLessThan(0.2);
  });

  it('lets a person searching win over the tour', async () => {
    await page.locator('.gs-open-search').click();
    await api.connect(EVENT, email('Grace Hopper'), email('Dennis Ritchie'));
    await settle(1500);
    expect((await graph()).tour).toBe('idle');
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  });
});
