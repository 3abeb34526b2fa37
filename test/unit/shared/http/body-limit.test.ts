import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { limitBody } from '#shared/http/body-limit.js';
import { onError } from '#shared/http/on-error.js';

function app(message?: string) {
  const web = new Hono();
  web.onError(onError);
  web.post('/in', limitBody(8, message), async (c) => c.text(await c.req.text()));
  return (body: string) => web.request('/in', { method: 'POST', body });
}

describe('limitBody', () => {
  it('passes a body of the limit through and refuses one byte more with 413 payload_too_large', async () => {
    const post = app();
    expect(await (await post('12345678')).text()).toBe('12345678');
    const refused = await post('123456789');
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error: { code: 'payload_too_large', message: 'body over 8 bytes' },
    });
  });

  it('counts UTF-8 bytes, not characters, and says what the route says', async () => {
    const refused = await app('the body is over 8 bytes')('ééééé');
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'the body is over 8 bytes',
    );
  });
});
