import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  CALL_TIMEOUT_MS,
  createApi,
  LONG_CALL_TIMEOUT_MS,
  NoAnswerError,
} from '../../../../functions/agent-api/console/api.js';
import { notSentText } from '../../../../functions/agent-api/console/format.js';

/** A fetch that never answers (a blackholed link) until its call is given up; answers whether it was. */
function answerNever(): () => boolean {
  let aborted = false;
  vi.stubGlobal(
    'fetch',
    vi.fn(
      (_path: string, init: RequestInit) =>
        new Promise((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          }),
        ),
    ),
  );
  return () => aborted;
}

const MAYBE = /may or may not have gone\. Send it again as it is: it goes only once\.$/;

/** A fetch that answers `status` with `body`, as a gateway in front of Threadline may. */
const answering = (status: number, body: string, statusText: string) =>
  vi.fn(async () => new Response(body, { status, statusText }));

describe('what a send that failed says', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it.each([
    [504, '{"message":"Endpoint request timed out"}', 'Gateway Timeout'],
    [503, '{"message":"Service Unavailable"}', 'Service Unavailable'],
    [502, '', 'Bad Gateway'],
    [500, '{"message":"Internal server error"}', 'Internal Server Error'],
    [500, '{"error":{"code":"internal","message":"internal error"}}', 'Internal Server Error'],
    [408, '', 'Request Timeout'],
    [429, '{"message":"Too Many Requests"}', 'Too Many Requests'],
  ])('a %i with no Threadline refusal (%s) may have gone: never "Not sent"', async (status, body, text) => {
    vi.stubGlobal('fetch', answering(status, body, text));
    const api = createApi('t', () => {});
    const error = await api.send('POST', '/api/conversations/c/replies', { text: 'hi' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(notSentText(error)).toMatch(MAYBE);
    expect(notSentText(error)).not.toMatch(/^Not sent/);
  });

  it.each([
    [409, 'sms_opted_out', /^Not sent: the customer texted STOP/],
    [503, 'unavailable', /^Not sent: /],
    [422, 'text_too_long', /^Not sent: /],
  ])('a %i Threadline refused with %s is "Not sent"', async (status, code, said) => {
    const body = JSON.stringify({ error: { code, message: 'refused' } });
    vi.stubGlobal('fetch', answering(status, body, 'x'));
    const error = await createApi('t', () => {})
      .send('POST', '/api/conversations/c/replies', { text: 'hi' })
      .catch((e) => e);
    expect(notSentText(error)).toMatch(said);
  });

  it('gives a call up after CALL_TIMEOUT_MS with no answer, saying the send may have gone', async () => {
    vi.useFakeTimers();
    const aborted = answerNever();
    const call = createApi('t', () => {})
      .send('POST', '/api/conversations/c/replies', { text: 'hi' })
      .catch((e) => e);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS - 1);
    expect(aborted()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await call;
    expect(aborted()).toBe(true);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect(CALL_TIMEOUT_MS).toBeLessThanOrEqual(20_000);
    expect(notSentText(error)).toMatch(/^Threadline did not answer in time, so it may or may not have gone/);
  });

  it.each([
    ['DELETE', '/api/customers/cu_1', LONG_CALL_TIMEOUT_MS],
    ['POST', '/api/customers/cu_1/unmerge', LONG_CALL_TIMEOUT_MS],
    ['POST', '/api/customers/cu_1/suggestions/cu_2/accept', LONG_CALL_TIMEOUT_MS],
    ['GET', '/api/customers/cu_1/export', LONG_CALL_TIMEOUT_MS],
    ['POST', '/api/webhooks/wh_1/enable', LONG_CALL_TIMEOUT_MS],
    ['GET', '/api/customers/cu_1', CALL_TIMEOUT_MS],
    ['POST', '/api/conversations/c/replies', CALL_TIMEOUT_MS],
  ] as const)('waits for %s %s as long as it may take', async (method, path, wait) => {
    vi.useFakeTimers();
    const aborted = answerNever();
    const api = createApi('t', () => {});
    const call = (method === 'GET' ? api.get(path) : api.send(method, path)).catch((e) => e);
    await vi.advanceTimersByTimeAsync(wait - 1);
    expect(aborted()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBeInstanceOf(NoAnswerError);
  });
});
