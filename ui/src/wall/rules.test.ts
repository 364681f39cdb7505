// The wall rules as shared golden cases: the Rust client (crates/livewall-client/tests/wall_rules.rs) runs the
// same file, so the browser wall and a kiosk's rebuilt cache cannot drift apart on what a frame means.

import { describe, expect, it } from 'vitest';
import type { EventSettings } from '../bindings/EventSettings';
import type { Snapshot } from '../bindings/Snapshot';
import { WallState } from './state';
import { DEFAULT_FEATURES } from './features';
import rules from '../../../crates/livewall-protocol/fixtures/wall-rules.json';

/** The wall as the fixtures describe it. */
interface Wall {
  seq: number;
  eventName: string;
  settings: EventSettings;
  banner: string | null;
  nodes: Array<{ id: string; name: string; initials: string }>;
  links: Array<[string, string]>;
}

interface Case {
  name: string;
  why: string;
  snapshot: Snapshot;
  frames: unknown[];
  expect: Wall;
}

// JSON imports are typed with plain strings where the bindings want literals ("snapshot", "walls"): the file is
// the contract, so it is taken as written.
const cases = (rules as unknown as { cases: Case[] }).cases;

function sameFeatures(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function wallOf(s: WallState): Wall {
  return {
    seq: s.seq,
    eventName: s.eventName,
    // The golden cases predate `settings.wall`; an event that names none has the defaults.
    settings: sameFeatures(s.settings.wall, DEFAULT_FEATURES) ? ({ ...s.settings, wall: undefined } as unknown as EventSettings) : s.settings,
    banner: s.announcement,
    nodes: [...s.nodes.values()]
      .map((n) => ({ id: n.id, name: n.name, initials: n.initials }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    links: [...s.links.values()]
      .map((l): [string, string] => (l.source < l.target ? [l.source, l.target] : [l.target, l.source]))
      .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1)),
  };
}

describe('wall rules (crates/livewall-protocol/fixtures/wall-rules.json)', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(c.name, () => {
      const s = new WallState();
      s.applySnapshot(c.snapshot);
      for (const f of c.frames) s.apply(f);
      expect(wallOf(s), c.why).toEqual(c.expect);
    });
  }
});
