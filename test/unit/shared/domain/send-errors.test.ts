import { describe, expect, it } from 'vitest';
import {
  PermanentSendError,
  RetryableSendError,
  SEND_RETRY_DELAY_SECONDS,
  sendRetryDelaySeconds,
} from '#shared/domain/send-errors.js';

describe('sendRetryDelaySeconds', () => {
  it.each([
    ['throttling with Retry-After 1.5 s', new RetryableSendError('429', { retryAfterMs: 1_500 }), 2],
    ['throttling with Retry-After 2 h', new RetryableSendError('429', { retryAfterMs: 7_200_000 }), 900],
    ['a 5xx without Retry-After', new RetryableSendError('503'), SEND_RETRY_DELAY_SECONDS],
    ['a permanent refusal', new PermanentSendError('bad number'), 0],
    ['anything else', new Error('1000 ms of the invocation left'), 0],
  ])('waits after %s', (_name, error, seconds) => {
    expect(sendRetryDelaySeconds(error)).toBe(seconds);
  });
});
