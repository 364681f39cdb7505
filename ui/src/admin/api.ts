// The organiser's REST client: one method per call, over the shared request helper (`../api/http`), so every
// answer other than 2xx is an `ApiError` carrying the server's code, message and per-row details.

import { ApiError, pageFetch, readJson, request, type Body, type FetchLike } from '../api/http';
import type { BadgeLink } from '../bindings/BadgeLink';
import type { Announce } from '../bindings/Announce';
import type { Connection } from '../bindings/Connection';
import type { CreateDevice } from '../bindings/CreateDevice';
import type { CreateEvent } from '../bindings/CreateEvent';
import type { CreateProfile } from '../bindings/CreateProfile';
import type { CreateWebhook } from '../bindings/CreateWebhook';
import type { Device } from '../bindings/Device';
import type { DeviceToken } from '../bindings/DeviceToken';
import type { Event } from '../bindings/Event';
import type { EventStats } from '../bindings/EventStats';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportResult } from '../bindings/ImportResult';
import type { LoginResponse } from '../bindings/LoginResponse';
import type { Person } from '../bindings/Person';
import type { Presence } from '../bindings/Presence';
import type { Profile } from '../bindings/Profile';
import type { ProfilePage } from '../bindings/ProfilePage';
import type { Snapshot } from '../bindings/Snapshot';
import type { UpdateEvent } from '../bindings/UpdateEvent';
import type { UpdateProfile } from '../bindings/UpdateProfile';
import type { UpdateWebhook } from '../bindings/UpdateWebhook';
import type { Webhook } from '../bindings/Webhook';
import type { WebhookDelivery } from '../bindings/WebhookDelivery';

export interface Download {
  blob: Blob;
  filename: string;
}

/** `attachment; filename="x.csv"` → `x.csv`; `fallback` when absent or odd. */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // Fall through to the plain form.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  const name = plain?.[1]?.trim();
  return name && !/[\\/]/.test(name) ? name : fallback;
}

export type ExportFile =
  | 'people.csv'
  | 'people.json'
  | 'connections.csv'
  | 'connections.json'
  | 'everything.json'
  // For a CRM or a spreadsheet: only attendees who agreed to be shared as leads come with contact details.
  | 'hubspot.csv'
  | 'salesforce.csv'
  | 'event.xlsx';

const enc = encodeURIComponent;

export class AdminApi {
  /** Called once per 401 answer, so the screens can go back to the login. */
  onUnauthorized: (() => void) | null = null;

  constructor(
    private readonly origin: string,
    public token: string | null,
    private readonly fetchFn: FetchLike = pageFetch,
  ) {}

