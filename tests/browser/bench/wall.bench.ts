// Frame-time and heap benchmark of the wall in headless Chromium (run: npm --prefix ui run bench:wall).
//
// The page is the real built wall served by the real server; for the large sizes its snapshot and live socket
// are replaced (Playwright routes) by synthetic data: N people with avatars, 5 links per person, then new
// connections streaming in while requestAnimationFrame intervals are recorded in the page. A soak then streams
// 10 connections per second (with the oldest streamed ones removed, so the data stays the same size) and
// samples the JS heap after forced garbage collections.
//
// Knobs: LIVEWALL_BENCH_SIZES (default "1000,2000,5000,10000"), LIVEWALL_BENCH_SECONDS (measure window, 20),
// LIVEWALL_SOAK_MINUTES (5; 30 as the issue asks), LIVEWALL_BENCH_OUT (JSON results file).

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, CDPSession, Page, WebSocketRoute } from 'playwright-core';
import { ROOT, ServerProcess, freePort, launchBrowser, waitFor } from '../harness';

const SIZES = (process.env.LIVEWALL_BENCH_SIZES ?? '1000,2000,5000,10000').split(',').map(Number);
const SECONDS = Number(process.env.LIVEWALL_BENCH_SECONDS ?? 20);
const SOAK_MINUTES = Number(process.env.LIVEWALL_SOAK_MINUTES ?? 5);
const OUT = process.env.LIVEWALL_BENCH_OUT ?? join(ROOT, 'artifacts', 'wall-bench.json');
const STREAM_PER_SECOND = 20;
const PROFILE = process.env.LIVEWALL_BENCH_PROFILE === '1';

const MAJORS = ['Computer Science', 'Design', 'Physics', 'Biology', 'Economics', 'Music', 'Mathematics', 'Architecture'];

/** Deterministic pseudo-random numbers, so every run draws the same graph. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function person(i: number) {
  return {
    id: `p${i}`,
    name: `Person ${i} Example`,
    avatar: `/avatars/bench-${i % 500}.svg`,
    major: MAJORS[i % MAJORS.length] ?? null,
    company: null,
  };
}

/** N people and 5N distinct links, with a few hubs (preferential attachment), like a real event. */
function synthetic(n: number, eventId: string) {
  const rand = rng(n);
  const links = new Map<string, { source: string; target: string; createdAt: number }>();
  const ends: number[] = [];
  const t0 = Date.now() - 3_600_000;
  while (links.size < 5 * n) {
    const a = Math.floor(rand() * n);
    const b = rand() < 0.5 && ends.length > 0 ? (ends[Math.floor(rand() * ends.length)] ?? 0) : Math.floor(rand() * n);
    if (a === b) continue;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (links.has(key)) continue;
    links.set(key, { source: `p${a}`, target: `p${b}`, createdAt: t0 + links.size });
    ends.push(a, b);
  }
  return {
    snapshot: {
      type: 'snapshot',
      eventId,
      eventName: `Benchmark ${n.toLocaleString('en')}`,
      epoch: 'bench',
      seq: 1,
      settings: { initialsOnly: false, publicWall: true },
      nodes: Array.from({ length: n }, (_, i) => person(i)),
      links: [...links.values()],
      announcement: null,
    },
    has: (a: number, b: number) => links.has(a < b ? `${a}-${b}` : `${b}-${a}`),
    add: (a: number, b: number) => links.set(a < b ? `${a}-${b}` : `${b}-${a}`, { source: '', target: '', createdAt: 0 }),
  };
}

/** Routes the page's snapshot and socket to synthetic data; `stream` sends connections at `perSecond`. */
async function fakeServer(page: Page, n: number, eventId: string) {
  const data = synthetic(n, eventId);
  const body = JSON.stringify(data.snapshot);
  await page.route(`**/api/events/${eventId}/wall`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body, headers: { ETag: '"bench-1"' } }),
  );
  let socket: WebSocketRoute | null = null;
  let seq = 1;
  await page.routeWebSocket(/\/ws/, (ws) => {
    socket = ws;
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { action: string };
      if (msg.action === 'subscribe') {
        ws.send(JSON.stringify({ type: 'subscribed', eventId, epoch: 'bench', seq, recovered: true }));
      } else if (msg.action === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
  });
  const rand = rng(n + 7);
  const streamed: Array<[number, number]> = [];
  return {
    /** Sends `count` new connections (and, with `keep`, removes the oldest streamed beyond `keep`). */
    send(count: number, keep = Infinity) {
      if (!socket) return;
      const frames: string[] = [];
      for (let k = 0; k < count; k++) {
        let a = 0;
        let b = 0;
        do {
          a = Math.floor(rand() * n);
          b = Math.floor(rand() * n);
        } while (a === b || data.has(a, b));
        data.add(a, b);
        streamed.push([a, b]);
        frames.push(
          JSON.stringify({ type: 'connection', eventId, seq: ++seq, createdAt: Date.now(), from: person(a), to: person(b) }),
        );
        while (streamed.length > keep) {
          const [x, y] = streamed.shift() ?? [0, 0];
          frames.push(JSON.stringify({ type: 'removed', eventId, seq: ++seq, source: `p${x}`, target: `p${y}` }));
        }
      }
      for (const f of frames) socket.send(f);
    },
  };
}

