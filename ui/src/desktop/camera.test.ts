import { describe, expect, it } from 'vitest';
import { frameSize, hasCamera } from './camera';

describe('camera', () => {
  it('is offered only when a video input is listed', () => {
    expect(hasCamera([{ kind: 'audioinput' }, { kind: 'videoinput' }])).toBe(true);
    expect(hasCamera([{ kind: 'audioinput' }, { kind: 'audiooutput' }])).toBe(false);
    expect(hasCamera([])).toBe(false);
  });

  it('grabs frames no larger than needed, keeping their shape', () => {
    expect(frameSize(1920, 1080)).toEqual({ width: 800, height: 450 });
    expect(frameSize(720, 1280)).toEqual({ width: 450, height: 800 });
    expect(frameSize(640, 480)).toEqual({ width: 640, height: 480 });
  });
});
