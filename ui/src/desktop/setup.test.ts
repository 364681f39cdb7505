import { describe, expect, it } from 'vitest';
import { fillFrom, looksLikeLink, type SetupFields } from './setup';

const form = (): SetupFields => ({
  role: { value: 'kiosk' },
  server: { value: 'http://typed:8080' },
  event: { value: 'typed' },
  token: { value: '' },
});

describe('setup links', () => {
  it('tells a link from a bare token', () => {
    expect(looksLikeLink(' http://192.168.1.20:8080/setup#role=station&event=summit&token=abc')).toBe(true);
    expect(looksLikeLink('HTTPS://wall.example.org/setup#token=abc')).toBe(true);
    expect(looksLikeLink('lw1.eyJkZXZpY2UiOiJkMSJ9.abc')).toBe(false);
    expect(looksLikeLink('')).toBe(false);
  });

  it('fills every field the setup names and keeps the others', () => {
    const all = form();
    fillFrom(all, { token: 'tok', server: 'http://10.0.0.2:8080', event: 'summit', role: 'station' });
    expect(all).toEqual({ role: { value: 'station' }, server: { value: 'http://10.0.0.2:8080' }, event: { value: 'summit' }, token: { value: 'tok' } });
    const some = form();
    fillFrom(some, { token: 'tok', server: null, event: null, role: null });
    expect(some).toEqual({ ...form(), token: { value: 'tok' } });
  });
});
