// Camera maths for flights: fitting a set of points on screen and flying between two views (eased, zoom on a log
// scale, pulling back a little on long pans so the viewer keeps their bearings). Pure.

export interface Camera {
  x: number;
  y: number;
  scale: number;
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function easeInOutCubic(t: number): number {
  const c = Math.max(0, Math.min(1, t));
  return c < 0.5 ? 4 * c * c * c : 1 - (-2 * c + 2) ** 3 / 2;
}

/** The camera that shows `box` in a `width` x `height` screen with `margin` CSS pixels round it, no closer than `maxScale`. */
export function fitBox(box: Box, width: number, height: number, margin: number, maxScale: number, out: Camera): Camera {
  const w = Math.max(box.maxX - box.minX, 1);
  const h = Math.max(box.maxY - box.minY, 1);
  const scale = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h, maxScale);
  out.x = (box.minX + box.maxX) / 2;
  out.y = (box.minY + box.maxY) / 2;
  out.scale = Math.max(scale, 0.005);
  return out;
}

/**
 * The camera `t` (0..1) of the way from `from` to `to` in a screen `diag` pixels across, written into `out`:
 * eased, zoom interpolated on a log scale, and zoomed out by up to half in the middle of a pan longer than the screen.
 */
export function flyCamera(from: Camera, to: Camera, t: number, diag: number, out: Camera): Camera {
  const e = easeInOutCubic(t);
  const dist = Math.hypot(to.x - from.x, to.y - from.y) * Math.min(from.scale, to.scale);
  const dip = Math.min(0.5, (dist / Math.max(diag, 1)) * 0.35);
  out.x = from.x + (to.x - from.x) * e;
  out.y = from.y + (to.y - from.y) * e;
  out.scale = Math.exp(Math.log(from.scale) + (Math.log(to.scale) - Math.log(from.scale)) * e) * (1 - dip * Math.sin(Math.PI * e));
  return out;
}
