// The original Live Wall's client behaviour against the real server, in real headless Chromium: a page that talks
// exactly as the original wall does (see original-wall/), served from another origin than the server, its socket at
// the deployment's root through a proxy that can drop it. It must show the snapshot, live taps, and after a drop
// during which taps were posted, the same links as the server.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, CutProxy, ROOT, ServerProcess, freePort, launchBrowser, serveStatic, waitFor } from './harness';

const EVENT = 'original-night';
const people = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth'].map(
  (name, i) => ({ name, email: `p${i}@example.org` }),
);

let server: ServerProcess;
let api: Api;
let proxy: CutProxy;
let site: { base: string; close: () => Promise<void> };
let browser: Browser;
let closeBrowser: () => Promise<void>;

/** The server's own view: node ids and pair keys of the full wall. */
async function serverWall(): Promise<{ nodes: string[]; links: string[] }> {
  const wall = (await (await fetch(`${server.base}/api/events/${EVENT}/wall`)).json()) as {
    nodes: Array<{ id: string }>;
    links: Array<{ source: string; target: string }>;
  };
  return {
    nodes: wall.nodes.map((n) => n.id).sort(),
    links: wall.links.map((l) => [l.source, l.target].sort().join('|')).sort(),
  };
}

const clientLinks = (page: Page) => page.evaluate(() => window.__original?.linkKeys() ?? []);

beforeAll(async () => {
  server = new ServerProcess(await freePort(), ['serve', '--default-event', EVENT]);
  await server.start();
  api = new Api(server.base);
  await api.login();
  await api.createEvent(EVENT, 'Original Night', { publicWall: true });
  await api.addProfiles(EVENT, people);
  await api.connect(EVENT, 'p0@example.org', 'p1@example.org');
  await api.connect(EVENT, 'p2@example.org', 'p3@example.org');
  proxy = await CutProxy.start(server.port);
  site = await serveStatic(join(ROOT, 'tests', 'browser', 'original-wall'));
  ({ browser, close: closeBrowser } = await launchBrowser());
});

afterAll(async () => {
  await closeBrowser?.();
  await site?.close();
  await proxy?.close();
  await server?.dispose();
});

describe('the original wall client', () => {
  it('shows the snapshot and live taps, and catches up after a dropped socket', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    // WS_URL is the deployment's root (through the proxy); API_URL is the server; the page is a third origin.
    const q = new URLSearchParams({ api: server.base, ws: `ws://127.0.0.1:${proxy.port}`, event: 'DEFAULT' });
    await page.goto(`${site.base}/index.html?${q}`);
    expect(new URL(site.base).origin).not.toBe(new URL(server.base).origin);

    const want = await serverWall();
    await waitFor(page, () => window.__original?.state().status === 'connected', 'the socket');
    await waitFor(
      page,
      () => (window.__original?.nodeIds().length ?? 0) === 6 && (window.__original?.linkKeys().length ?? 0) === 2,
      'every node and link of the snapshot',
    );
    expect(await page.evaluate(() => window.__original?.nodeIds())).toEqual(want.nodes);
    expect(await clientLinks(page)).toEqual(want.links);
    // The events menu loaded cross-origin.
    const events = await waitFor(page, () => window.__original?.state().events, 'the events menu');
    expect((events as Array<{ id: string; ename: string }>).map((e) => [e.id, e.ename])).toEqual([[EVENT, 'Original Night']]);

    // A live tap.
    await api.connect(EVENT, 'p4@example.org', 'p5@example.org');
    await waitFor(page, () => window.__original?.linkKeys().length === 3, 'the live tap');

    // The venue's Wi-Fi drops the socket; taps happen meanwhile; it comes back.
    proxy.cut();
    await waitFor(page, () => window.__original?.state().status === 'disconnected', 'the drop');
    await api.connect(EVENT, 'p0@example.org', 'p5@example.org');
    await api.connect(EVENT, 'p1@example.org', 'p2@example.org');
    await api.connect(EVENT, 'p3@example.org', 'p4@example.org');
    await new Promise((r) => setTimeout(r, 2000)); // at least one refused 1.5 s retry
    proxy.restore();
    await waitFor(page, () => (window.__original?.state().opens ?? 0) >= 2, 'the reconnect');
    const after = await serverWall();
    expect(after.links.length).toBe(6);
    await waitFor(page, () => window.__original?.linkKeys().length === 6, 'the taps made while away');
    expect(await clientLinks(page)).toEqual(after.links);
    const st = await page.evaluate(() => window.__original?.state());
    expect(st?.snapshotFrames).toBeGreaterThanOrEqual(2);
    expect(st?.errors.filter((e) => !e.startsWith('websocket'))).toEqual([]);
    expect(consoleErrors.filter((e) => /CORS|Access-Control/i.test(e))).toEqual([]);
    await page.close();
  });
});

declare global {
  interface Window {
    __original?: {
      state(): {
        status: string;
        opens: number;
        frames: number;
        snapshotFrames: number;
        errors: string[];
        events: unknown[] | null;
      };
      nodeIds(): string[];
      linkKeys(): string[];
    };
  }
}