/** Records rAF intervals in the page for `seconds` while `tick` runs every 100 ms. */
async function measure(page: Page, seconds: number, tick: () => void) {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const loop = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  const timer = setInterval(tick, 100);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return {
    frames: frames.length,
    medianMs: round(q(0.5)),
    p95Ms: round(q(0.95)),
    over33Share: round(frames.filter((f) => f > 33.4).length / Math.max(1, frames.length), 3),
  };
}

/** The functions with the most self time in a CPU profile (LIVEWALL_BENCH_PROFILE=1). */
function topFunctions(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples?: number[]; timeDeltas?: number[] }): string {
  const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  samples.forEach((id, i) => {
    const nd = byId.get(id);
    const f = nd ? `${nd.callFrame.functionName || '(anonymous)'} ${nd.callFrame.url.split('/').pop()}:${nd.callFrame.lineNumber}` : '?';
    const dt = deltas[i] ?? 0;
    total += dt;
    self.set(f, (self.get(f) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([f, t]) => `  ${((100 * t) / Math.max(1, total)).toFixed(1)}%  ${f}`)
    .join('\n');
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  return round(used / 1_048_576, 2);
}

let server: ServerProcess;
let browser: Browser;
let close: () => Promise<void>;
const results: Record<string, unknown> = { when: new Date().toISOString(), streamPerSecond: STREAM_PER_SECOND };

beforeAll(async () => {
  server = new ServerProcess(await freePort());
  await server.start();
  ({ browser, close } = await launchBrowser());
});

afterAll(async () => {
  mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
  writeFileSync(OUT, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  await close?.();
  await server?.dispose();
});

for (const n of SIZES) {
  it(`frame times at ${n} people and ${5 * n} links with connections streaming in`, async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const eventId = `bench-${n}`;
    const fake = await fakeServer(page, n, eventId);
    const t0 = Date.now();
    await page.goto(`${server.base}/wall/${eventId}`);
    await waitFor(page, () => window.__livewall?.status() === 'live', 'the wall', 120_000);
    const loadMs = Date.now() - t0;
    // Let the first layout settle a little, as it would before the doors open.
    await page.waitForTimeout(5000);
    const perTick = STREAM_PER_SECOND / 10;
    if (PROFILE) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
    const m = await measure(page, SECONDS, () => fake.send(perTick));
    if (PROFILE) console.log(`n=${n} main-thread self time:\n${topFunctions((await cdp.send('Profiler.stop')).profile)}`);
    const links = await page.evaluate(() => window.__livewall?.linkCount() ?? 0);
    const heap = await heapMb(cdp);
    results[`n${n}`] = { nodes: n, links, loadMs, ...m, heapMb: heap };
    console.log(`n=${n}`, results[`n${n}`]);
    expect(links).toBeGreaterThanOrEqual(5 * n + Math.floor(STREAM_PER_SECOND * SECONDS * 0.9));
    await page.close();
  });
}

it(`heap over a ${SOAK_MINUTES}-minute soak at 10 connections per second`, async () => {
  const n = 1000;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const eventId = 'bench-soak';
  const fake = await fakeServer(page, n, eventId);
  await page.goto(`${server.base}/wall/${eventId}`);
  await waitFor(page, () => window.__livewall?.status() === 'live', 'the wall', 120_000);
  // Streamed links beyond 600 are removed again, oldest first: the data stays the same size, so any growth
  // of the heap is a leak (listeners, animation state, caches).
  const keep = 600;
  const samples: Array<{ minute: number; heapMb: number; links: number }> = [];
  const start = Date.now();
  const timer = setInterval(() => fake.send(1, keep), 100);
  try {
    for (;;) {
      const minute = round((Date.now() - start) / 60_000, 2);
      const links = await page.evaluate(() => window.__livewall?.linkCount() ?? 0);
      samples.push({ minute, heapMb: await heapMb(cdp), links });
      if (minute >= SOAK_MINUTES) break;
      await new Promise((r) => setTimeout(r, Math.min(30_000, SOAK_MINUTES * 60_000 / 10)));
    }
  } finally {
    clearInterval(timer);
  }
  const frames = await measure(page, 10, () => fake.send(1, keep));
  results.soak = { nodes: n, minutes: SOAK_MINUTES, perSecond: 10, samples, framesAtEnd: frames };
  console.log('soak', results.soak);
  await page.close();
});
