// REST calls the wall makes. Types come from the generated bindings.

import type { Snapshot } from '../bindings/Snapshot';
import type { ErrorBody } from '../bindings/ErrorBody';

/** An HTTP answer other than 2xx/304, with the server's error code when it sent one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** Retrying will not help (wrong event, missing or bad token). */
  get permanent(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

export type SnapshotResult =
  | { kind: 'ok'; snapshot: Snapshot; etag: string | null; serverNow: number | null }
  | { kind: 'not-modified' };

export interface FetchLike {
  (input: string, init?: RequestInit): Promise<Response>;
}

function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function errorOf(res: Response): Promise<HttpError> {
  let code: string | null = null;
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (body.error) {
      code = body.error.code ?? null;
      message = body.error.message ?? message;
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return new HttpError(res.status, code, message);
}

function isSnapshot(v: unknown): v is Snapshot {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<Snapshot>;
  return (
    typeof s.eventId === 'string' &&
    typeof s.seq === 'number' &&
    typeof s.epoch === 'string' &&
    Array.isArray(s.nodes) &&
    Array.isArray(s.links)
  );
}

/** `GET /api/events/{event}/wall`, conditional on `etag` when given. */
export async function fetchSnapshot(
  eventId: string,
  token: string | null,
  etag: string | null = null,
  fetchFn: FetchLike = (i, init) => fetch(i, init),
): Promise<SnapshotResult> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(token) };
  if (etag) headers['If-None-Match'] = etag;
  const res = await fetchFn(`/api/events/${encodeURIComponent(eventId)}/wall`, { headers, cache: 'no-store' });
  if (res.status === 304) return { kind: 'not-modified' };
  if (!res.ok) throw await errorOf(res);
  const body: unknown = await res.json();
  if (!isSnapshot(body)) throw new HttpError(res.status, 'bad_request', 'the server sent something that is not a wall');
  const date = res.headers.get('Date');
  const serverNow = date ? Date.parse(date) : NaN;
  return { kind: 'ok', snapshot: body, etag: res.headers.get('ETag'), serverNow: Number.isFinite(serverNow) ? serverNow : null };
}
