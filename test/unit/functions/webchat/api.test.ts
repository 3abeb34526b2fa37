import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CallError, call } from '../../../../functions/webchat/widget/api.js';

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
