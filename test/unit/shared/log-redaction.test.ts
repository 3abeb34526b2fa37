import { describe, expect, it } from 'vitest';
import { errorFields } from '#shared/log.js';

const message = (text: string) => errorFields(new Error(text)).errorMessage;

/**
 * A provider's error message may name the recipient's number as it was written, with spaces: each part
 * alone was too short to be taken for a number, and the number reached the log line.
 */
describe('errorFields', () => {
  it.each([
    [
      "The 'To' number +1 650 555 0000 is not a valid phone number.",
      "The 'To' number [number] is not a valid phone number.",
    ],
    ['Invalid parameter: To (+44 20 7946 0958)', 'Invalid parameter: To ([number])'],
    ['Recipient +33 6 12 34 56 78 has opted out', 'Recipient [number] has opted out'],
    ['Call (650) 555 0000 back', 'Call [number] back'],
    ['Number +1 (650) 555-0000, try again', 'Number [number], try again'],
    ['Recipient 020 7946 0958 unknown', 'Recipient [number] unknown'],
    [
      'Attempt to send to unsubscribed recipient 16505550000',
      'Attempt to send to unsubscribed recipient [number]',
    ],
  ])('redacts the number in %j', (text, scrubbed) => {
    expect(message(text)).toBe(scrubbed);
  });

  it.each([
    'Order 4521 failed: 3 of 12 items out of stock',
    'Retry 2 of 5 at 13:45:07 after 30 s',
    'Throttled at 2026-12-07T13:45:00.000Z, retry after 2026-12-07T13:46:00Z',
    'Rate limit 250 per 1 s exceeded',
    'Error 21211 on request 7 of 10',
    'Took 1 200 ms',
  ])('keeps ordinary numbers: %j', (text) => {
    expect(message(text)).toBe(text);
  });
});
