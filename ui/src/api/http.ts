// The one HTTP client of the browser views: how a request carries its token and body, and how the server's error
// answer `{"error":{"code","message","details"?}}` becomes an `ApiError`, so every screen reads failures alike.

import type { FieldError } from '../bindings/FieldError';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The page's `fetch`, looked up when called (tests and the desktop app may replace it). */
export const pageFetch: FetchLike = (input, init) => fetch(input, init);

/** A failed request: an HTTP error answer (`status` > 0) or no answer at all (`status` 0, network). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Retrying will not help (wrong event, missing or bad token): a view should stop asking, or ask slowly. */
  get permanent(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

function isFieldError(v: unknown): v is FieldError {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    typeof f.field === 'string' &&
    typeof f.message === 'string' &&
    (f.index === undefined || f.index === null || typeof f.index === 'number')
  );
}

const STATUS_WORDS: Record<number, string> = {
  400: 'The server could not read the request.',
  401: 'You are not logged in (or your session ended).',
  403: 'You are not allowed to do that.',
  404: 'Not found: it may have been deleted.',
  409: 'That conflicts with something that already exists.',
  413: 'That is too large for the server.',
  422: 'The server refused the content.',
  429: 'Too many requests: wait a moment and try again.',
  503: 'The server is not ready: try again in a moment.',
};

/** Decodes an error answer: `{"error":{"code","message","details"?}}`, or falls back to words for the status. */
export async function decodeError(res: Response): Promise<ApiError> {
  const fallback = STATUS_WORDS[res.status] ?? `The server answered ${res.status} ${res.statusText}`.trim() + '.';
  let text = '';
  try {
    text = await res.text();
  } catch {
    // Body unreadable: keep the status words.
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const err = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    const code = typeof e.code === 'string' ? e.code : 'unknown';
    const message = typeof e.message === 'string' && e.message.trim() ? e.message : fallback;
    const details = Array.isArray(e.details) ? e.details.filter(isFieldError) : [];
    return new ApiError(res.status, code, message, details);
  }
  return new ApiError(res.status, 'unknown', fallback);
}

/** Words for any thrown value, for an error line on screen. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof TypeError) return 'Cannot reach the server. Check the connection and try again.';
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong.';
}

/** A request body: JSON, or the text of a CSV file. */
export type Body = { json: unknown } | { csv: string };

export interface RequestOptions {
  method?: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string | null;
  body?: Body;
  /** More headers (`If-None-Match`). */
  headers?: Record<string, string>;
  /** Statuses other than 2xx that are answers rather than errors (304 to a conditional GET). */
  answers?: readonly number[];
  fetchFn?: FetchLike;
}

/** Sends a request, never from the HTTP cache; an error answer is thrown as an `ApiError`. */
export async function request(url: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.body && 'json' in opts.body) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(opts.body.json);
  } else if (opts.body) {
    headers['Content-Type'] = 'text/csv; charset=utf-8';
    payload = opts.body.csv;
  }
  const res = await (opts.fetchFn ?? pageFetch)(url, { method: opts.method ?? 'GET', headers, body: payload, cache: 'no-store' });
  if (!res.ok && !opts.answers?.includes(res.status)) throw await decodeError(res);
  return res;
}

/** An answer's JSON body (null when empty); one that cannot be read is an `ApiError` with code `bad_answer`. */
export async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!text) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_answer', 'The server sent an answer that could not be read.');
  }
}
