import { describe, expect, it } from 'vitest';
import { ApiError, decodeError, describeError } from './http';

function answer(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers });
}

describe('decodeError', () => {
  it('reads code, message and per-row details', async () => {
    const e = await decodeError(
      answer(
        422,
        JSON.stringify({
          error: {
            code: 'validation',
            message: '2 problem(s) in the file; nothing was imported.',
            details: [
              { index: 3, field: 'email', message: 'email "bad" is not a valid e-mail address' },
              { index: 5, field: 'name', message: 'name must not be empty' },
              { nonsense: true },
            ],
          },
        }),
      ),
    );
    expect(e.status).toBe(422);
    expect(e.code).toBe('validation');
    expect(e.message).toBe('2 problem(s) in the file; nothing was imported.');
    expect(e.details).toEqual([
      { index: 3, field: 'email', message: 'email "bad" is not a valid e-mail address' },
      { index: 5, field: 'name', message: 'name must not be empty' },
    ]);
  });

  it('falls back to words for the status when the body is not the error shape', async () => {
    expect((await decodeError(answer(502, '<html>Bad gateway</html>'))).message).toBe('The server answered 502.');
    const e = await decodeError(answer(409, JSON.stringify({ error: { code: 'conflict', message: '  ' } })));
    expect(e.message).toBe('That conflicts with something that already exists.');
    expect(e.code).toBe('conflict');
    expect((await decodeError(answer(404, ''))).message).toBe('Not found: it may have been deleted.');
    expect((await decodeError(answer(500, 'null'))).code).toBe('unknown');
  });
});

describe('describeError', () => {
  it('turns anything thrown into a sentence', () => {
    expect(describeError(new ApiError(409, 'conflict', 'badge 04A1B2C3 is already bound to Ada'))).toBe(
      'badge 04A1B2C3 is already bound to Ada',
    );
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Cannot reach the server. Check the connection and try again.');
    expect(describeError(new Error('reader timed out'))).toBe('reader timed out');
    expect(describeError(42)).toBe('Something went wrong.');
  });
});
