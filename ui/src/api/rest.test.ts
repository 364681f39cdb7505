import { describe, expect, it } from 'vitest';
import { ApiError, type FetchLike } from './http';
import { fetchSnapshot } from './rest';

describe('fetchSnapshot', () => {
  it('asks conditionally, and reads error answers like every other client', async () => {
    const seen: Array<RequestInit | undefined> = [];
    let status = 304;
    const fetchFn: FetchLike = async (_url, init) => {
      seen.push(init);
      return status === 304
        ? new Response(null, { status: 304 })
        : new Response(JSON.stringify({ error: { code: 'not_found', message: 'event "x" not found' } }), { status });
    };
    await expect(fetchSnapshot('x', 'tok', '"e1-4"', fetchFn)).resolves.toEqual({ kind: 'not-modified' });
    const headers = seen[0]?.headers as Record<string, string>;
    expect(headers['If-None-Match']).toBe('"e1-4"');
    expect(headers.Authorization).toBe('Bearer tok');
    status = 404;
    const e = await fetchSnapshot('x', null, null, fetchFn).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 404, code: 'not_found', message: 'event "x" not found', permanent: true });
    status = 503;
    expect(await fetchSnapshot('x', null, null, fetchFn).catch((err: unknown) => (err as ApiError).permanent)).toBe(false);
  });
});
