// Avatars drawn from small pre-scaled circular bitmaps: each photo is decoded and downscaled once, then drawn
// with one drawImage per frame. A photo that is missing, broken or slow falls back to coloured initials.

export const BITMAP_PX = 96;
const MAX_CONCURRENT = 6;
const LOAD_TIMEOUT_MS = 15_000;
const MAX_ENTRIES = 1500;

/** A picture at two sizes: drawing a small node from the small one is several times cheaper. */
interface Bitmaps {
  large: HTMLCanvasElement;
  small: HTMLCanvasElement;
}

type Entry = { state: 'queued' | 'loading' | 'failed' } | { state: 'ready'; img: Bitmaps };

export const SMALL_PX = 32;

function withSmall(large: HTMLCanvasElement): Bitmaps {
  const small = document.createElement('canvas');
  small.width = small.height = SMALL_PX;
  const ctx = small.getContext('2d');
  if (ctx) {
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(large, 0, 0, SMALL_PX, SMALL_PX);
  }
  return { large, small };
}

function pick(b: Bitmaps, diameterPx: number): HTMLCanvasElement {
  return diameterPx <= SMALL_PX * 1.25 ? b.small : b.large;
}

function makeCanvas(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = c.height = BITMAP_PX;
  return c;
}

function ring(ctx: CanvasRenderingContext2D, color: string): void {
  const r = BITMAP_PX / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - 3, 0, Math.PI * 2);
  ctx.lineWidth = 6;
  ctx.strokeStyle = color;
  ctx.stroke();
}

export class AvatarCache {
  private readonly photos = new Map<string, Entry>();
  private readonly initials = new Map<string, Bitmaps>();
  private readonly queue: Array<{ key: string; url: string; color: string }> = [];
  private loading = 0;
  private destroyed = false;
  /** Called when a bitmap becomes ready (to redraw). */
  onReady: (() => void) | null = null;
  failures = 0;

  /** The photo for `url` ringed in `color`, to draw `diameterPx` wide; null while it loads or if it cannot. */
  photo(url: string, color: string, diameterPx: number): HTMLCanvasElement | null {
    const key = `${color}|${url}`;
    const e = this.photos.get(key);
    if (e) {
      if (e.state !== 'ready') return null;
      // Refresh its place in the LRU order.
      this.photos.delete(key);
      this.photos.set(key, e);
      return pick(e.img, diameterPx);
    }
    this.photos.set(key, { state: 'queued' });
    this.queue.push({ key, url, color });
    this.evict();
    this.pump();
    return null;
  }

  /** A coloured disc with the initials, to draw `diameterPx` wide. */
  initialsBitmap(text: string, color: string, diameterPx: number): HTMLCanvasElement {
    const key = `${color}|${text}`;
    const hit = this.initials.get(key);
    if (hit) return pick(hit, diameterPx);
    const c = makeCanvas();
    const ctx = c.getContext('2d');
    if (ctx) {
      const r = BITMAP_PX / 2;
      ctx.beginPath();
      ctx.arc(r, r, r, 0, Math.PI * 2);
      ctx.fillStyle = color;
      ctx.fill();
      ctx.fillStyle = 'rgba(8, 12, 28, 0.92)';
      ctx.font = `700 ${Math.round(BITMAP_PX * 0.4)}px system-ui, "Noto Sans", "DejaVu Sans", "Noto Color Emoji", sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(text, r, r + BITMAP_PX * 0.03, BITMAP_PX * 0.8);
    }
    if (this.initials.size > MAX_ENTRIES) this.initials.clear();
    const both = withSmall(c);
    this.initials.set(key, both);
    return pick(both, diameterPx);
  }

  get size(): number {
    return this.photos.size + this.initials.size;
  }

  private evict(): void {
    while (this.photos.size > MAX_ENTRIES) {
      const oldest = this.photos.keys().next();
      if (oldest.done) return;
      const e = this.photos.get(oldest.value);
      if (e && e.state === 'loading') {
        // Still loading: let it finish; evict it later.
        this.photos.delete(oldest.value);
        this.photos.set(oldest.value, e);
        return;
      }
      this.photos.delete(oldest.value);
    }
  }

  private pump(): void {
    while (!this.destroyed && this.loading < MAX_CONCURRENT) {
      const job = this.queue.shift();
      if (!job) return;
      if (!this.photos.has(job.key)) continue;
      this.photos.set(job.key, { state: 'loading' });
      this.loading++;
      void this.load(job.url, job.color).then((img) => {
        this.loading--;
        if (this.destroyed) return;
        if (this.photos.has(job.key)) {
          this.photos.set(job.key, img ? { state: 'ready', img } : { state: 'failed' });
        }
        if (!img) this.failures++;
        else this.onReady?.();
        this.pump();
      });
    }
  }

  private async load(url: string, color: string): Promise<Bitmaps | null> {
    const img = new Image();
    img.decoding = 'async';
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), LOAD_TIMEOUT_MS);
      img.onload = () => {
        clearTimeout(timer);
        resolve(true);
      };
      img.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    img.src = url;
    const ok = await done;
    img.onload = img.onerror = null;
    if (!ok) {
      img.src = '';
      return null;
    }
    try {
      const c = makeCanvas();
      const ctx = c.getContext('2d');
      if (!ctx) return null;
      const w = img.naturalWidth || BITMAP_PX;
      const h = img.naturalHeight || BITMAP_PX;
      const side = Math.min(w, h);
      const r = BITMAP_PX / 2;
      ctx.save();
      ctx.beginPath();
      ctx.arc(r, r, r, 0, Math.PI * 2);
      ctx.clip();
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, (w - side) / 2, (h - side) / 2, side, side, 0, 0, BITMAP_PX, BITMAP_PX);
      ctx.restore();
      ring(ctx, color);
      return withSmall(c);
    } catch {
      return null;
    } finally {
      img.src = '';
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.queue.length = 0;
    this.photos.clear();
    this.initials.clear();
    this.onReady = null;
  }
}
