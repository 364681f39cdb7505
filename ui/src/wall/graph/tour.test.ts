import { describe, expect, it } from 'vitest';
import { TourScheduler, type TourTiming } from './tour';

const timing: TourTiming = { flyMs: 1000, holdMs: 3000, backMs: 1500, maxQueue: 2 };
const ab = { source: 'a', target: 'b' };
const cd = { source: 'c', target: 'd' };
const ef = { source: 'e', target: 'f' };

describe('kiosk tour', () => {
  it('flies in to a new link, holds about three seconds, then eases back out', () => {
    const tour = new TourScheduler(timing);
    expect(tour.tick(0, false)).toMatchObject({ phase: 'idle', focus: null, changed: false });
    tour.push(ab);
    expect(tour.tick(10, false)).toMatchObject({ phase: 'in', focus: ab, changed: true, flightMs: 1000 });
    expect(tour.tick(500, false)).toMatchObject({ phase: 'in', focus: ab, changed: false });
    expect(tour.tick(1010, false)).toMatchObject({ phase: 'hold', focus: ab, changed: false });
    expect(tour.tick(3900, false)).toMatchObject({ phase: 'hold', focus: ab });
    expect(tour.tick(4010, false)).toMatchObject({ phase: 'out', focus: null, changed: true, flightMs: 1500 });
    expect(tour.tick(5000, false).phase).toBe('out');
    expect(tour.tick(5510, false)).toMatchObject({ phase: 'idle', focus: null });
  });

  it('goes from one link straight to the next, and a rush keeps only the newest', () => {
    const tour = new TourScheduler(timing);
    tour.push(ab);
    tour.tick(0, false);
    tour.push(cd);
    tour.push(ef);
    tour.push({ source: 'g', target: 'h' });
    expect(tour.queued).toBe(2);
    tour.tick(1000, false);
    expect(tour.tick(4000, false)).toMatchObject({ phase: 'in', focus: ef, changed: true });
  });

  it('a link during the way out is flown to at once', () => {
    const tour = new TourScheduler(timing);
    tour.push(ab);
    tour.tick(0, false);
    tour.tick(1000, false);
    tour.tick(4000, false);
    tour.push(cd);
    expect(tour.tick(4500, false)).toMatchObject({ phase: 'in', focus: cd, changed: true });
  });

  it('never fights a person who is searching: it lets go at once and drops what came meanwhile', () => {
    const tour = new TourScheduler(timing);
    tour.push(ab);
    tour.tick(0, false);
    expect(tour.tick(200, true)).toMatchObject({ phase: 'idle', focus: null, changed: true, flightMs: 0 });
    tour.push(cd);
    expect(tour.tick(300, true)).toMatchObject({ phase: 'idle', changed: false });
    expect(tour.tick(400, false)).toMatchObject({ phase: 'idle', focus: null, changed: false });
    tour.push(ef);
    expect(tour.tick(500, false)).toMatchObject({ phase: 'in', focus: ef });
  });

  it('cancel forgets the queue', () => {
    const tour = new TourScheduler(timing);
    tour.push(ab);
    tour.push(cd);
    tour.cancel();
    expect(tour.tick(0, false).phase).toBe('idle');
  });
});
