// The drawing side's handle on the layout: a Web Worker when available, else the same core inline.

import { LayoutCore, type LayoutCommand } from './layout';

export interface LayoutHost {
  /** Queues a command; queued commands go out together once per frame. */
  send(cmd: LayoutCommand): void;
  /** Latest positions by slot (may be shorter than the slots handed out, while the layout catches up). */
  readonly positions: Float32Array;
  /** Sends queued commands and, inline, advances the layout a little. Called once per frame. */
  frame(): void;
  /** Whether positions changed since the last call. */
  takeMoved(): boolean;
  destroy(): void;
}

class WorkerLayout implements LayoutHost {
  positions: Float32Array = new Float32Array(0);
  private queue: LayoutCommand[] = [];
  private moved = false;
  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<{ t: 'pos'; pos: Float32Array }>) => {
      if (ev.data.t === 'pos') {
        this.positions = ev.data.pos;
        this.moved = true;
      }
    };
  }
  send(cmd: LayoutCommand): void {
    this.queue.push(cmd);
  }
  frame(): void {
    if (this.queue.length === 0) return;
    this.worker.postMessage({ t: 'cmds', cmds: this.queue });
    this.queue = [];
  }
  takeMoved(): boolean {
    const m = this.moved;
    this.moved = false;
    return m;
  }
  destroy(): void {
    this.worker.onmessage = null;
    this.worker.terminate();
  }
}

class InlineLayout implements LayoutHost {
  positions: Float32Array = new Float32Array(0);
  private readonly core = new LayoutCore();
  private moved = false;
  private settled = false;
  send(cmd: LayoutCommand): void {
    this.core.apply(cmd);
  }
  frame(): void {
    if (!this.core.hot) return;
    this.core.step(this.settled ? 6 : 800);
    this.settled = true;
    this.positions = this.core.positions();
    this.moved = true;
  }
  takeMoved(): boolean {
    const m = this.moved;
    this.moved = false;
    return m;
  }
  destroy(): void {}
}

export function createLayout(): LayoutHost {
  if (typeof Worker !== 'undefined') {
    try {
      const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
      return new WorkerLayout(w);
    } catch (e) {
      console.warn('livewall: layout worker unavailable, laying out inline', e);
    }
  }
  return new InlineLayout();
}
