import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, FEATURES, FeatureStore, normalFeatures, type Feature } from './features';

describe('wall features', () => {
  it('fills in the defaults for what an event does not say', () => {
    expect(normalFeatures(undefined)).toEqual(DEFAULT_FEATURES);
    expect(normalFeatures({ ticker: false, heat: true, tour: 'yes' })).toEqual({ ...DEFAULT_FEATURES, ticker: false, heat: true });
    expect(FEATURES.filter((f) => !DEFAULT_FEATURES[f])).toEqual(['clusters', 'heat', 'tour']);
  });

  it('follows the event, a key toggle overriding it until the organiser changes that feature', () => {
    const s = new FeatureStore();
    const heard: Array<readonly Feature[]> = [];
    const stop = s.subscribe((_flags, changed) => heard.push(changed));
    s.setEvent({ ...DEFAULT_FEATURES, ticker: false });
    expect(s.on('ticker')).toBe(false);
    expect(heard).toEqual([['ticker']]);

    expect(s.toggle('ticker')).toBe(true);
    expect(s.toggle('spotlight')).toBe(false);
    expect(s.current()).toMatchObject({ ticker: true, spotlight: false });
    // The same settings again (another feature changed): the toggles hold.
    s.setEvent({ ...DEFAULT_FEATURES, ticker: false, heat: true });
    expect(s.current()).toMatchObject({ ticker: true, spotlight: false, heat: true });
    // The organiser switches the tour on, then off, after a key turned it on: their word wins over the key.
    expect(s.toggle('tour')).toBe(true);
    s.setEvent({ ...DEFAULT_FEATURES, ticker: false, heat: true, tour: true });
    s.setEvent({ ...DEFAULT_FEATURES, ticker: false, heat: true, tour: false });
    expect(s.on('tour')).toBe(false);
    // Toggled back to what the event says: no override is left.
    s.toggle('ticker');
    s.setEvent({ ...DEFAULT_FEATURES, heat: true, ticker: false });
    expect(s.on('ticker')).toBe(false);

    stop();
    const n = heard.length;
    s.toggle('tour');
    expect(heard.length).toBe(n);
  });

  it('says nothing when nothing changed, and starts over on reset', () => {
    const s = new FeatureStore();
    let calls = 0;
    s.subscribe(() => calls++);
    s.setEvent(undefined);
    s.setEvent(DEFAULT_FEATURES);
    expect(calls).toBe(0);
    s.toggle('heat');
    expect(calls).toBe(1);
    s.reset();
    expect(s.current()).toEqual(DEFAULT_FEATURES);
    s.toggle('heat');
    expect(calls).toBe(1);
  });
});
