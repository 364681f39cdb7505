// Moderation: the latest connections, live, each with a Remove button (walls drop the link at once).

import type { Connection } from '../bindings/Connection';
import { StatusLine, clear, confirmButton, debounce, h } from './dom';
import { ago } from './model';
import type { EventCtx } from './context';

const SHOWN = 200;

export function renderModeration(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let all: Connection[] = [];
  let filter = '';
  let alive = true;
  let seq = 0;

  const status = new StatusLine();
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', id: 'conn-search', placeholder: 'Filter by name', autocomplete: 'off' });
  const body = h('tbody', {});

  async function load(): Promise<void> {
    const mine = ++seq;
    try {
      const list = await api.connections(event.id);
      if (!alive || mine !== seq) return;
      all = list;
      if (status.el.classList.contains('status-loading')) status.hide();
      draw();
    } catch (e) {
      if (alive && mine === seq) status.error(e);
    }
  }

  function draw(): void {
    const f = filter.trim().toLocaleLowerCase();
    const newest = [...all].reverse();
    const matching = f
      ? newest.filter((c) => c.from.name.toLocaleLowerCase().includes(f) || c.to.name.toLocaleLowerCase().includes(f))
      : newest;
    const shown = matching.slice(0, SHOWN);
    summary.textContent =
      all.length === 0
        ? 'No connections yet.'
        : `${all.length} connection${all.length === 1 ? '' : 's'}` +
          (f ? ` · ${matching.length} matching` : '') +
          (shown.length < matching.length ? ` · showing the latest ${shown.length}` : '') +
          ' · newest first';
    clear(body, shown.map(row));
  }

  function row(c: Connection): HTMLTableRowElement {
    const rm = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button', 'aria-label': `Remove the connection ${c.from.name} and ${c.to.name}` }, 'Remove');
    const removing = {
      title: 'Remove this connection?',
      body: `${c.from.name} ↔ ${c.to.name} disappears from every wall and from the export.`,
      confirm: 'Remove',
    };
    confirmButton(rm, status, removing, async () => {
      await api.deleteConnection(event.id, c.id);
      all = all.filter((x) => x.id !== c.id);
      status.ok(`Removed ${c.from.name} ↔ ${c.to.name}.`);
      draw();
    });
    return h(
      'tr',
      { 'data-connection': c.id },
      h('td', { class: 'muted nowrap', title: new Date(c.createdAt).toLocaleString() }, ago(c.createdAt)),
      h('td', {}, h('span', { class: 'person-name' }, c.from.name), h('span', { class: 'arrow', 'aria-label': 'met' }, ' ↔ '), h('span', { class: 'person-name' }, c.to.name)),
      h('td', { class: 'muted small' }, c.deviceId ? `station ${c.deviceId}` : 'phone page / API'),
      h('td', { class: 'actions' }, rm),
    );
  }

  const refresh = debounce(() => void load(), 300);
  const off = ctx.live.on((m) => {
    if (m.type === 'connection' || m.type === 'removed' || m.type === 'node' || m.type === 'subscribed') refresh.call();
  });
  search.addEventListener('input', () => {
    filter = search.value;
    draw();
  });
  // Keep the "3 min ago" labels fresh.
  const tick = setInterval(() => draw(), 30_000);

  root.append(
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'row spread' }, h('h2', {}, 'Recent connections'), h('div', { class: 'field' }, h('label', { for: 'conn-search', class: 'sr-only' }, 'Filter by name'), search)),
      h('p', { class: 'muted' }, 'New connections appear here live. Remove a joke or a mistake: walls drop the link at once.'),
      summary,
      status.el,
      h('div', { class: 'table-wrap' }, h('table', { class: 'table conn-table', 'aria-label': 'Connections' }, h('thead', {}, h('tr', {}, ['When', 'Who', 'From', ''].map((t) => h('th', { scope: 'col' }, t)))), body)),
    ),
  );
  status.loading('Loading connections…');
  void load();
  return () => {
    alive = false;
    off();
    refresh.cancel();
    clearInterval(tick);
  };
}
