import { describe, expect, it } from 'vitest';
import { unsubscribedState } from '#shared/domain/sms-opt-out.js';

describe('unsubscribedState', () => {
  const at = '2025-06-09T10:00:00.000Z';

  it.each(['sms', 'voice'] as const)(
    'takes Twilio 21610 on %s for an opt-out at the reply time',
    (channel) => {
      expect(unsubscribedState({ channel, codes: ['21610'] }, at, 'reply:rp_1')).toEqual({
        blocked: true,
        reason: 'STOP reported by Twilio error 21610',
        at,
        envelopeId: 'reply:rp_1',
      });
    },
  );

  it.each([
    ['another code', 'sms', ['30003']],
    ['no code', 'sms', []],
    ['WhatsApp, which Twilio does not filter by keyword', 'whatsapp', ['21610']],
  ] as const)('records nothing for %s', (_name, channel, codes) => {
    expect(unsubscribedState({ channel, codes }, at, 'x')).toBeUndefined();
  });
});
