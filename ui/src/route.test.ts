import { describe, expect, it } from 'vitest';
import { route } from './route';

describe('route', () => {
  it('picks the wall view and its token', () => {
    expect(route('/wall/demo', '')).toEqual({ view: 'wall', eventId: 'demo', token: null });
    expect(route('/wall/spring-fair/', '?token=abc')).toEqual({ view: 'wall', eventId: 'spring-fair', token: 'abc' });
    expect(route('/wall/%E0%A4', '')).toMatchObject({ view: 'wall', eventId: '%E0%A4' });
  });
  it('names the other views', () => {
    expect(route('/station', '').view).toBe('station');
    expect(route('/admin/events/x', '').view).toBe('admin');
    expect(route('/wall', '').view).toBe('home');
    expect(route('/', '').view).toBe('home');
  });
});
