// The organiser's screens: login, the events list, and one event's tabs. Where the organiser is lives in the URL
// hash (`#/events/<id>/<tab>`), so reloading or going back keeps the place.

import './admin.css';
import type { Event } from '../bindings/Event';
import { AdminApi } from './api';
import { qrCanvas } from '../qr';
import { badgeReader, desktopConfig, serverOrigin, wallOpener } from './backend';
import { openLiveSocket } from '../api/socket';
import type { EventCtx } from './context';
import { StatusLine, clear, h, uid } from './dom';
import { embeddedNotice, firstLoginSentence, joinLine, joinSentence, type EmbeddedNotice } from './embedded';
import { AdminLive, type LiveStatus } from './liveFeed';
import { SCREEN_LANGUAGES, TABS, TAB_LABELS, parseHash, placeHash, type Place, type Tab } from './model';
import { renderNewEvent, renderSettings } from './events';
import { renderPeople } from './people';
import { renderImport } from './importer';
import { renderDevices } from './devices';
import { renderModeration } from './moderation';
import { renderLive } from './liveTab';
import { renderWebhooks } from './webhooks';

const SESSION_KEY = 'livewall.admin.session';

interface Session {
  token: string;
  username: string;
  expiresAt: number;
}

function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'number' || s.expiresAt <= Date.now()) return null;
    return { token: s.token, username: typeof s.username === 'string' ? s.username : 'admin', expiresAt: s.expiresAt };
  } catch {
    return null;
  }
}

function saveSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
}

