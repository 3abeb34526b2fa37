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
    [
      "Messenger's Like button (a like sent alone)",
      item({ direction: 'inbound', channel: 'messenger', contentType: 'sticker', data: { like: '👍' } }),
      undefined,
    ],
    ['an SMS STOP', item({ direction: 'inbound', text: 'STOP', data: { optOut: 'stop' } }), undefined],
    ['an SMS START', item({ direction: 'inbound', text: 'unstop', data: { optOut: 'start' } }), undefined],
    ['an SMS HELP', item({ direction: 'inbound', text: 'Info', data: { optOut: 'help' } }), undefined],
    [
      'an SMS YES (an answer too)',
      item({ direction: 'inbound', text: 'Yes ', data: { optOut: 'start' } }),
      'message',
    ],
    [
      'a voicemail of one second (hung up at the beep)',
      item({ type: 'event', event: 'call_voicemail', direction: 'inbound', data: { durationSeconds: 1 } }),
      undefined,
    ],
    [
      'a voicemail of two seconds',
      item({ type: 'event', event: 'call_voicemail', direction: 'inbound', data: { durationSeconds: 2 } }),
      'voicemail',
    ],
  ])('routes %s as %s', (_, given, kind) => {
    expect(routableKind(given)).toBe(kind);
  });
});
