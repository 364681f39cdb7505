// The REST call the wall makes. Types come from the generated bindings; errors are `ApiError`s (see `./http`).

import type { Snapshot } from '../bindings/Snapshot';
import { ApiError, pageFetch, readJson, request, type FetchLike } from './http';

export type SnapshotResult =
  | { kind: 'ok'; snapshot: Snapshot; etag: string | null; serverNow: number | null }
  | { kind: 'not-modified' };

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
  fetchFn: FetchLike = pageFetch,
): Promise<SnapshotResult> {
  const res = await request(`/api/events/${encodeURIComponent(eventId)}/wall`, {
    token,
    headers: etag ? { 'If-None-Match': etag } : {},
    answers: [304],
    fetchFn,
  });
  if (res.status === 304) return { kind: 'not-modified' };
  const body = await readJson<unknown>(res);
  if (!isSnapshot(body)) throw new ApiError(res.status, 'bad_answer', 'the server sent something that is not a wall');
  const date = res.headers.get('Date');
  const serverNow = date ? Date.parse(date) : NaN;
  return { kind: 'ok', snapshot: body, etag: res.headers.get('ETag'), serverNow: Number.isFinite(serverNow) ? serverNow : null };
}