export function mountAdmin(root: HTMLElement): () => void {
  document.documentElement.classList.add('admin-root');
  document.title = 'livewall admin';
  const api = new AdminApi(serverOrigin(), null);
  const reader = badgeReader();
  const openWall = wallOpener();
  // Asked once per page load and kept in memory only: the first answer of the app's life carries the generated
  // admin password, which must not outlive this page.
  const desktop = desktopConfig();
  const notice: Promise<EmbeddedNotice | null> = desktop ? desktop.then(embeddedNotice) : Promise.resolve(null);
  let session = loadSession();
  let events: Event[] = [];
  let live: AdminLive | null = null;
  let disposeTab: (() => void) | null = null;
  let loginNotice = '';

  const shell = h('div', { class: 'admin' });
  root.append(shell);

  api.onUnauthorized = () => {
    loginNotice = 'Your session ended. Log in again.';
    logout();
  };

  function stopEvent(): void {
    disposeTab?.();
    disposeTab = null;
    live?.stop();
    live = null;
  }

  function logout(): void {
    stopEvent();
    session = null;
    api.token = null;
    saveSession(null);
    renderLogin();
  }

  function renderLogin(): void {
    stopEvent();
    const user = h('input', { name: 'username', autocomplete: 'username', value: 'admin', required: true });
    const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const status = new StatusLine();
    if (loginNotice) status.error(loginNotice);
    const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Log in');
    const form = h(
      'form',
      { class: 'login card', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, 'livewall', h('span', { class: 'muted' }, ' · organiser')),
      h('label', { for: 'login-user' }, 'Username'),
      user,
      h('label', { for: 'login-pass' }, 'Password'),
      pass,
      status.el,
      submit,
    );
    user.id = 'login-user';
    pass.id = 'login-pass';
    let userTyped = false;
    user.addEventListener('input', () => (userTyped = true), { once: true });
    const serverBox = h('div', { class: 'login-server', hidden: true });
    void notice.then((n) => {
      if (!n || !serverBox.isConnected) return;
      clear(serverBox, embeddedLoginBox(n));
      serverBox.hidden = false;
      if (n.firstLogin && n.username && !userTyped) user.value = n.username;
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!pass.value) {
        status.error('Type the password.');
        pass.focus();
        return;
      }
      submit.disabled = true;
      status.loading('Logging in…');
      api
        .login(user.value.trim(), pass.value)
        .then((r) => {
          session = { token: r.token, username: r.username, expiresAt: r.expiresAt };
          saveSession(session);
          api.token = r.token;
          loginNotice = '';
          void start();
        })
        .catch((e: unknown) => {
          status.error(e);
          pass.select();
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    shell.classList.remove('admin-shell');
    clear(shell, h('main', { class: 'login-page' }, h('div', { class: 'login-stack' }, serverBox, form)));
    pass.focus();
  }

  // The frame around everything once logged in.
  const sidebar = h('nav', { class: 'sidebar', 'aria-label': 'Events' });
  const main = h('main', { class: 'content', id: 'admin-main', tabindex: -1 });
  const listStatus = new StatusLine();
  // Where devices join, when this laptop is the server: filled once the app answers, kept across re-renders.
  const sideJoin = h('div', { class: 'side-join', hidden: true });
  void notice.then((n) => {
    if (!n) return;
    clear(sideJoin, joinBlock(n));
    sideJoin.hidden = false;
  });

  async function loadEvents(): Promise<void> {
    listStatus.loading('Loading events…');
    try {
      events = await api.events();
      events.sort((a, b) => b.createdAt - a.createdAt);
      listStatus.hide();
    } catch (e) {
      listStatus.error(e);
    }
    renderSidebar();
  }

  function renderSidebar(): void {
    const place = parseHash(location.hash);
    const list = h(
      'ul',
      { class: 'event-list' },
      events.map((e) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: placeHash({ eventId: e.id, tab: 'people' }),
              class: e.id === place.eventId ? 'event-link active' : 'event-link',
              'aria-current': e.id === place.eventId ? 'page' : null,
            },
            h('span', { class: 'event-name' }, e.name),
            h('span', { class: 'event-meta' }, [e.id, e.startsAt ? ` · ${e.startsAt.slice(0, 10)}` : ''].join('')),
          ),
        ),
      ),
    );
    clear(
      sidebar,
      h(
        'div',
        { class: 'brand' },
        h('strong', {}, 'livewall'),
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => logout() }, 'Log out'),
      ),
      sideJoin,
      h('a', { class: 'btn btn-primary new-event', href: '#/' }, '+ New event'),
      h('h2', { class: 'side-title' }, 'Events'),
      listStatus.el,
      events.length === 0 && listStatus.el.hidden ? h('p', { class: 'muted small' }, 'No events yet.') : null,
      list,
    );
  }

  function renderPlace(): void {
    if (!session) return;
    const place = parseHash(location.hash);
    renderSidebar();
    if (place.eventId === null) {
      stopEvent();
      clear(main);
      renderNewEvent(api, main, (e) => {
        events = [e, ...events.filter((x) => x.id !== e.id)];
        location.hash = placeHash({ eventId: e.id, tab: 'import' });
      });
      return;
    }
    const event = events.find((e) => e.id === place.eventId);
    if (!event) {
      stopEvent();
      clear(
        main,
        h('h1', {}, 'No such event'),
        h('p', { class: 'muted' }, `There is no event “${place.eventId}”. It may have been deleted.`),
        h('a', { class: 'btn', href: '#/' }, 'Back to events'),
      );
      return;
    }
    renderEvent(event, place);
  }

  let shownEvent: string | null = null;
  const liveBadge = h('span', { class: 'live-badge', role: 'status' });
  let unStatus: (() => void) | null = null;

  function ensureLive(eventId: string): AdminLive {
    if (live && shownEvent === eventId) return live;
    live?.stop();
    unStatus?.();
    const token = session?.token ?? '';
    live = new AdminLive(eventId, () => openLiveSocket({ base: serverOrigin(), token }));
    shownEvent = eventId;
    const words: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', offline: 'Offline, retrying' };
    const feed = live;
    unStatus = feed.onStatus((s) => {
      // Closed for good by the server (login ended, event deleted): say why rather than "retrying".
      liveBadge.textContent = s === 'offline' && feed.reason ? `Offline: ${feed.reason}` : words[s];
      liveBadge.className = `live-badge live-${s}`;
    });
    return feed;
  }

  let pendingNote: string | null = null;
  // Set when a tab was chosen from the keyboard or by a click on a focused tab: the new page's tab gets the focus
  // back (the event view is drawn again for each tab).
  let refocusTab = false;

  function renderEvent(event: Event, place: Place): void {
    disposeTab?.();
    disposeTab = null;
    const feed = ensureLive(event.id);
    // The WAI-ARIA tabs pattern: one tab in the tab order (roving tabindex), arrows, Home and End move between
    // tabs and open them, and the focus stays on the tab that was chosen.
    const tabs = h(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': 'Event sections' },
      TABS.map((t: Tab) =>
        h(
          'a',
          {
            role: 'tab',
            id: `tab-${t}`,
            class: t === place.tab ? 'tab active' : 'tab',
            href: placeHash({ eventId: event.id, tab: t }),
            'aria-selected': t === place.tab ? 'true' : 'false',
            'aria-controls': 'tab-panel',
            tabindex: t === place.tab ? '0' : '-1',
            'data-tab': t,
          },
          TAB_LABELS[t],
        ),
      ),
    );
    tabs.addEventListener('click', () => {
      refocusTab = true;
    });
    tabs.addEventListener('keydown', (ev) => {
      const at = TABS.indexOf(place.tab);
      const next =
        ev.key === 'ArrowRight' ? (at + 1) % TABS.length
        : ev.key === 'ArrowLeft' ? (at - 1 + TABS.length) % TABS.length
        : ev.key === 'Home' ? 0
        : ev.key === 'End' ? TABS.length - 1
        : null;
      if (next === null) return;
      ev.preventDefault();
      const t = TABS[next];
      if (t === undefined || t === place.tab) return;
      refocusTab = true;
      location.hash = placeHash({ eventId: event.id, tab: t });
    });
    const wallUrl = `${serverOrigin()}/wall/${encodeURIComponent(event.id)}`;
    const wallLink = h('a', { class: 'btn btn-small', href: wallUrl, target: '_blank', rel: 'noopener' }, 'Open wall ↗');
    const wallStatus = new StatusLine();
    if (openWall) {
      // The app's admin window opens no new tabs: it opens a wall window instead.
      wallLink.addEventListener('click', (ev) => {
        ev.preventDefault();
        wallStatus.hide();
        openWall(event.id).catch((e: unknown) => wallStatus.error(e));
      });
    }
    const panel = h('section', { class: 'tab-panel', id: 'tab-panel', role: 'tabpanel', 'aria-labelledby': `tab-${place.tab}` });
    clear(
      main,
      h(
        'header',
        { class: 'event-header' },
        h(
          'div',
          {},
          h('h1', { class: 'event-title' }, event.name),
          h(
            'p',
            { class: 'muted small' },
            event.id,
            event.startsAt ? ` · ${event.startsAt.slice(0, 10)}${event.endsAt ? ` → ${event.endsAt.slice(0, 10)}` : ''}` : '',
            event.settings.publicWall ? ' · public wall' : ' · private wall',
            event.settings.initialsOnly ? ' · initials only' : '',
            event.settings.language ? ` · screens in ${SCREEN_LANGUAGES.find((l) => l.code === event.settings.language)?.label ?? event.settings.language}` : '',
          ),
        ),
        h(
          'div',
          { class: 'row' },
          liveBadge,
          wallLink,
        ),
      ),
      wallStatus.el,
      tabs,
      panel,
    );
    if (refocusTab) {
      refocusTab = false;
      tabs.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
    }
    const ctx: EventCtx = {
      api,
      event,
      live: feed,
      reader,
      note: pendingNote,
      eventChanged: (e, note) => {
        events = events.map((x) => (x.id === e.id ? e : x));
        pendingNote = note ?? null;
        renderPlace();
      },
      eventDeleted: () => {
        events = events.filter((x) => x.id !== event.id);
        stopEvent();
        shownEvent = null;
        location.hash = '#/';
      },
    };
    const render: Record<Tab, (c: EventCtx, el: HTMLElement) => () => void> = {
      people: renderPeople,
      import: renderImport,
      devices: renderDevices,
      moderation: renderModeration,
      live: renderLive,
      webhooks: renderWebhooks,
      settings: renderSettings,
    };
    pendingNote = null;
    disposeTab = render[place.tab](ctx, panel);
  }

  async function start(): Promise<void> {
    clear(shell, sidebar, main);
    shell.classList.add('admin-shell');
    await loadEvents();
    renderPlace();
  }

  const onHash = () => {
    if (session) renderPlace();
  };
  window.addEventListener('hashchange', onHash);

  if (session) {
    api.token = session.token;
    void start();
  } else {
    renderLogin();
  }

  return () => {
    window.removeEventListener('hashchange', onHash);
    stopEvent();
    shell.remove();
  };
}

