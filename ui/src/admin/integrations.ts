// The organiser-integrations logic that needs no DOM: webhook forms and refusals, how an endpoint and one delivery
// stand in words, and consent in words. Whether a URL is acceptable is the server's rule: the screens send what
// was typed and show the server's words when it refuses.

import type { Consent } from '../bindings/Consent';
import type { CreateWebhook } from '../bindings/CreateWebhook';
import type { DeliveryAttempt } from '../bindings/DeliveryAttempt';
import type { FieldError } from '../bindings/FieldError';
import type { Webhook } from '../bindings/Webhook';
import type { WebhookDelivery } from '../bindings/WebhookDelivery';
import type { WebhookKind } from '../bindings/WebhookKind';
import { ago } from './model';

/** Every kind a webhook can be sent, in the order the form lists them, with the form's words. */
export const WEBHOOK_KINDS: ReadonlyArray<{ kind: WebhookKind; label: string; hint: string }> = [
  { kind: 'connection.created', label: 'New connections', hint: 'two people met at a station or phone' },
  { kind: 'connection.removed', label: 'Removed connections', hint: 'a connection was taken off in moderation' },
  { kind: 'person.updated', label: 'Attendee changes', hint: 'details or consent changed' },
];

export function kindLabel(kind: WebhookKind): string {
  return WEBHOOK_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export interface WebhookForm {
  url: string;
  kinds: WebhookKind[];
  description: string;
}

export type WebhookErrors = Partial<Record<keyof WebhookForm, string>>;

/**
 * The body that creates a webhook, or what to fix first: an empty address, or nothing chosen to send (the server
 * would read no kinds as "everything", which is not what an organiser who unticked them all meant).
 */
export function webhookBody(f: WebhookForm): { ok: true; body: CreateWebhook } | { ok: false; errors: WebhookErrors } {
  const errors: WebhookErrors = {};
  const url = f.url.trim();
  if (!url) errors.url = 'Type the address that receives the webhooks, like https://example.org/hooks/livewall.';
  if (f.kinds.length === 0) errors.kinds = 'Choose at least one thing to send.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body: CreateWebhook = { url, kinds: WEBHOOK_KINDS.map((k) => k.kind).filter((k) => f.kinds.includes(k)) };
  if (f.description.trim()) body.description = f.description.trim();
  return { ok: true, body };
}

const FORM_FIELDS: ReadonlyArray<keyof WebhookForm> = ['url', 'kinds', 'description'];

function fieldOf(name: string): keyof WebhookForm | null {
  const key = name.replace(/\[\d*\]$/, '').replace(/\.\d+$/, '');
  if (key === 'kind') return 'kinds';
  return (FORM_FIELDS as readonly string[]).includes(key) ? (key as keyof WebhookForm) : null;
}

/**
 * Where a refused webhook's problems go: its `details` by field, or, when it has none, the message on the field
 * it names first (`url "ftp://x" must be …`), else nowhere (the caller says it on the status line).
 */
export function placeWebhookRefusal(details: FieldError[], message: string): { fields: WebhookErrors; other: FieldError[] } {
  const fields: WebhookErrors = {};
  const other: FieldError[] = [];
  for (const d of details) {
    const f = fieldOf(d.field);
    if (f) fields[f] = fields[f] ? `${fields[f]} ${d.message}` : d.message;
    else other.push(d);
  }
  if (details.length === 0) {
    const m = /^(url|kinds?|description)\b/i.exec(message.trim());
    const f = m?.[1] ? fieldOf(m[1].toLowerCase()) : null;
    if (f) fields[f] = message;
  }
  return { fields, other };
}

export type EndpointStatus = 'active' | 'failing' | 'paused';

/** Active, active but failing (failures in a row, not paused yet), or paused. */
export function endpointStatus(w: Webhook): EndpointStatus {
  if (w.state === 'paused') return 'paused';
  return w.failures > 0 ? 'failing' : 'active';
}

export const ENDPOINT_WORDS: Record<EndpointStatus, string> = { active: 'Active', failing: 'Failing', paused: 'Paused' };

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** "3 failures in a row · 2 waiting", or "All delivered". */
export function endpointSummary(w: Webhook): string {
  const parts: string[] = [];
  if (w.failures > 0) parts.push(`${plural(w.failures, 'failure')} in a row`);
  parts.push(w.pending > 0 ? `${w.pending} waiting to be delivered` : 'nothing waiting');
  return parts.join(' · ');
}

/** The words on a paused endpoint: why, and what resuming does. */
export function pausedSentence(w: Webhook): string {
  const why = w.pausedReason?.trim();
  const waiting = w.pending > 0 ? ` ${plural(w.pending, 'delivery', 'deliveries')} ${w.pending === 1 ? 'waits' : 'wait'} until you resume it.` : ' Nothing is sent until you resume it.';
  const reason = why?.replace(/\.$/, '');
  // The server's reason may say "paused" itself ("paused by the organiser"): not twice.
  const head = !reason ? 'Paused.' : /^paused\b/i.test(reason) ? `${reason[0]?.toUpperCase()}${reason.slice(1)}.` : `Paused: ${reason}.`;
  return `${head}${waiting}`;
}

/** A short name for an endpoint on buttons and in dialogs: its description, else its address. */
export function endpointName(w: Webhook): string {
  return w.description?.trim() || w.url;
}

/** One attempt in words: `HTTP 204`, `HTTP 500 · Internal Server Error`, `timed out`; with how long it took. */
export function attemptResult(a: DeliveryAttempt): string {
  const err = a.error?.trim();
  let words: string;
  if (a.status !== undefined) {
    // The server's error for a bad status often repeats it ("HTTP 500"): said once.
    words = `HTTP ${a.status}`;
    if (err && !err.includes(String(a.status))) words += ` · ${err}`;
  } else {
    words = err || 'no answer';
  }
  return `${words} (${a.durationMs} ms)`;
}

/** True when the attempt was accepted (2xx). */
export function attemptOk(a: DeliveryAttempt): boolean {
  return a.status !== undefined && a.status >= 200 && a.status < 300 && !a.error;
}

export type DeliveryStatus = 'delivered' | 'failing' | 'queued';

export function deliveryStatus(d: WebhookDelivery): DeliveryStatus {
  if (d.state === 'delivered') return 'delivered';
  return d.attempts > 0 ? 'failing' : 'queued';
}

export const DELIVERY_WORDS: Record<DeliveryStatus, string> = { delivered: 'Delivered', failing: 'Failing', queued: 'Queued' };

/** "in 30 s", "in 4 min", "now" (for a time still to come). */
export function until(ms: number, now: number = Date.now()): string {
  const s = Math.round((ms - now) / 1000);
  if (s <= 1) return 'now';
  if (s < 60) return `in ${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `in ${m} min`;
  return `at ${new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

/** What a delivery's row says: its state, the last attempt's result, and when (last attempt, or queued). */
export function deliveryRow(d: WebhookDelivery, now: number = Date.now()): { status: DeliveryStatus; state: string; last: string; when: string } {
  const status = deliveryStatus(d);
  const next = status !== 'delivered' && d.nextAttemptAt !== undefined ? `, next try ${until(d.nextAttemptAt, now)}` : '';
  const state = `${DELIVERY_WORDS[status]}${next}`;
  const a = d.recent[0];
  const last = a ? attemptResult(a) : 'Not tried yet';
  const when =
    status === 'delivered' && d.deliveredAt !== undefined
      ? `delivered ${ago(d.deliveredAt, now)}`
      : a
        ? `tried ${ago(a.at, now)}`
        : `queued ${ago(d.createdAt, now)}`;
  return { status, state, last, when };
}

const SOURCE_WORDS = { import: 'the import', organiser: 'an organiser', attendee: 'the attendee' } as const;

/** Where a person's consent came from, in one line. */
export function consentNote(c: Consent, now: number = Date.now()): string {
  if (c.updatedAt === undefined) return 'Not set yet: shown on the wall, not shared as a lead (the defaults).';
  const by = c.source ? ` by ${SOURCE_WORDS[c.source]}` : '';
  return `Last set${by} ${ago(c.updatedAt, now)}.`;
}

/** What changing one consent flag did, in the organiser's words. */
export function consentSaved(flag: 'wall' | 'lead', on: boolean, name: string): string {
  if (flag === 'wall') return on ? `${name} is shown on the wall again.` : `${name} is no longer shown on the wall.`;
  return on ? `${name}’s contact details may now be shared as a lead.` : `${name}’s contact details are no longer shared as a lead.`;
}
