// The activity heat: where recent links happened. A small ring buffer of the newest links' endpoints (slots) and
// when they were made; each glows with a weight that fades to nothing over HEAT_WINDOW_MS. The renderer draws one
// pre-rendered glow sprite per endpoint, so the cost is bounded by the buffer's size, whatever the graph's.

/** How long a link keeps glowing. */
export const HEAT_WINDOW_MS = 10 * 60_000;

/** The glow of a link `ageMs` old: 1 when new, easing to 0 at `windowMs` (smooth: no visible step at the end). */
export function heatWeight(ageMs: number, windowMs = HEAT_WINDOW_MS): number {
  if (!(ageMs < windowMs)) return 0;
  if (ageMs <= 0) return 1;
  const k = 1 - ageMs / windowMs;
  return k * k;
}

export class HeatLog {
  readonly slotA: Int32Array;
  readonly slotB: Int32Array;
  readonly at: Float64Array;
  /** Index of the oldest entry. */
  private tail = 0;
  private count = 0;

  constructor(readonly capacity = 256) {
    this.slotA = new Int32Array(capacity);
    this.slotB = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Remembers a link made at `at`; when full, the oldest is forgotten. */
  add(a: number, b: number, at: number): void {
    const i = (this.tail + this.count) % this.capacity;
    this.slotA[i] = a;
    this.slotB[i] = b;
    this.at[i] = at;
    if (this.count < this.capacity) this.count++;
    else this.tail = (this.tail + 1) % this.capacity;
  }

  /** Forgets links older than the window (links arrive roughly in time order, so from the oldest end). */
  prune(now: number, windowMs = HEAT_WINDOW_MS): void {
    while (this.count > 0 && now - (this.at[this.tail] ?? 0) >= windowMs) {
      this.tail = (this.tail + 1) % this.capacity;
      this.count--;
    }
  }

  /** The buffer index of the `k`-th entry, oldest first (0 <= k < size). */
  index(k: number): number {
    return (this.tail + k) % this.capacity;
  }

  /** Forgets a removed person's links (their slot may be handed out again). */
  forgetSlot(slot: number): void {
    for (let k = 0; k < this.count; k++) {
      const i = this.index(k);
      if (this.slotA[i] === slot || this.slotB[i] === slot) this.at[i] = -Infinity;
    }
  }

  clear(): void {
    this.tail = 0;
    this.count = 0;
  }
}