/** The login screen's box of a laptop that runs the event's server: where others join, and the first login once. */
function embeddedLoginBox(n: EmbeddedNotice): HTMLElement {
  const qr = qrCanvas(n.publicUrl, 180);
  qr.setAttribute('aria-label', `QR code of ${n.publicUrl}`);
  return h(
    'section',
    { class: 'embedded-box card', 'aria-label': 'This laptop is the server' },
    qr,
    h(
      'div',
      { class: 'grow' },
      h('p', { class: 'embedded-join' }, joinSentence(n)),
      n.firstLogin ? h('p', { class: 'first-login', role: 'note' }, firstLoginSentence(n.firstLogin)) : null,
    ),
  );
}

/** The compact line once logged in, with a button that shows (or hides) the QR code of the address. */
function joinBlock(n: EmbeddedNotice): HTMLElement[] {
  const qrId = uid('join-qr');
  const qrBox = h('div', { class: 'join-qr', id: qrId, hidden: true });
  const toggle = h('button', { class: 'btn btn-small', type: 'button', 'aria-expanded': 'false', 'aria-controls': qrId }, 'Show QR code');
  toggle.addEventListener('click', () => {
    const show = qrBox.hidden;
    if (show && !qrBox.firstChild) {
      const qr = qrCanvas(n.publicUrl, 180);
      qr.setAttribute('aria-label', `QR code of ${n.publicUrl}`);
      qrBox.append(qr);
    }
    qrBox.hidden = !show;
    toggle.setAttribute('aria-expanded', show ? 'true' : 'false');
    toggle.textContent = show ? 'Hide QR code' : 'Show QR code';
  });
  return [h('p', { class: 'join-line small' }, joinLine(n)), toggle, qrBox];
}
