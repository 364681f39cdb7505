import { describe, expect, it } from 'vitest';
import { ApiError, type FetchLike } from '../api/http';
import { AdminApi, filenameFromDisposition } from './api';

function answer(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers });
}

describe('filenameFromDisposition', () => {
  it('takes the file name, refusing paths', () => {
    expect(filenameFromDisposition('attachment; filename="ev1-people.csv"', 'x')).toBe('ev1-people.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''caf%C3%A9.json", 'x')).toBe('café.json');
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"', 'fallback.csv')).toBe('fallback.csv');
    expect(filenameFromDisposition(null, 'fallback.csv')).toBe('fallback.csv');
  });
});

describe('AdminApi', () => {
  it('sends the bearer token and CSV bodies, and reports 401 once', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    let status = 200;
    const fetchFn: FetchLike = async (url, init) => {
      seen.push({ url, init });
      return status === 200
        ? answer(200, JSON.stringify({ rows: 0, profiles: [], errors: [], ignoredColumns: [] }))
        : answer(status, JSON.stringify({ error: { code: 'unauthorized', message: 'token expired' } }));
    };
    const api = new AdminApi('http://srv', 'tok', fetchFn);
    let unauthorized = 0;
    api.onUnauthorized = () => unauthorized++;
    await api.previewImport('my ev', 'name,email\n');
    expect(seen[0]?.url).toBe('http://srv/api/events/my%20ev/imports/preview');
    const headers = seen[0]?.init?.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer tok');
    expect(headers['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(seen[0]?.init?.body).toBe('name,email\n');

    status = 401;
    await expect(api.events()).rejects.toMatchObject({ status: 401, message: 'token expired' });
    expect(unauthorized).toBe(1);
    // A wrong password at the login is not a lost session.
    await expect(api.login('admin', 'x')).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized).toBe(1);
  });

  it('builds profile queries with search, offset and limit', async () => {
    const urls: string[] = [];
    const api = new AdminApi('', 't', async (url) => {
      urls.push(url);
      return answer(200, JSON.stringify({ items: [], total: 0, offset: 0, limit: 50 }));
    });
    await api.profiles('ev', '  ada  ', 50, 50);
    await api.profiles('ev', '', 0, 50);
    expect(urls).toEqual(['/api/events/ev/profiles?offset=50&limit=50&q=ada', '/api/events/ev/profiles?offset=0&limit=50']);
  });

  it('answers nobody for a badge the server does not know, and fails on other errors', async () => {
    const urls: string[] = [];
    let status = 404;
    const api = new AdminApi('', 't', async (url) => {
      urls.push(url);
      return status === 200
        ? answer(200, JSON.stringify({ id: 'p1', name: 'Ada', avatar: null, major: null, company: null }))
        : answer(status, JSON.stringify({ error: { code: status === 404 ? 'not_found' : 'forbidden', message: 'no' } }));
    });
    await expect(api.personByBadge('ev', '04A1B2C3')).resolves.toBeNull();
    status = 200;
    await expect(api.personByBadge('ev', '04A1B2C3')).resolves.toMatchObject({ name: 'Ada' });
    status = 403;
    await expect(api.personByBadge('ev', '04A1B2C3')).rejects.toMatchObject({ status: 403 });
    expect(urls[0]).toBe('/api/events/ev/people/04A1B2C3');
  });

  it('commits imports whole, or only their good rows when asked', async () => {
    const urls: string[] = [];
    const api = new AdminApi('', 't', async (url) => {
      urls.push(url);
      return answer(201, JSON.stringify({ created: 1, skipped: [] }));
    });
    await api.commitImport('ev', 'name,email\n');
    await api.commitImport('ev', 'name,email\n', true);
    expect(urls).toEqual(['/api/events/ev/imports', '/api/events/ev/imports?skipInvalid=true']);
  });

  it('calls the webhook endpoints, and treats a 204 delete as done', async () => {
    const seen: string[] = [];
    const api = new AdminApi('', 't', async (url, init) => {
      seen.push(`${init?.method} ${url}${init?.body ? ` ${String(init.body)}` : ''}`);
      if (init?.method === 'DELETE') return new Response(null, { status: 204 });
      return answer(200, url.endsWith('/webhooks') && init?.method === 'GET' ? '[]' : '{}');
    });
    await api.webhooks('my ev');
    await api.createWebhook('ev', { url: 'https://a.org/h', kinds: ['connection.created'] });
    await api.updateWebhook('ev', 'wh 1', { paused: false });
    await api.deleteWebhook('ev', 'wh1');
    await api.deliveries('ev', 'wh1');
    await api.retryDelivery('ev', 'wh1', 'msg/1');
    await api.exportFile('ev', 'hubspot.csv');
    expect(seen).toEqual([
      'GET /api/events/my%20ev/webhooks',
      'POST /api/events/ev/webhooks {"url":"https://a.org/h","kinds":["connection.created"]}',
      'PATCH /api/events/ev/webhooks/wh%201 {"paused":false}',
      'DELETE /api/events/ev/webhooks/wh1',
      'GET /api/events/ev/webhooks/wh1/deliveries?limit=50',
      'POST /api/events/ev/webhooks/wh1/deliveries/msg%2F1/retry',
      'GET /api/events/ev/export/hubspot.csv',
    ]);
  });

  it('says so when a 2xx answer is not JSON', async () => {
    const api = new AdminApi('', 't', async () => answer(200, 'oops'));
    await expect(api.events()).rejects.toMatchObject({ code: 'bad_answer' });
  });
});
