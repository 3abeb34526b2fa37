import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_TIMEOUT, type CallError, call, retryable } from '../../../../functions/webchat/widget/api.js';

// Half a second past: an HTTP date has whole seconds, and a wait of part of a second rounds up.
const NOW = Date.parse('2026-12-03T10:00:00.500Z');

/** The error `call` throws when the server answers `status` with these headers. */
async function refusedWith(status: number, headers: Record<string, string>): Promise<CallError> {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => Response.json({ error: { message: 'slow down' } }, { status, headers })),
  );
  try {
    await call('https://threadline.example.com', '/webchat/messages', { method: 'POST', token: 't' });
  } catch (error) {
    return error as CallError;
  }
  throw new Error('the call did not fail');
}

describe("the widget's refused calls", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it.each([
    ['delta-seconds', '120', 120],
    ['an HTTP date', 'Thu, 03 Dec 2026 10:05:00 GMT', 300],
    ['an HTTP date 1.5 s away', 'Thu, 03 Dec 2026 10:00:02 GMT', 2],
    ['more than a day, cut to a day', '999999999', 86_400],
  ])('reads Retry-After as %s (%s) in seconds', async (_, header, seconds) => {
    const error = await refusedWith(429, { 'retry-after': header });
    expect(error).toMatchObject({ status: 429, retryAfter: seconds, detail: 'slow down' });
  });

  it.each([
    ['a date already past', 'Thu, 03 Dec 2026 09:59:00 GMT'],
    ['zero', '0'],
    ['words', 'soon'],
    ['a negative number', '-5'],
  ])('gives no Retry-After for %s', async (_, header) => {
    const error = await refusedWith(503, { 'retry-after': header });
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBeUndefined();
  });
});

describe('a call to a server that never answers (a half-open keep-alive connection)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails after CALL_TIMEOUT as a network error, which the callers try again', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let failed: CallError | undefined;
    const pending = call(`http://127.0.0.1:${port}`, '/webchat/messages?order=newest', { token: 't' }).catch(
      (error: CallError) => {
        failed = error;
      },
    );
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT - 1);
    expect(failed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(failed?.message).toBe('timed out');
    expect(failed?.status).toBeUndefined();
    expect(retryable(failed as CallError)).toBe(true);
    server.closeAllConnections();
    server.close();
  });
});
