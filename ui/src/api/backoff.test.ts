import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('grows from half a second to a 20 s ceiling', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(5, () => 1)).toBe(16_000);
    expect(backoffDelay(6, () => 1)).toBe(20_000);
    expect(backoffDelay(1000, () => 1)).toBe(20_000);
  });

  it('spreads retries over the whole range (full jitter)', () => {
    expect(backoffDelay(6, () => 0)).toBe(250);
    expect(backoffDelay(6, () => 0.5)).toBe(10_125);
  });
});
