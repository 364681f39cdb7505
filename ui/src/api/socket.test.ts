import { describe, expect, it } from 'vitest';
import { parseFrame } from './socket';

describe('parseFrame', () => {
  it('keeps known frames and refuses the rest', () => {
    expect(parseFrame('{"type":"presence","eventId":"e","walls":1,"stations":0,"devices":["d"]}')).toMatchObject({ type: 'presence' });
    expect(parseFrame('{"type":"presence","eventId":"e"}')).toBeNull();
    expect(parseFrame('{"type":"mystery"}')).toBeNull();
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame(42)).toBeNull();
  });
});
