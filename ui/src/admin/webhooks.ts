// Webhooks: add an endpoint that is told about connections and attendee changes, show its signing secret, pause,
// resume (also one the server paused after repeated failures) and delete it, and see what was sent to it, with
// "Send again" per delivery.

import type { Webhook } from '../bindings/Webhook';
import type { WebhookDelivery } from '../bindings/WebhookDelivery';
import type { WebhookKind } from '../bindings/WebhookKind';
import { ApiError } from '../api/http';
import { describeFieldError } from './csv';
import { StatusLine, attempt, busy, clear, confirmButton, copyBox, field, h, setFieldError, uid } from './dom';
import {
  ENDPOINT_WORDS,
  WEBHOOK_KINDS,
  deliveryRow,
  endpointName,
  endpointStatus,
  endpointSummary,
  kindLabel,
  pausedSentence,
  placeWebhookRefusal,
  webhookBody,
  type WebhookErrors,
  type WebhookForm,
} from './integrations';
import { ago } from './model';
import type { EventCtx } from './context';

const DELIVERIES_SHOWN = 50;

export function renderWebhooks(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let hooks: Webhook[] = [];
  let alive = true;
  let seq = 0;
  const secretOpen = new Set<string>();
  const deliveriesOpen = new Set<string>();
  const deliveries = new Map<string, WebhookDelivery[]>();
  const bodiesOpen = new Set<string>();
  // One status line per endpoint, kept across redraws so what the last action did stays said.
  const statuses = new Map<string, StatusLine>();
  const statusOf = (id: string): StatusLine => {
    let s = statuses.get(id);
    if (!s) statuses.set(id, (s = new StatusLine()));
    return s;
  };

  const listStatus = new StatusLine();
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const list = h('ul', { class: 'webhook-list' });

  // The control of the list that last had the focus (its `data-key`), so a redraw can give it back: a pressed
  // button is disabled while it works, which drops the focus to the page.
  let focusKey: string | undefined;
  list.addEventListener('focusin', (ev) => {
    focusKey = ev.target instanceof HTMLElement ? ev.target.dataset.key : undefined;
  });

  /** Redraws the list, keeping the keyboard focus on the control that had it (Pause's place goes to Resume). */
  function draw(): void {
    const active = document.activeElement;
    const inList = active === null || active === document.body || list.contains(active);
    const paused = hooks.filter((w) => w.state === 'paused').length;
    summary.textContent =
      hooks.length === 0
        ? 'No webhooks yet. Add one above to send connections and attendee changes to a CRM or your own service.'
        : `${hooks.length} endpoint${hooks.length === 1 ? '' : 's'}${paused > 0 ? ` · ${paused} paused` : ''}`;
    clear(list, hooks.map(item));
    if (inList && focusKey) list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function replace(w: Webhook): void {
    hooks = hooks.map((x) => (x.id === w.id ? w : x));
  }

  function item(w: Webhook): HTMLLIElement {
    const st = endpointStatus(w);
    const name = endpointName(w);
    const status = statusOf(w.id);
    const deliveriesId = `deliveries-${w.id}`;
    const secretId = `secret-${w.id}`;

    const secretBtn = h(
      'button',
      {
        class: 'btn btn-small',
        type: 'button',
        'aria-expanded': secretOpen.has(w.id) ? 'true' : 'false',
        'aria-controls': secretId,
        'data-key': `${w.id}:secret`,
      },
      secretOpen.has(w.id) ? 'Hide secret' : 'Show secret',
    );
    secretBtn.addEventListener('click', () => {
      if (secretOpen.has(w.id)) secretOpen.delete(w.id);
      else secretOpen.add(w.id);
      draw();
    });

    const deliveriesBtn = h(
      'button',
      {
        class: 'btn btn-small',
        type: 'button',
        'aria-expanded': deliveriesOpen.has(w.id) ? 'true' : 'false',
        'aria-controls': deliveriesId,
        'data-key': `${w.id}:deliveries`,
      },
      deliveriesOpen.has(w.id) ? 'Hide deliveries' : 'Show deliveries',
    );
    deliveriesBtn.addEventListener('click', () => {
      if (deliveriesOpen.has(w.id)) {
        deliveriesOpen.delete(w.id);
        draw();
        return;
      }
      void attempt(deliveriesBtn, status, async () => {
        await loadDeliveries(w.id);
        deliveriesOpen.add(w.id);
        draw();
      });
    });

    const pauseBtn = h('button', { class: 'btn btn-small', type: 'button', 'aria-label': `Pause ${name}`, 'data-key': `${w.id}:state` }, 'Pause');
    pauseBtn.addEventListener('click', () => {
      void attempt(pauseBtn, status, async () => {
        replace(await api.updateWebhook(event.id, w.id, { paused: true }));
        status.ok('Paused.');
        draw();
      });
    });

    const resumeBtn = h('button', { class: 'btn btn-small btn-primary', type: 'button', 'aria-label': `Resume ${name}`, 'data-key': `${w.id}:state` }, 'Resume');
    resumeBtn.addEventListener('click', () => {
      void attempt(resumeBtn, status, async () => {
        const resumed = await api.updateWebhook(event.id, w.id, { paused: false });
        replace(resumed);
        status.ok(resumed.pending > 0 ? `Resumed: ${resumed.pending === 1 ? 'the waiting delivery is' : `the ${resumed.pending} waiting deliveries are`} being sent.` : 'Resumed.');
        if (deliveriesOpen.has(w.id)) await loadDeliveries(w.id);
        draw();
      });
    });

    const del = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button', 'aria-label': `Delete ${name}`, 'data-key': `${w.id}:delete` }, 'Delete');
    const deleting = {
      title: `Delete the webhook ${name}?`,
      body: `Nothing more is sent to ${w.url}, and its delivery history is deleted. Its secret stops being valid: a new webhook gets a new one.`,
      confirm: 'Delete webhook',
    };
    confirmButton(del, status, deleting, async () => {
      await api.deleteWebhook(event.id, w.id);
      hooks = hooks.filter((x) => x.id !== w.id);
      secretOpen.delete(w.id);
      deliveriesOpen.delete(w.id);
      deliveries.delete(w.id);
      statuses.delete(w.id);
      listStatus.ok(`The webhook ${name} was deleted.`);
      draw();
    });

    const kinds = w.kinds.length === WEBHOOK_KINDS.length ? 'everything' : w.kinds.map(kindLabel).join(', ').toLowerCase();
    const li = h(
      'li',
      { class: `webhook webhook-${st}`, 'data-webhook': w.id },
      h(
        'div',
        { class: 'webhook-head' },
        h('span', { class: `dot dot-${st}`, 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'grow' },
          h('strong', { class: 'webhook-url mono break' }, w.url),
          h('div', { class: 'muted small' }, [w.description?.trim() ? `${w.description.trim()} · ` : '', `sends ${kinds} · added ${ago(w.createdAt)}`].join('')),
          h('div', { class: 'small webhook-counts', 'data-failures': w.failures, 'data-pending': w.pending }, endpointSummary(w)),
        ),
        h('span', { class: `pill pill-${st}`, 'data-state': st }, ENDPOINT_WORDS[st]),
        h('div', { class: 'row' }, secretBtn, deliveriesBtn, w.state === 'paused' ? null : pauseBtn, del),
      ),
    );
    if (w.state === 'paused') {
      li.append(h('div', { class: 'paused-note', role: 'note' }, h('p', { class: 'grow' }, h('strong', {}, pausedSentence(w))), resumeBtn));
    }
    li.append(status.el);
    if (secretOpen.has(w.id)) {
      li.append(
        h(
          'div',
          { class: 'secret-box', id: secretId },
          h('p', { class: 'small' }, 'Signing secret: the receiver checks the ', h('code', {}, 'webhook-signature'), ' header of every request with it (Standard Webhooks). Keep it private.'),
          copyBox(w.secret, 'Secret', `Signing secret of ${name}`, 'secret-text', 1),
        ),
      );
    }
    if (deliveriesOpen.has(w.id)) li.append(deliveriesPanel(w, deliveriesId, status));
    return li;
  }

  function deliveriesPanel(w: Webhook, id: string, status: StatusLine): HTMLElement {
    const items = deliveries.get(w.id) ?? [];
    const refresh = h('button', { class: 'btn btn-small', type: 'button', 'aria-label': `Refresh the deliveries to ${endpointName(w)}`, 'data-key': `${w.id}:refresh` }, 'Refresh');
    refresh.addEventListener('click', () => {
      void attempt(refresh, status, async () => {
        await Promise.all([loadDeliveries(w.id), loadHooks()]);
        status.hide();
        draw();
      });
    });
    const now = Date.now();
    return h(
      'section',
      { class: 'deliveries', id, 'aria-label': `Deliveries to ${endpointName(w)}` },
      h(
        'div',
        { class: 'row spread' },
        h('h3', {}, 'Deliveries'),
        h('div', { class: 'row' }, h('span', { class: 'muted small' }, items.length >= DELIVERIES_SHOWN ? `the latest ${DELIVERIES_SHOWN}, newest first` : 'newest first'), refresh),
      ),
      items.length === 0
        ? h('p', { class: 'muted' }, 'Nothing sent yet: a delivery appears here when something it is told about happens.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table delivery-table', 'aria-label': `Deliveries to ${endpointName(w)}` },
              h('thead', {}, h('tr', {}, ['Kind', 'Seq', 'State', 'Attempts', 'Last result', 'Time', ''].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', {}, items.map((d) => deliveryTr(w, d, status, now))),
            ),
          ),
    );
  }

  function deliveryTr(w: Webhook, d: WebhookDelivery, status: StatusLine, now: number): HTMLTableRowElement {
    const r = deliveryRow(d, now);
    const again = h(
      'button',
      { class: 'btn btn-small', type: 'button', 'aria-label': `Send again: ${kindLabel(d.kind)} #${d.seq}`, 'data-key': `${w.id}:again:${d.id}` },
      'Send again',
    );
    again.addEventListener('click', () => {
      void attempt(again, status, async () => {
        const sent = await api.retryDelivery(event.id, w.id, d.id);
        deliveries.set(w.id, (deliveries.get(w.id) ?? []).map((x) => (x.id === sent.id ? sent : x)));
        const after = deliveryRow(sent);
        status.ok(`Sent ${kindLabel(d.kind).toLowerCase()} #${d.seq} again: ${after.state.toLowerCase()} (${after.last}).`);
        await loadHooks();
        draw();
      });
    });
    const lastOk = r.status === 'delivered';
    return h(
      'tr',
      { 'data-delivery': d.id, 'data-status': r.status, class: r.status === 'failing' ? 'bad' : '' },
      h(
        'td',
        {},
        h('div', {}, kindLabel(d.kind)),
        h(
          'details',
          {
            class: 'delivery-body',
            open: bodiesOpen.has(d.id),
            ontoggle: (ev: Event) => {
              if ((ev.target as HTMLDetailsElement).open) bodiesOpen.add(d.id);
              else bodiesOpen.delete(d.id);
            },
          },
          h('summary', { class: 'mono small', 'aria-label': `Body of ${d.kind} #${d.seq}` }, d.kind),
          h('pre', { class: 'mono' }, prettyJson(d.body)),
        ),
      ),
      h('td', { class: 'num' }, String(d.seq)),
      h('td', {}, h('span', { class: `pill pill-${r.status}` }, r.state)),
      h('td', { class: 'num' }, String(d.attempts)),
      h('td', { class: lastOk ? 'last-result' : 'last-result bad-text' }, r.last),
      h('td', { class: 'nowrap' }, r.when),
      h('td', { class: 'actions' }, again),
    );
  }

  async function loadDeliveries(id: string): Promise<void> {
    const d = await api.deliveries(event.id, id, DELIVERIES_SHOWN);
    if (alive) deliveries.set(id, d);
  }

  async function loadHooks(): Promise<void> {
    const mine = ++seq;
    const list = await api.webhooks(event.id);
    if (!alive || mine !== seq) return;
    hooks = list;
  }

  async function load(): Promise<void> {
    listStatus.loading('Loading webhooks…');
    try {
      await loadHooks();
      if (!alive) return;
      listStatus.hide();
      draw();
    } catch (e) {
      if (alive) listStatus.error(e);
    }
  }

  root.append(
    newWebhookCard((w) => {
      hooks = [w, ...hooks.filter((x) => x.id !== w.id)];
      secretOpen.add(w.id);
      draw();
      list.querySelector<HTMLElement>(`[data-webhook="${CSS.escape(w.id)}"] .secret-text`)?.focus();
    }),
    h('section', { class: 'card', 'aria-labelledby': 'webhooks-h' }, h('h2', { id: 'webhooks-h' }, 'Webhooks'), summary, listStatus.el, list),
  );
  void load();
  return () => {
    alive = false;
    document.querySelectorAll('dialog').forEach((d) => d.close());
  };

  /** The form that adds an endpoint; a refusal's words go next to the field they are about. */
  function newWebhookCard(added: (w: Webhook) => void): HTMLElement {
    const url = h('input', { type: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://crm.example.org/hooks/livewall', required: true });
    const description = h('input', { autocomplete: 'off', maxlength: 200, placeholder: 'CRM sync' });
    const fUrl = field('Receiver URL', url, 'livewall POSTs a signed JSON message to it for each change, and tries again when it fails.');
    const fDescription = field('Description (optional)', description);
    const boxes = WEBHOOK_KINDS.map(({ kind, label, hint }) => {
      const input = h('input', { type: 'checkbox', id: uid('kind'), value: kind, checked: true });
      input.defaultChecked = true; // what `form.reset()` goes back to
      return {
        kind,
        input,
        el: h('div', { class: 'check' }, input, h('label', { for: input.id }, h('strong', {}, label), h('span', { class: 'muted' }, ` — ${hint}`))),
      };
    });
    const kindsErr = h('p', { class: 'field-error', id: uid('kinds-err'), hidden: true, role: 'alert' });
    const legendId = uid('kinds');
    const kinds = h(
      'fieldset',
      { class: 'kinds', 'aria-labelledby': legendId, 'aria-describedby': kindsErr.id },
      h('legend', { id: legendId }, 'Send'),
      boxes.map((b) => b.el),
      kindsErr,
    );
    const status = new StatusLine();
    const add = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add webhook');
    const form = h('form', { class: 'webhook-form', novalidate: true }, fUrl.wrap, kinds, fDescription.wrap, status.el, h('div', { class: 'row' }, add));

    const showErrors = (errors: WebhookErrors): void => {
      setFieldError(url, fUrl.error, errors.url);
      setFieldError(kinds, kindsErr, errors.kinds);
      setFieldError(description, fDescription.error, errors.description);
      if (errors.url) url.focus();
      else if (errors.kinds) boxes[0]?.input.focus();
      else if (errors.description) description.focus();
    };

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f: WebhookForm = {
        url: url.value,
        kinds: boxes.filter((b) => b.input.checked).map((b): WebhookKind => b.kind),
        description: description.value,
      };
      const checked = webhookBody(f);
      if (!checked.ok) {
        showErrors(checked.errors);
        return;
      }
      showErrors({});
      status.loading('Adding…');
      void busy(add, async () => {
        try {
          const w = await api.createWebhook(event.id, checked.body);
          status.ok(`Added. Copy its signing secret into the receiver: it checks every request with it.`);
          form.reset();
          added(w);
        } catch (e) {
          // A refusal (422: the address is not one livewall sends to, …) goes next to the field it is about.
          const refused = e instanceof ApiError && (e.status === 400 || e.status === 409 || e.status === 422);
          const placed = refused ? placeWebhookRefusal(e.details, e.message) : { fields: {}, other: [] };
          showErrors(placed.fields);
          if (placed.other.length > 0) status.error(placed.other.map(describeFieldError).join(' '));
          else if (Object.keys(placed.fields).length > 0) status.error('Nothing was added: fix the fields marked above.');
          else status.error(e);
        }
      });
    });
    return h('section', { class: 'card', 'aria-labelledby': 'new-webhook-h' }, h('h2', { id: 'new-webhook-h' }, 'New webhook'), form);
  }
}

/** The body as sent, indented for reading (as is when it is not JSON). */
function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
