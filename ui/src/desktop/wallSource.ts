// The kiosk's wall source: the Rust side owns the network and the SQLite cache; this feeds the wall state from
// what it sends. The cached wall comes back from `kiosk_start` at once (drawn even offline), live updates come as
// events. Events that arrive before the cached wall was applied are held and applied after it, so the order is
// always cache, then live. When Rust cannot follow the event it says why (`wall:problem`), for the staff.

import type { KioskStart } from '../bindings/KioskStart';
import type { LinkProblem } from '../bindings/LinkProblem';
import type { Snapshot } from '../bindings/Snapshot';
import type { FeedStatus } from '../wall/feed';
import type { WallState } from '../wall/state';
import type { WallSource } from '../wall/view';
import { t } from '../i18n';

/** The parts of the Tauri API the source needs (a fake in unit tests). */
export interface KioskBridge {
  start(): Promise<KioskStart>;
  listen(event: string, fn: (payload: unknown) => void): Promise<() => void>;
}

type Held = { kind: 'snapshot'; body: unknown } | { kind: 'entry'; body: unknown };

/** The payload of `wall:problem` when it names a problem; anything else (null: fixed) is none. */
export function asLinkProblem(p: unknown): LinkProblem | null {
  if (typeof p !== 'object' || p === null) return null;
  const o = p as Record<string, unknown>;
  if (typeof o.address !== 'string' || typeof o.what !== 'string' || typeof o.fix !== 'string') return null;
  return { address: o.address, what: o.what, fix: o.fix };
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/**
 * The problem in one line for the kiosk screen, "Cannot reach <address>: <what>. <fix>." in the page's language
 * (what and fix are the desktop app's own words).
 */
export function problemLine(p: LinkProblem): string {
  return t('kiosk.problem', { address: p.address, what: sentence(p.what), fix: sentence(p.fix) });
}

export class DesktopWallSource implements WallSource {
  status: FeedStatus = 'loading';
  detail = 'waiting for the server';
  clockOffset = 0;
  connects = 0;
  /** True once the cached wall (if any) has been drawn. */
  fromCache = false;
  /** Why the kiosk cannot follow its event, as Rust last said; null when none is known. */
  problem: LinkProblem | null = null;

  private ready = false;
  private held: Held[] = [];
  private unlisten: (() => void)[] = [];
  private stopped = false;
  private readonly listeners = new Set<(s: FeedStatus) => void>();

  constructor(
    private readonly state: WallState,
    private readonly bridge: KioskBridge,
  ) {}

  onStatus(fn: (s: FeedStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unlisten) u();
    this.unlisten = [];
    this.listeners.clear();
  }

  /** What to tell the staff now: the problem, while the wall is not live. Listeners hear when it changes. */
  get trouble(): string | null {
    return this.problem !== null && this.status !== 'live' ? problemLine(this.problem) : null;
  }

  private notify(): void {
    for (const fn of this.listeners) fn(this.status);
  }

  private setStatus(s: FeedStatus, detail: string): void {
    const changed = s !== this.status || detail !== this.detail;
    this.status = s;
    this.detail = detail;
    if (changed) this.notify();
  }

  private async run(): Promise<void> {
    try {
      // Listen first: whatever Rust forwards after `start` must not be lost.
      this.unlisten.push(await this.bridge.listen('wall:snapshot', (p) => this.take({ kind: 'snapshot', body: p })));
      this.unlisten.push(await this.bridge.listen('wall:entry', (p) => this.take({ kind: 'entry', body: p })));
      this.unlisten.push(
        await this.bridge.listen('wall:online', (p) => {
          if (p === true) {
            this.connects++;
            this.problem = null;
            this.setStatus('live', '');
          } else if (this.state.loaded) this.setStatus('offline', 'server unreachable');
          else this.setStatus('loading', 'waiting for the server');
        }),
      );
      this.unlisten.push(
        await this.bridge.listen('wall:problem', (p) => {
          this.problem = asLinkProblem(p);
          this.notify();
        }),
      );
      const started = await this.bridge.start();
      if (this.stopped) return;
      if (started.snapshot) {
        this.state.applySnapshot(started.snapshot);
        this.fromCache = true;
        // Until the live connection says otherwise, what is shown is the cached copy.
        if (this.status === 'loading') this.setStatus('offline', 'showing the saved wall');
      }
      this.ready = true;
      const held = this.held;
      this.held = [];
      for (const h of held) this.apply(h);
    } catch (e) {
      const message = typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
      this.setStatus('failed', message);
    }
  }

  private take(h: Held): void {
    if (this.stopped) return;
    if (this.ready) this.apply(h);
    else this.held.push(h);
  }

  private apply(h: Held): void {
    try {
      if (h.kind === 'snapshot') this.state.applySnapshot(h.body as Snapshot);
      else this.state.apply(h.body);
    } catch (e) {
      console.error('livewall: bad update from the desktop app', e);
    }
  }
}
