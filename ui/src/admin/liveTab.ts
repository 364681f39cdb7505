// Live statistics (people, connections, taps per minute, most connected) and announcements to walls and stations.

import type { Audience } from '../bindings/Audience';
import type { EventStats } from '../bindings/EventStats';
import { StatusLine, busy, clear, debounce, h } from './dom';
import { bars } from './model';
import type { EventCtx } from './context';

const MAX_MESSAGE = 200;
const AUDIENCE_WORDS: Record<Audience, string> = { walls: 'walls', stations: 'stations', all: 'walls and stations' };

export function renderLive(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let alive = true;

  // Statistics.
  const statsStatus = new StatusLine();
  const cards = h('div', { class: 'stat-cards' });
  const chart = h('div', { class: 'chart', role: 'img' });
  const top = h('ol', { class: 'top-list' });

  function drawStats(s: EventStats): void {
    const card = (label: string, value: number, key: string) =>
      h('div', { class: 'stat-card', 'data-stat': key }, h('div', { class: 'stat-card-value' }, value.toLocaleString()), h('div', { class: 'stat-card-label' }, label));
    clear(
      cards,
      card('People', s.people, 'people'),
      card('Connections', s.connections, 'connections'),
      card('Last 10 minutes', s.connectionsLast10Min, 'recent'),
      card('Hidden', s.hidden, 'hidden'),
    );
    const heights = bars(s.tapsPerMinute);
    const n = s.tapsPerMinute.length;
    chart.setAttribute('aria-label', `Taps per minute over the last ${n} minutes, oldest first: ${s.tapsPerMinute.join(', ')}`);
    clear(
      chart,
      s.tapsPerMinute.map((v, i) =>
        h(
          'div',
          { class: 'bar-col', title: `${n - i === 1 ? 'This minute' : `${n - i - 1} min ago`}: ${v}` },
          h('span', { class: 'bar-value' }, String(v)),
          h('div', { class: 'bar', style: `height:${Math.max(2, Math.round((heights[i] ?? 0) * 100))}%` }),
          h('span', { class: 'bar-label' }, i === n - 1 ? 'now' : `-${n - 1 - i}`),
        ),
      ),
    );
    clear(
      top,
      s.top.length === 0
        ? h('li', { class: 'muted' }, 'Nobody has connected yet.')
        : s.top.map((t) => h('li', {}, h('span', { class: 'person-name' }, t.person.name), h('span', { class: 'count' }, String(t.connections)))),
    );
  }

  let statsSeq = 0;
  async function loadStats(): Promise<void> {
    const mine = ++statsSeq;
    try {
      const s = await api.stats(event.id);
      if (!alive || mine !== statsSeq) return;
      statsStatus.hide();
      drawStats(s);
    } catch (e) {
      if (alive && mine === statsSeq) statsStatus.error(e);
    }
  }

  // Announcements.
  const message = h('textarea', { id: 'announce-text', rows: 2, maxlength: MAX_MESSAGE, placeholder: 'Keynote starts in 5 minutes in Hall A' });
  const counter = h('span', { class: 'muted small', 'aria-live': 'off' }, `0 / ${MAX_MESSAGE}`);
  const audienceName = 'audience';
  const radios = (['walls', 'stations', 'all'] as const).map((a) => {
    const input = h('input', { type: 'radio', name: audienceName, value: a, id: `aud-${a}`, checked: a === 'walls' });
    return { a, input, el: h('label', { class: 'radio', for: `aud-${a}` }, input, a === 'all' ? ' Both' : a === 'walls' ? ' Walls' : ' Stations') };
  });
  const send = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Show banner');
  const annStatus = new StatusLine();
  const current: Record<'walls' | 'stations', string | null> = { walls: null, stations: null };
  const currentEl = h('div', { class: 'current-banners' });

  function drawCurrent(): void {
    const line = (who: 'walls' | 'stations') => {
      const msg = current[who];
      const clearBtn = h('button', { class: 'btn btn-small', type: 'button', disabled: msg === null }, `Clear on ${who}`);
      clearBtn.addEventListener('click', () => void busy(clearBtn, () => announce(null, who)));
      return h(
        'div',
        { class: 'current', 'data-audience': who },
        h('span', { class: 'muted small' }, who === 'walls' ? 'On walls now' : 'On stations now'),
        msg === null ? h('span', { class: 'muted' }, 'nothing') : h('strong', { class: 'current-text' }, msg),
        clearBtn,
      );
    };
    clear(currentEl, line('walls'), line('stations'));
  }

  function noteAnnouncement(msg: string | null, audience: Audience): void {
    if (audience === 'walls' || audience === 'all') current.walls = msg;
    if (audience === 'stations' || audience === 'all') current.stations = msg;
    drawCurrent();
  }

  async function announce(msg: string | null, audience: Audience): Promise<void> {
    annStatus.loading(msg === null ? 'Clearing…' : 'Sending…');
    try {
      await api.announce(event.id, { message: msg, audience });
      noteAnnouncement(msg, audience);
      annStatus.ok(msg === null ? `Banner cleared on ${AUDIENCE_WORDS[audience]}.` : `Shown on ${AUDIENCE_WORDS[audience]}.`);
      if (msg !== null) {
        message.value = '';
        counter.textContent = `0 / ${MAX_MESSAGE}`;
      }
    } catch (e) {
      annStatus.error(e);
    }
  }

  const form = h(
    'form',
    { class: 'announce-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'announce-text' }, 'Message'), message, h('div', { class: 'row spread' }, h('fieldset', { class: 'radios' }, h('legend', { class: 'sr-only' }, 'Show it on'), h('span', { class: 'muted small' }, 'Show on:'), radios.map((r) => r.el)), counter)),
    annStatus.el,
    h('div', { class: 'row' }, send),
  );
  message.addEventListener('input', () => {
    counter.textContent = `${message.value.length} / ${MAX_MESSAGE}`;
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = message.value.trim();
    if (!text) {
      annStatus.error('Type the message to show.');
      message.focus();
      return;
    }
    const audience = radios.find((r) => r.input.checked)?.a ?? 'walls';
    void busy(send, () => announce(text, audience));
  });

  const refresh = debounce(() => void loadStats(), 500);
  const off = ctx.live.on((m) => {
    if (m.type === 'connection' || m.type === 'removed' || m.type === 'node' || m.type === 'subscribed') refresh.call();
    if (m.type === 'announcement') noteAnnouncement(m.message, m.audience);
  });
  // Minutes roll over even when nobody taps.
  const tick = setInterval(() => void loadStats(), 20_000);

  root.append(
    h(
      'div',
      { class: 'columns wide-left' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'stats-h' },
        h('h2', { id: 'stats-h' }, 'Live statistics'),
        statsStatus.el,
        cards,
        h('h3', {}, 'Taps per minute'),
        chart,
      ),
      h('section', { class: 'card', 'aria-labelledby': 'top-h' }, h('h2', { id: 'top-h' }, 'Most connected'), top),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'ann-h' },
      h('h2', { id: 'ann-h' }, 'Announcement banner'),
      h('p', { class: 'muted' }, 'A short message on the event’s walls, stations or both. Walls that open later show it too, until you clear it.'),
      currentEl,
      form,
    ),
  );
  drawCurrent();
  statsStatus.loading('Loading statistics…');
  void loadStats();
  api
    .wall(event.id)
    .then((s) => {
      if (!alive || !s.announcement) return;
      if (current.walls === null) noteAnnouncement(s.announcement.message, 'walls');
    })
    // Without the snapshot the current banner is shown from the next announcement frame on.
    .catch(() => undefined);
  return () => {
    alive = false;
    off();
    refresh.cancel();
    clearInterval(tick);
  };
}
