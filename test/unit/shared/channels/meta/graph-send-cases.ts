import { expect, it, vi } from 'vitest';
import { PermanentSendError, RetryableSendError } from '#shared/domain/send-errors.js';

/** A fetch that answers every call with this JSON (or text) body and status. */
export function answering(status: number, body: unknown) {
  return vi.fn<typeof fetch>(
    async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }),
  );
}

/** The error a send failed with; fails the test when the send did not fail. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the send to fail');
  return error;
}

/**
 * The cases every sender over the Graph API (shared/channels/meta/graph.ts: Messenger and Instagram,
 * WhatsApp) shares: a call that fails on the way or times out is retried, a 200 with no message id is
 * not (the message may have gone), an answer without a Graph error code is mapped by its status.
 * `send` sends a text through a sender using `fetchFn`; `product` is the name its errors give; `noId` a
 * 200's body without a message id.
 */
export function itHandlesGraphCallFailures(
  product: string,
  send: (fetchFn: typeof fetch) => Promise<unknown>,
  noId: unknown,
  /** Answers with no Graph error code: the status, the body, and the error it must make. */
  uncoded: Array<[number, unknown, typeof RetryableSendError | typeof PermanentSendError]>,
): void {
  it.each(uncoded)('maps HTTP %i without a Graph error code by its status', async (status, body, kind) => {
    const error = await failure(send(answering(status, body)));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it('retries a network failure, keeping it as the cause', async () => {
    const cause = new TypeError('fetch failed');
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw cause;
    });
    const error = await failure(send(fetchFn));
    expect(error).toBeInstanceOf(RetryableSendError);
    expect(error.message).toBe(`${product} did not answer (network error); will retry`);
    expect(error.cause).toBe(cause);
  });

  it('retries a call that timed out', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    const error = await failure(send(fetchFn));
    expect(error).toBeInstanceOf(RetryableSendError);
    expect(error.message).toBe(`${product} did not answer (timed out); will retry`);
  });

  it('does not retry a 200 without a message id, which may have been sent', async () => {
    const error = await failure(send(answering(200, noId)));
    expect(error).toBeInstanceOf(PermanentSendError);
    expect(error.message).toContain('without a message id');
  });
}