  private async send(method: string, path: string, body?: Body): Promise<Response> {
    try {
      return await request(`${this.origin}${path}`, { method, token: this.token, body, fetchFn: this.fetchFn });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && path !== '/api/login') this.onUnauthorized?.();
      throw e;
    }
  }

  private async json<T>(method: string, path: string, body?: Body): Promise<T> {
    return readJson<T>(await this.send(method, path, body));
  }

  login(username: string, password: string): Promise<LoginResponse> {
    return this.json('POST', '/api/login', { json: { username, password } });
  }

  // Events.
  events(): Promise<Event[]> {
    return this.json('GET', '/api/events');
  }
  createEvent(body: CreateEvent): Promise<Event> {
    return this.json('POST', '/api/events', { json: body });
  }
  updateEvent(id: string, body: UpdateEvent): Promise<Event> {
    return this.json('PATCH', `/api/events/${enc(id)}`, { json: body });
  }
  async deleteEvent(id: string): Promise<void> {
    await this.send('DELETE', `/api/events/${enc(id)}`);
  }

  // People.
  profiles(event: string, q: string, offset: number, limit: number): Promise<ProfilePage> {
    const qs = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    if (q.trim()) qs.set('q', q.trim());
    return this.json('GET', `/api/events/${enc(event)}/profiles?${qs.toString()}`);
  }
  createProfile(event: string, body: CreateProfile): Promise<Profile> {
    return this.json('POST', `/api/events/${enc(event)}/profiles`, { json: body });
  }
  profile(event: string, id: string): Promise<Profile> {
    return this.json('GET', `/api/events/${enc(event)}/profiles/${enc(id)}`);
  }
  /** Who wears the badge `uid`, or null when it is bound to nobody (or to someone hidden). */
  async personByBadge(event: string, uid: string): Promise<Person | null> {
    try {
      return await this.json<Person>('GET', `/api/events/${enc(event)}/people/${enc(uid)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }
  updateProfile(event: string, id: string, body: UpdateProfile): Promise<Profile> {
    return this.json('PATCH', `/api/events/${enc(event)}/profiles/${enc(id)}`, { json: body });
  }
  /** The link to write on a person's badge (it carries the badge's key). */
  badgeLink(event: string, id: string): Promise<BadgeLink> {
    return this.json('GET', `/api/events/${enc(event)}/profiles/${enc(id)}/badge-link`);
  }
  async deleteProfile(event: string, id: string): Promise<void> {
    await this.send('DELETE', `/api/events/${enc(event)}/profiles/${enc(id)}`);
  }
  previewImport(event: string, csv: string): Promise<ImportPreview> {
    return this.json('POST', `/api/events/${enc(event)}/imports/preview`, { csv });
  }
  /** Creates every row, or none; with `skipInvalid` the good rows are created and the others answered as skipped. */
  commitImport(event: string, csv: string, skipInvalid = false): Promise<ImportResult> {
    return this.json('POST', `/api/events/${enc(event)}/imports${skipInvalid ? '?skipInvalid=true' : ''}`, { csv });
  }

  // Devices.
  devices(event: string): Promise<Device[]> {
    return this.json('GET', `/api/events/${enc(event)}/devices`);
  }
  createDevice(event: string, body: CreateDevice): Promise<DeviceToken> {
    return this.json('POST', `/api/events/${enc(event)}/devices`, { json: body });
  }
  deviceToken(event: string, id: string): Promise<DeviceToken> {
    return this.json('GET', `/api/events/${enc(event)}/devices/${enc(id)}`);
  }
  revokeDevice(event: string, id: string): Promise<Device> {
    return this.json('POST', `/api/events/${enc(event)}/devices/${enc(id)}/revoke`);
  }
  presence(event: string): Promise<Presence> {
    return this.json('GET', `/api/events/${enc(event)}/presence`);
  }

  // Webhooks: endpoints, and what was sent to each.
  webhooks(event: string): Promise<Webhook[]> {
    return this.json('GET', `/api/events/${enc(event)}/webhooks`);
  }
  /** The answer carries the signing secret (`whsec_…`). */
  createWebhook(event: string, body: CreateWebhook): Promise<Webhook> {
    return this.json('POST', `/api/events/${enc(event)}/webhooks`, { json: body });
  }
  /** `paused: false` resumes an endpoint (also one paused after failures) and clears its failures. */
  updateWebhook(event: string, id: string, body: UpdateWebhook): Promise<Webhook> {
    return this.json('PATCH', `/api/events/${enc(event)}/webhooks/${enc(id)}`, { json: body });
  }
  async deleteWebhook(event: string, id: string): Promise<void> {
    await this.send('DELETE', `/api/events/${enc(event)}/webhooks/${enc(id)}`);
  }
  /** The latest deliveries to one endpoint, newest first, each with its recent attempts. */
  deliveries(event: string, webhook: string, limit = 50): Promise<WebhookDelivery[]> {
    return this.json('GET', `/api/events/${enc(event)}/webhooks/${enc(webhook)}/deliveries?limit=${limit}`);
  }
  /** Queues a delivery again (same id, so receivers can tell a repeat) and tries it at once. */
  retryDelivery(event: string, webhook: string, delivery: string): Promise<WebhookDelivery> {
    return this.json('POST', `/api/events/${enc(event)}/webhooks/${enc(webhook)}/deliveries/${enc(delivery)}/retry`);
  }

  // Moderation, announcements, stats, export.
  connections(event: string): Promise<Connection[]> {
    return this.json('GET', `/api/events/${enc(event)}/connections`);
  }
  async deleteConnection(event: string, id: string): Promise<void> {
    await this.send('DELETE', `/api/events/${enc(event)}/connections/${enc(id)}`);
  }
  async announce(event: string, body: Announce): Promise<void> {
    await this.send('POST', `/api/events/${enc(event)}/announcements`, { json: body });
  }
  /** The wall snapshot (for the banner shown now). */
  wall(event: string): Promise<Snapshot> {
    return this.json('GET', `/api/events/${enc(event)}/wall`);
  }
  stats(event: string): Promise<EventStats> {
    return this.json('GET', `/api/events/${enc(event)}/stats`);
  }
  async exportFile(event: string, file: ExportFile): Promise<Download> {
    const res = await this.send('GET', `/api/events/${enc(event)}/export/${file}`);
    const blob = await res.blob();
    return { blob, filename: filenameFromDisposition(res.headers.get('Content-Disposition'), `${event}-${file}`) };
  }
}
