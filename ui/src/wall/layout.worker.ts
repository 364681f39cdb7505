// Runs the force layout off the main thread so drawing stays smooth at thousands of nodes.

import { LayoutCore, type LayoutCommand } from './layout';

type In = { t: 'cmds'; cmds: LayoutCommand[] } | { t: 'clusters' } | { t: 'stop' };

const core = new LayoutCore();
let running = false;
let settled = false;
let lastPost = 0;

function post(): void {
  const pos = core.positions();
  (self as unknown as Worker).postMessage({ t: 'pos', pos, alpha: core.alpha }, [pos.buffer]);
  lastPost = performance.now();
}

function loop(): void {
  if (!settled && core.nodeCount > 0) {
    // The first batch (the snapshot) is laid out before it is shown: up to 1.5 s of ticks.
    settled = true;
    core.step(1500);
    post();
  }
  const started = performance.now();
  const hot = core.step(8);
  if (performance.now() - lastPost > 14 || !hot) post();
  // At most about 60 steps a second: no faster than the screen shows them, leaving the CPU to the drawing.
  if (hot) setTimeout(loop, Math.max(0, 16 - (performance.now() - started)));
  else running = false;
}

self.onmessage = (ev: MessageEvent<In>) => {
  const msg = ev.data;
  if (msg.t === 'stop') {
    self.close();
    return;
  }
  if (msg.t === 'clusters') {
    // Community detection here, off the main thread (tens of milliseconds at 5,000 people).
    const { of, count } = core.clusters();
    (self as unknown as Worker).postMessage({ t: 'clusters', of, count }, [of.buffer]);
    return;
  }
  for (const c of msg.cmds) core.apply(c);
  if (!running) {
    running = true;
    setTimeout(loop, 0);
  }
};
