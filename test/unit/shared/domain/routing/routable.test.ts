import { describe, expect, it } from 'vitest';
import { routableKind } from '#shared/domain/routing/routable.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const AT = '2025-06-10T12:00:00.000Z';
const item = (fields: Partial<TimelineItem>): TimelineItem => ({
  id: 'x',
  type: 'message',
  at: AT,
  customerId: 'cu_1',
  channel: 'sms',
  ...fields,
});

describe('routableKind', () => {
  it.each([
    ['an inbound message', item({ direction: 'inbound' }), 'message'],
    [
      'an inbound voicemail',
      item({ type: 'event', event: 'call_voicemail', direction: 'inbound' }),
      'voicemail',
    ],
    ['an outbound message', item({ direction: 'outbound' }), undefined],
    [
      'a voicemail on an outbound call',
      item({ type: 'event', event: 'call_voicemail', direction: 'outbound' }),
      undefined,
    ],
    [
      'quarantined mail',
      item({ direction: 'inbound', channel: 'email', data: { quarantined: true } }),
      undefined,
    ],
    ['an auto-reply', item({ direction: 'inbound', channel: 'email', data: { autoReply: true } }), undefined],
    ['a reaction', item({ type: 'event', event: 'reaction' }), undefined],
  ])('routes %s as %s', (_, given, kind) => {
    expect(routableKind(given)).toBe(kind);
  });
});
