import { describe, expect, it } from 'vitest';
import { initialModel, reduce, tick, WedgeCollector, type StationEvent, type StationModel } from './model';
import type { Person } from '../bindings/Person';

const ada: Person = { id: 'p1', name: 'Ada Lovelace', avatar: null, major: null, company: 'Engines' };
const bob: Person = { id: 'p2', name: 'Bob', avatar: null, major: null, company: null };
const a = { kind: 'uid' as const, value: '04A1' };
const b = { kind: 'uid' as const, value: '04B2' };

function run(events: StationEvent[], m: StationModel = initialModel, now = 1000): StationModel {
  return events.reduce((acc, ev) => reduce(acc, ev, now), m);
}

describe('station screen', () => {
  it('shows the first person, then the pair once the server answered', () => {
    let m = run([{ kind: 'first', badge: a, timeoutMs: 15000 }]);
    expect(m.screen).toMatchObject({ kind: 'first', person: null });
    expect(m.sound).toBe('tick');
    m = reduce(m, { kind: 'first_person', badge: a, person: ada }, 1100);
    expect(m.screen).toMatchObject({ kind: 'first', person: ada });
    m = reduce(m, { kind: 'paired', key: 'k1', first: a, second: b }, 1200);
    expect(m.screen).toEqual({ kind: 'sending', key: 'k1', people: [ada, null] });
    m = reduce(m, { kind: 'result', key: 'k1', outcome: 'connected', people: [ada, bob], message: null }, 1300);
    expect(m.screen).toMatchObject({ kind: 'done', outcome: 'connected' });
    expect(m.sound).toBe('success');
    expect(tick(m, 1300 + 4999).screen.kind).toBe('done');
    expect(tick(m, 1300 + 5000).screen.kind).toBe('idle');
  });

  it('says a tap is saved when the server cannot be reached', () => {
    let m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k1', first: a, second: b },
      { kind: 'queue', waiting: 1, reason: 'cannot reach the server' },
    ]);
    expect(m.screen).toEqual({ kind: 'queued', key: 'k1' });
    expect(m.waiting).toBe(1);
    m = reduce(m, { kind: 'queue', waiting: 0, reason: null }, 2000);
    expect(m.waiting).toBe(0);
  });

  it('ignores a late unknown-badge answer for a badge no longer waiting', () => {
    const m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k1', first: a, second: b },
      { kind: 'unknown', badge: a },
    ]);
    expect(m.screen.kind).toBe('sending');
    const waiting = run([{ kind: 'first', badge: a, timeoutMs: 15000 }, { kind: 'unknown', badge: a }]);
    expect(waiting.screen.kind).toBe('unknown');
    expect(waiting.sound).toBe('failure');
  });

  it('reports refused taps and reader trouble', () => {
    let m = run([
      { kind: 'first', badge: a, timeoutMs: 15000 },
      { kind: 'paired', key: 'k9', first: a, second: b },
      { kind: 'result', key: 'k9', outcome: 'refused', people: null, message: 'not registered' },
    ]);
    expect(m.screen).toMatchObject({ kind: 'done', outcome: 'refused', message: 'not registered' });
    expect(m.sound).toBe('failure');
    m = reduce(m, { kind: 'reader', status: 'no_reader', readers: [], message: null }, 0);
    expect(m.reader).toBe('no_reader');
  });
});

describe('keyboard-wedge reader', () => {
  it('takes fast hex digits ended by Enter', () => {
    const w = new WedgeCollector(80);
    let t = 0;
    let line: string | null = null;
    for (const k of [...'04A1B2C3D4E580', 'Enter']) line = w.key(k, (t += 10));
    expect(line).toBe('04A1B2C3D4E580');
  });

  it('ignores slow typing and short lines', () => {
    const w = new WedgeCollector(80);
    let t = 0;
    let line: string | null = null;
    for (const k of [...'04A1B2C3', 'Enter']) line = w.key(k, (t += 200));
    expect(line).toBeNull();
    for (const k of [...'04A1', 'Enter']) line = w.key(k, (t += 5));
    expect(line).toBeNull();
  });
});
