import { describe, expect, it } from 'vitest';
import { failureText } from '../../../../functions/agent-api/console/failure-text.js';

describe('failureText', () => {
  it.each([
    [
      {
        code: '131026',
        message: 'Message Undeliverable.',
        hint: 'undeliverable: the customer may not use WhatsApp',
      },
      'Message Undeliverable. (code 131026): undeliverable: the customer may not use WhatsApp',
    ],
    [{ code: '131047', title: 'Re-engagement message' }, 'Re-engagement message (code 131047)'],
    [{ code: '30003' }, 'code 30003'],
    [
      { code: '30005', hint: 'unknown destination: the number does not exist' },
      'code 30005: unknown destination: the number does not exist',
    ],
  ])('says what failed, with its code and hint: %j', (error, text) => {
    expect(failureText(error)).toBe(text);
  });
});
