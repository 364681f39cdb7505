/**
 * Full-jitter exponential backoff: a uniformly random delay between `min` and the current ceiling, which doubles
 * from `base` on every failed attempt up to `cap` (defaults: 0.5 s to 20 s).
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  base = 500,
  cap = 20_000,
  min = 250,
): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(min + random() * Math.max(0, ceiling - min));
}
