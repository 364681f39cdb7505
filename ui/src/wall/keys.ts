// The wall's keys (it runs on kiosks): one per feature, `?` for the help, Escape to close it. Pure: what a key
// press means, from the few fields of a KeyboardEvent it needs. Keys with Ctrl, Alt or Meta are left to the
// browser and the kiosk (Ctrl+Alt+Shift+Q leaves it), and nothing fires while someone types in a field.

import type { Feature } from './features';

/** The key of each feature, in the order the help lists them. */
export const FEATURE_KEYS: ReadonlyArray<readonly [string, Feature]> = [
  ['S', 'spotlight'],
  ['T', 'ticker'],
  ['K', 'streaks'],
  ['M', 'medals'],
  ['C', 'counters'],
  ['F', 'search'],
  ['P', 'pathFinder'],
  ['G', 'clusters'],
  ['H', 'heat'],
  ['O', 'tour'],
];

export type KeyAction = { kind: 'toggle'; feature: Feature } | { kind: 'help' } | { kind: 'close' };

/** The parts of a KeyboardEvent `keyAction` reads. */
export interface KeyPress {
  key: string;
  /** The physical key (`KeyS`), for keyboards whose letters are not Latin. */
  code?: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  repeat?: boolean;
  /** Where the key went: a field's tag name, and whether it is editable. */
  target?: { tagName?: string; isContentEditable?: boolean } | null;
}

/** Whether `target` takes typing (an input, a text area, a select, an editable element). */
export function isTyping(target: KeyPress['target']): boolean {
  if (!target) return false;
  if (target.isContentEditable === true) return true;
  const tag = (target.tagName ?? '').toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/** What the wall does for a key press, or null when the key is not the wall's. */
export function keyAction(e: KeyPress): KeyAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || isTyping(e.target)) return null;
  // `?`, or the Arabic keyboard's `؟` on the same key.
  if (e.key === '?' || e.key === '\u061f') return { kind: 'help' };
  if (e.key === 'Escape') return { kind: 'close' };
  let letter = e.key.length === 1 ? e.key.toUpperCase() : '';
  // Another script's letter on the key (Arabic, Cyrillic): the key's place on the keyboard says which it is.
  if (!/^[A-Z]$/.test(letter)) letter = /^Key[A-Z]$/.test(e.code ?? '') ? (e.code ?? '').slice(3) : '';
  const hit = FEATURE_KEYS.find(([k]) => k === letter);
  return hit ? { kind: 'toggle', feature: hit[1] } : null;
}
