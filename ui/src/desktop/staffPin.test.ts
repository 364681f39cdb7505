import { describe, expect, it } from 'vitest';
import { isStaffChord } from './staffPin';

const keys = (key: string, mods = { ctrlKey: true, altKey: true, shiftKey: true }) => ({ ...mods, key });

describe('staff chords', () => {
  it('needs Ctrl, Alt and Shift with the letter, whatever the case it is typed in', () => {
    expect(isStaffChord(keys('S'), 's')).toBe(true);
    expect(isStaffChord(keys('q'), 'q')).toBe(true);
    expect(isStaffChord(keys('Q'), 's')).toBe(false);
    expect(isStaffChord(keys('S', { ctrlKey: true, altKey: false, shiftKey: true }), 's')).toBe(false);
    expect(isStaffChord(keys('s', { ctrlKey: false, altKey: true, shiftKey: true }), 's')).toBe(false);
  });
});
