// Which view a path shows. The server answers every page path with the same index.html.

export type Route =
  | { view: 'wall'; eventId: string; token: string | null }
  | { view: 'station' }
  | { view: 'admin' }
  | { view: 'kiosk' }
  | { view: 'settings' }
  | { view: 'home' };

export function route(pathname: string, search: string): Route {
  const token = new URLSearchParams(search).get('token');
  const parts = pathname.split('/').filter((p) => p.length > 0);
  const [first, second] = parts;
  if (first === 'wall' && second !== undefined) {
    let eventId: string;
    try {
      eventId = decodeURIComponent(second);
    } catch {
      eventId = second;
    }
    return { view: 'wall', eventId, token: token && token.length > 0 ? token : null };
  }
  if (first === 'station') return { view: 'station' };
  if (first === 'admin') return { view: 'admin' };
  if (first === 'kiosk') return { view: 'kiosk' };
  if (first === 'settings') return { view: 'settings' };
  return { view: 'home' };
}
