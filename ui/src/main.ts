import './style.css';
import { route } from './route';
import { mountWall } from './wall/view';
import { mountKiosk } from './kiosk/view';
import { mountStation } from './station/view';
import { mountSettings } from './desktop/settings';

const app = document.getElementById('app');
if (app) {
  const r = route(location.pathname, location.search);
  switch (r.view) {
    case 'wall':
      mountWall(app, { eventId: r.eventId, token: r.token });
      break;
    case 'kiosk':
      mountKiosk(app);
      break;
    case 'station':
      mountStation(app);
      break;
    case 'settings':
      mountSettings(app);
      break;
    case 'admin':
      // Loaded on demand: walls do not carry the organiser's screens.
      import('./admin/view').then(
        (m) => m.mountAdmin(app),
        () => {
          app.textContent = 'The organiser screens could not be loaded. Check the connection and reload the page.';
        },
      );
      break;
    case 'home': {
      const box = document.createElement('div');
      box.className = 'home';
      const h = document.createElement('h1');
      h.textContent = 'livewall';
      const p = document.createElement('p');
      p.textContent = 'Open /wall/<event> to show an event’s wall.';
      box.append(h, p);
      app.appendChild(box);
    }
  }
}
