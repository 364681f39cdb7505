import './style.css';
import { route } from './route';
import { mountWall } from './wall/view';

const app = document.getElementById('app');
if (app) {
  const r = route(location.pathname, location.search);
  switch (r.view) {
    case 'wall':
      mountWall(app, { eventId: r.eventId, token: r.token });
      break;
    default: {
      // The station, admin and kiosk views come with their own issues.
      const box = document.createElement('div');
      box.className = 'home';
      const h = document.createElement('h1');
      h.textContent = 'livewall';
      const p = document.createElement('p');
      p.textContent =
        r.view === 'home'
          ? 'Open /wall/<event> to show an event’s wall.'
          : `The ${r.view} view is not part of this build yet. Walls are at /wall/<event>.`;
      box.append(h, p);
      app.appendChild(box);
    }
  }
}
