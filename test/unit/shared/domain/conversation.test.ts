import { describe, expect, it } from 'vitest';
import { keptPlacement, placeEvent } from '#shared/domain/conversation.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { isCustomerSpeaking } from '#shared/domain/resolution.js';
import type { ProfileState } from '#shared/domain/resolver-ports.js';
import { envelope, inboundText } from '../../fakes/envelopes.js';

const RESOLVED_AT = '2025-06-08T20:59:50.400Z';
const resolved: ProfileState = {
  customerId: 'cu_1',
  lastConversationId: 'cv_1',
  lastResolvedAt: RESOLVED_AT,
};

/** A Twilio voice event of an inbound call at `at`. */
const call = (event: 'voicemail' | 'transcription', at: string): Envelope =>
  envelope({
    kind: 'call',
    id: `twilio:call:CA1:${event}:RE1`,
    provider: 'twilio',
    channel: 'voice',
    occurredAt: at,
    receivedAt: at,
    rawRef: 'twilio:abc#',
    callId: 'CA1',
    direction: 'inbound',
    customer: { kind: 'phone', value: '+16505551234' },
    event,
  });

describe('placeEvent', () => {
  it.each([
    ['in the resolve’s own second', '2025-06-08T20:59:50.000Z', { late: true }],
    ['sent before the resolve', '2025-06-08T20:58:00.000Z', { late: true }],
    ['after the resolve', '2025-06-08T20:59:51.000Z', {}],
  ])('reopens the last conversation for a message %s, late when timed at or before it', (_, at, late) => {
    const placed = placeEvent(inboundText({ occurredAt: at }), resolved, 'cu_1', undefined, undefined);
    expect(placed).toEqual({ conversationId: 'cv_1', reopen: true, ...late });
  });

  it('files a voicemail transcription quietly beside the voicemail: the open conversation, else the last', () => {
    const transcription = call('transcription', '2025-06-08T21:05:00.000Z');
    expect(placeEvent(transcription, resolved, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_1',
      reopen: false,
      quiet: true,
    });
    const open = { ...resolved, openConversationId: 'cv_2' };
    expect(placeEvent(transcription, open, 'cu_1', undefined, undefined)).toMatchObject({
      conversationId: 'cv_2',
      quiet: true,
    });
    expect(keptPlacement(transcription, 'cv_1', 'cv_2')).toEqual({
      conversationId: 'cv_1',
      reopen: false,
      quiet: true,
    });
    // The voicemail itself is the customer's word: it reopens, and makes them wait.
    expect(
      placeEvent(call('voicemail', '2025-06-08T21:05:00.000Z'), resolved, 'cu_1', undefined, undefined),
    ).toEqual({ conversationId: 'cv_1', reopen: true });
    expect(isCustomerSpeaking(call('voicemail', RESOLVED_AT))).toBe(true);
    expect(isCustomerSpeaking(transcription)).toBe(false);
  });
});
