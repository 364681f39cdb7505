// Shared pieces of the browser tests: the real server binary on a free port with a temporary database, a REST
// client for setting up events, and headless Debian Chromium driven by playwright-core.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const UI_DIST = join(ROOT, 'ui', 'dist');
export const ADMIN_PASSWORD = 'e2e-admin-password-123';

export function serverBinary(): string {
  const bin = process.env.LIVEWALL_SERVER_BIN ?? join(ROOT, 'target', 'debug', 'livewall-server');
  if (!existsSync(bin)) {
    throw new Error(`no server binary at ${bin}: build it first (cargo build -p livewall-server)`);
  }
  if (!existsSync(join(UI_DIST, 'index.html'))) {
    throw new Error(`no built UI at ${UI_DIST}: run npm --prefix ui run build`);
  }
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One server process; `stop` and `start` again keep the same port and database (a restart). */
export class ServerProcess {
  private child: ChildProcess | null = null;
  readonly dir: string;
  log = '';

  constructor(
    readonly port: number,
    private readonly args: string[] = ['serve'],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'livewall-e2e-'));
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const bin = serverBinary();
    const child = spawn(
      bin,
      [...this.args, '--bind', `127.0.0.1:${this.port}`, '--db', join(this.dir, 'wall.db'), '--ui-dir', UI_DIST],
      {
        env: { ...process.env, LIVEWALL_ADMIN_PASSWORD: ADMIN_PASSWORD, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${this.log}`);
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`server did not start on ${this.base}:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The REST calls an organiser makes, as the admin. */
export class Api {
  private token = '';
  constructor(private readonly base: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Any admin call, for what the helpers below do not cover. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, body);
  }

  /** The admin bearer token (after `login`). */
  get adminToken(): string {
    return this.token;
  }

  async login(): Promise<void> {
    const r = await this.call<{ token: string }>('POST', '/api/login', { username: 'admin', password: ADMIN_PASSWORD });
    this.token = r.token;
  }

  createEvent(id: string, name: string, settings: Record<string, unknown>): Promise<unknown> {
    return this.call('POST', '/api/events', { id, name, settings });
  }

  updateEvent(id: string, body: Record<string, unknown>): Promise<unknown> {
    return this.call('PATCH', `/api/events/${id}`, body);
  }

  addProfiles(event: string, profiles: Array<Record<string, unknown>>): Promise<unknown> {
    return this.call('POST', `/api/events/${event}/profiles/bulk`, { profiles });
  }

  announce(event: string, message: string | null, audience: 'walls' | 'stations' | 'all'): Promise<unknown> {
    return this.call('POST', `/api/events/${event}/announcements`, { message, audience });
  }

  connect(event: string, fromEmail: string, toEmail: string): Promise<{ duplicate: boolean; seq?: number }> {
    return this.call('POST', `/api/events/${event}/connections`, { from: { email: fromEmail }, to: { email: toEmail } });
  }
}

/** Headless Debian Chromium with the flags that work in this sandbox. */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (see tests/browser/DEBIAN-PACKAGES)`);
  }
  // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Keep rendering at full rate although nothing is visible.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
    },
  };
}

/** Polls `fn` in the page until it returns a truthy value (or fails with the last value seen). */
export async function waitFor<T>(page: Page, fn: () => T, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await page.evaluate(fn);
    if (last) return last as T;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

export function hook(page: Page) {
  return {
    counts: () =>
      page.evaluate(() => {
        const w = window.__livewall;
        return w ? { nodes: w.nodeCount(), links: w.linkCount(), status: w.status(), seq: w.seq() } : null;
      }),
    caption: () => page.evaluate(() => window.__livewall?.lastCaption() ?? null),
  };
}

/** The test hook's shape, as the page exposes it (see ui/src/wall/view.ts). */
declare global {
  interface Window {
    __livewall?: {
      nodeCount(): number;
      linkCount(): number;
      lastCaption(): string | null;
      status(): string;
      seq(): number;
      epoch(): string | null;
      frames(): number;
      connects(): number;
      announcement(): string | null;
      anomalies(): Record<string, number>;
    };
  }
}

/** A static site on its own loopback port, so a page runs from another origin than the server. */
export async function serveStatic(dir: string): Promise<{ base: string; close: () => Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const srv = createHttpServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')).replace(/^([/\\.])+/, '');
    const file = join(dir, path === '' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  const port = await freePort();
  await new Promise<void>((ok) => srv.listen(port, '127.0.0.1', ok));
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => srv.close(() => ok())),
  };
}

/** A TCP proxy to a server port that can cut every connection and refuse new ones for a while (a venue's
 * Wi-Fi dropping), while the server itself keeps running. */
export class CutProxy {
  private readonly open = new Set<Socket>();
  private refusing = false;
  private readonly srv = createServer((client) => {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.target, '127.0.0.1');
    this.open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  private constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<CutProxy> {
    const p = new CutProxy(await freePort(), target);
    await new Promise<void>((ok) => p.srv.listen(p.port, '127.0.0.1', ok));
    return p;
  }

  /** Resets every proxied connection and refuses new ones until `restore`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise<void>((ok) => this.srv.close(() => ok()));
  }
}
