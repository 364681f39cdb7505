import { describe, expect, it } from 'vitest';
import type { Webhook } from '../bindings/Webhook';
import type { WebhookDelivery } from '../bindings/WebhookDelivery';
import {
  attemptOk,
  attemptResult,
  consentNote,
  consentSaved,
  deliveryRow,
  deliveryStatus,
  endpointName,
  endpointStatus,
  endpointSummary,
  kindLabel,
  pausedSentence,
  placeWebhookRefusal,
  until,
  webhookBody,
} from './integrations';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

const hook: Webhook = {
  id: 'wh1',
  eventId: 'ev',
  url: 'https://crm.example.org/hooks',
  kinds: ['connection.created', 'connection.removed', 'person.updated'],
  secret: 'whsec_abc',
  state: 'active',
  failures: 0,
  pending: 0,
  createdAt: NOW - 60_000,
  updatedAt: NOW - 60_000,
};

const delivery: WebhookDelivery = {
  id: 'msg_1',
  webhookId: 'wh1',
  kind: 'connection.created',
  seq: 7,
  state: 'pending',
  attempts: 0,
  recent: [],
  body: '{"type":"connection.created"}',
  createdAt: NOW - 5_000,
};

describe('the new webhook form', () => {
  it('asks for an address and at least one kind before sending', () => {
    expect(webhookBody({ url: '  ', kinds: [], description: '' })).toEqual({
      ok: false,
      errors: {
        url: 'Type the address that receives the webhooks, like https://example.org/hooks/livewall.',
        kinds: 'Choose at least one thing to send.',
      },
    });
  });

  it('sends the address as typed (the server judges it), kinds in their order, and a description when given', () => {
    expect(webhookBody({ url: ' ftp://x ', kinds: ['person.updated', 'connection.created'], description: '' })).toEqual({
      ok: true,
      body: { url: 'ftp://x', kinds: ['connection.created', 'person.updated'] },
    });
    expect(webhookBody({ url: 'https://a.org/h', kinds: ['connection.removed'], description: ' CRM ' })).toEqual({
      ok: true,
      body: { url: 'https://a.org/h', kinds: ['connection.removed'], description: 'CRM' },
    });
  });

  it('puts a refusal next to the field it is about', () => {
    expect(
      placeWebhookRefusal(
        [
          { field: 'url', message: 'must start with https://' },
          { field: 'kinds[1]', message: 'unknown kind "x"' },
          { field: 'other', message: 'odd' },
        ],
        'invalid',
      ),
    ).toEqual({
      fields: { url: 'must start with https://', kinds: 'unknown kind "x"' },
      other: [{ field: 'other', message: 'odd' }],
    });
    expect(placeWebhookRefusal([], 'url "ftp://x" must be http:// or https://')).toEqual({
      fields: { url: 'url "ftp://x" must be http:// or https://' },
      other: [],
    });
    expect(placeWebhookRefusal([], 'too many webhooks for this event')).toEqual({ fields: {}, other: [] });
  });
});

describe('an endpoint in words', () => {
  it('tells active, failing and paused apart', () => {
    expect(endpointStatus(hook)).toBe('active');
    expect(endpointStatus({ ...hook, failures: 2 })).toBe('failing');
    expect(endpointStatus({ ...hook, state: 'paused', failures: 9 })).toBe('paused');
    expect(endpointSummary(hook)).toBe('nothing waiting');
    expect(endpointSummary({ ...hook, failures: 1, pending: 3 })).toBe('1 failure in a row · 3 waiting to be delivered');
  });

  it('says why a paused endpoint is paused and what waits', () => {
    expect(pausedSentence({ ...hook, state: 'paused', pausedReason: '10 failed attempts in a row (HTTP 500).', pending: 1 })).toBe(
      'Paused: 10 failed attempts in a row (HTTP 500). 1 delivery waits until you resume it.',
    );
    expect(pausedSentence({ ...hook, state: 'paused' })).toBe('Paused. Nothing is sent until you resume it.');
    expect(pausedSentence({ ...hook, state: 'paused', pausedReason: 'paused by the organiser', pending: 2 })).toBe(
      'Paused by the organiser. 2 deliveries wait until you resume it.',
    );
  });

  it('is named by its description, else its address', () => {
    expect(endpointName(hook)).toBe('https://crm.example.org/hooks');
    expect(endpointName({ ...hook, description: 'CRM' })).toBe('CRM');
    expect(kindLabel('person.updated')).toBe('Attendee changes');
  });
});

