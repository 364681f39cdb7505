import { describe, expect, it } from 'vitest';
import { FEATURE_KEYS, isTyping, keyAction } from './keys';
import { FEATURES } from './features';

describe('wall keys', () => {
  it('gives every feature its own key', () => {
    expect(FEATURE_KEYS.map(([, f]) => f).sort()).toEqual([...FEATURES].sort());
    expect(new Set(FEATURE_KEYS.map(([k]) => k)).size).toBe(FEATURES.length);
  });

  it('toggles a feature by its letter, either case', () => {
    expect(keyAction({ key: 't' })).toEqual({ kind: 'toggle', feature: 'ticker' });
    expect(keyAction({ key: 'T' })).toEqual({ kind: 'toggle', feature: 'ticker' });
    expect(keyAction({ key: 's' })).toEqual({ kind: 'toggle', feature: 'spotlight' });
    expect(keyAction({ key: 'p' })).toEqual({ kind: 'toggle', feature: 'pathFinder' });
    expect(keyAction({ key: 'x' })).toBeNull();
    expect(keyAction({ key: 'Enter' })).toBeNull();
  });

  it('opens the help with ? and closes it with Escape', () => {
    expect(keyAction({ key: '?' })).toEqual({ kind: 'help' });
    expect(keyAction({ key: '\u061f', code: 'Slash' })).toEqual({ kind: 'help' });
    expect(keyAction({ key: 'Escape' })).toEqual({ kind: 'close' });
  });

  it('reads the key’s place on a keyboard of another script', () => {
    expect(keyAction({ key: 'ف', code: 'KeyT' })).toEqual({ kind: 'toggle', feature: 'ticker' });
  });

  it('leaves typing, modifiers and held keys alone', () => {
    expect(isTyping({ tagName: 'input' })).toBe(true);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTyping({ tagName: 'CANVAS' })).toBe(false);
    expect(keyAction({ key: 't', target: { tagName: 'INPUT' } })).toBeNull();
    expect(keyAction({ key: '?', target: { tagName: 'TEXTAREA' } })).toBeNull();
    expect(keyAction({ key: 't', ctrlKey: true })).toBeNull();
    expect(keyAction({ key: 'f', metaKey: true })).toBeNull();
    expect(keyAction({ key: 'q', ctrlKey: true, altKey: true })).toBeNull();
    expect(keyAction({ key: 't', repeat: true })).toBeNull();
  });
});
