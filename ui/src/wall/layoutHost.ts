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
  /** Asks for the graph's communities (after the queued commands); the answer comes to `onClusters`. */
  requestClusters(): void;
  /** Communities by slot (-1 for empty slots), numbered largest first. */
  onClusters: ((of: Int32Array, count: number) => void) | null;
  destroy(): void;
}

class WorkerLayout implements LayoutHost {
  positions: Float32Array = new Float32Array(0);
  private queue: LayoutCommand[] = [];
  private moved = false;
  private clustersWanted = false;
  onClusters: ((of: Int32Array, count: number) => void) | null = null;
  constructor(private readonly worker: Worker) {
    worker.onmessage = (
      ev: MessageEvent<{ t: 'pos'; pos: Float32Array } | { t: 'clusters'; of: Int32Array; count: number }>,
    ) => {
      if (ev.data.t === 'pos') {
        this.positions = ev.data.pos;
        this.moved = true;
      } else if (ev.data.t === 'clusters') {
        this.onClusters?.(ev.data.of, ev.data.count);
      }
    };
  }
  send(cmd: LayoutCommand): void {
    this.queue.push(cmd);
  }
  requestClusters(): void {
    this.clustersWanted = true;
  }
  frame(): void {
    if (this.queue.length > 0) {
      this.worker.postMessage({ t: 'cmds', cmds: this.queue });
      this.queue = [];
    }
    if (this.clustersWanted) {
      this.clustersWanted = false;
      this.worker.postMessage({ t: 'clusters' });
    }
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
  private clustersWanted = false;
  onClusters: ((of: Int32Array, count: number) => void) | null = null;
  send(cmd: LayoutCommand): void {
    this.core.apply(cmd);
  }
  requestClusters(): void {
    this.clustersWanted = true;
  }
  frame(): void {
    if (this.clustersWanted) {
      this.clustersWanted = false;
      const { of, count } = this.core.clusters();
      this.onClusters?.(of, count);
    }
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