describe('a delivery in words', () => {
  it('says an attempt once: status, error, time taken', () => {
    expect(attemptResult({ at: NOW, status: 204, durationMs: 12 })).toBe('HTTP 204 (12 ms)');
    expect(attemptResult({ at: NOW, status: 500, error: 'HTTP 500', durationMs: 30 })).toBe('HTTP 500 (30 ms)');
    expect(attemptResult({ at: NOW, status: 410, error: 'gone', durationMs: 3 })).toBe('HTTP 410 · gone (3 ms)');
    expect(attemptResult({ at: NOW, error: 'timed out after 10 s', durationMs: 10_000 })).toBe('timed out after 10 s (10000 ms)');
    expect(attemptResult({ at: NOW, durationMs: 1 })).toBe('no answer (1 ms)');
    expect(attemptOk({ at: NOW, status: 204, durationMs: 1 })).toBe(true);
    expect(attemptOk({ at: NOW, status: 500, durationMs: 1 })).toBe(false);
  });

  it('is queued, failing with its next try, or delivered', () => {
    expect(deliveryStatus(delivery)).toBe('queued');
    expect(deliveryRow(delivery, NOW)).toEqual({ status: 'queued', state: 'Queued', last: 'Not tried yet', when: 'queued just now' });
    const failing: WebhookDelivery = {
      ...delivery,
      attempts: 1,
      nextAttemptAt: NOW + 30_000,
      recent: [{ at: NOW - 20_000, status: 500, error: 'HTTP 500', durationMs: 8 }],
    };
    expect(deliveryRow(failing, NOW)).toEqual({ status: 'failing', state: 'Failing, next try in 30 s', last: 'HTTP 500 (8 ms)', when: 'tried 20 s ago' });
    const delivered: WebhookDelivery = {
      ...failing,
      state: 'delivered',
      attempts: 2,
      deliveredAt: NOW - 2 * 60_000,
      recent: [{ at: NOW - 2 * 60_000, status: 204, durationMs: 4 }, ...failing.recent],
    };
    expect(deliveryRow(delivered, NOW)).toEqual({ status: 'delivered', state: 'Delivered', last: 'HTTP 204 (4 ms)', when: 'delivered 2 min ago' });
  });

  it('words a time to come', () => {
    expect(until(NOW - 5_000, NOW)).toBe('now');
    expect(until(NOW + 45_000, NOW)).toBe('in 45 s');
    expect(until(NOW + 5 * 60_000, NOW)).toBe('in 5 min');
  });
});

describe('consent in words', () => {
  it('says the defaults, or who set it and when', () => {
    expect(consentNote({ wall: true, lead: false })).toBe('Not set yet: shown on the wall, not shared as a lead (the defaults).');
    expect(consentNote({ wall: true, lead: true, updatedAt: NOW - 3 * 60_000, source: 'organiser' }, NOW)).toBe('Last set by an organiser 3 min ago.');
    expect(consentNote({ wall: false, lead: false, updatedAt: NOW, source: 'attendee' }, NOW)).toBe('Last set by the attendee just now.');
    expect(consentSaved('lead', true, 'Ada')).toBe('Ada’s contact details may now be shared as a lead.');
    expect(consentSaved('wall', false, 'Ada')).toBe('Ada is no longer shown on the wall.');
  });
});
