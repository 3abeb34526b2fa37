import { describe, expect, it } from 'vitest';
import { keptPlacement, nextConversationId, placeEvent, reopenOrNext } from '#shared/domain/conversation.js';
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
const call = (
  event: 'ringing' | 'completed' | 'missed' | 'voicemail' | 'transcription',
  at: string,
  durationSeconds?: number,
): Envelope =>
  envelope({
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
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

  it('files the business’s echo quietly in the last conversation: it reopens or opens none', () => {
    const echo = {
      ...inboundText({ occurredAt: '2025-06-08T21:00:00.000Z' }),
      direction: 'outbound' as const,
    };
    expect(placeEvent(echo, resolved, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_1',
      reopen: false,
      quiet: true,
    });
    // After the reopen window too: no new conversation.
    const later = { ...echo, occurredAt: '2025-06-20T21:00:00.000Z' };
    expect(placeEvent(later, resolved, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_1',
      reopen: false,
      quiet: true,
    });
    const open = { ...resolved, openConversationId: 'cv_2' };
    expect(placeEvent(echo, open, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_2',
      reopen: false,
    });
  });

  it('files a like sent alone (Messenger’s Like button) quietly beside the last conversation: it asks nothing', () => {
    const like = inboundText({
      occurredAt: '2025-06-08T21:00:00.000Z',
      contentType: 'sticker',
      text: undefined,
      data: { like: '👍' },
    });
    expect(placeEvent(like, resolved, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_1',
      reopen: false,
      quiet: true,
    });
    expect(isCustomerSpeaking(like)).toBe(false);
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

  it('files what asks nothing quietly beside: an SMS keyword, a call’s ringing and end, an empty voicemail', () => {
    const at = '2025-06-08T21:05:00.000Z';
    const sms = (text: string, optOut: string) =>
      inboundText({ channel: 'sms', text, data: { optOut }, occurredAt: at });
    const quiet = [
      sms('STOP', 'stop'),
      sms('Unstop', 'start'),
      sms('HELP', 'help'),
      call('ringing', at),
      call('completed', at, 3),
      call('missed', at),
      call('voicemail', at, 1),
    ];
    for (const event of quiet) {
      expect(placeEvent(event, resolved, 'cu_1', undefined, undefined)).toEqual({
        conversationId: 'cv_1',
        reopen: false,
        quiet: true,
      });
      expect(isCustomerSpeaking(event)).toBe(false);
    }
    // YES lifts an opt-out, and is also the answer to a question: it is the customer speaking.
    const yes = sms('yes', 'start');
    expect(placeEvent(yes, resolved, 'cu_1', undefined, undefined)).toEqual({
      conversationId: 'cv_1',
      reopen: true,
    });
    expect(isCustomerSpeaking(yes)).toBe(true);
    expect(isCustomerSpeaking(call('voicemail', at, 2))).toBe(true);
  });

  it('files an edit or a deletion quietly beside: it changes its message, not the conversation', () => {
    const at = '2025-06-08T21:05:00.000Z';
    const common = {
      provider: 'meta' as const,
      channel: 'whatsapp' as const,
      occurredAt: at,
      receivedAt: at,
      rawRef: 'meta:abc#',
      customer: { kind: 'phone' as const, value: '+16505551234' },
      targetMessageId: 'wamid.1',
    };
    const changes: Envelope[] = [
      envelope({
        ...common,
        id: 'whatsapp:wamid.E1',
        kind: 'edit',
        providerMessageId: 'wamid.E1',
        text: 'typo fixed',
      }),
      envelope({ ...common, id: 'whatsapp:wamid.D1', kind: 'delete', providerMessageId: 'wamid.D1' }),
    ];
    for (const change of changes) {
      expect(placeEvent(change, resolved, 'cu_1', undefined, undefined)).toEqual({
        conversationId: 'cv_1',
        reopen: false,
        quiet: true,
      });
      const open = { ...resolved, openConversationId: 'cv_2' };
      expect(placeEvent(change, open, 'cu_1', undefined, undefined)).toMatchObject({
        conversationId: 'cv_2',
        quiet: true,
      });
      expect(isCustomerSpeaking(change)).toBe(false);
    }
  });
});

describe('placeEvent: the provider’s news about the customer', () => {
  it('files a WhatsApp number change quietly beside: it reopens, opens and wakes nothing', () => {
    const change = (occurredAt: string): Envelope =>
      envelope({
        kind: 'system',
        event: 'identity_changed',
        id: 'whatsapp:msg:wamid.S1',
        provider: 'meta',
        channel: 'whatsapp',
        occurredAt,
        receivedAt: occurredAt,
        rawRef: 'meta:abc#',
        providerMessageId: 'wamid.S1',
        customer: { kind: 'phone', value: '+5511987650101' },
        newIdentity: { kind: 'phone', value: '+5511987650102' },
      });
    const quiet = { conversationId: 'cv_1', reopen: false, quiet: true };
    // Within the reopen window, and after it: the last conversation, as it is.
    expect(placeEvent(change('2025-06-08T21:05:00.000Z'), resolved, 'cu_1', undefined, undefined)).toEqual(
      quiet,
    );
    expect(placeEvent(change('2025-06-20T21:05:00.000Z'), resolved, 'cu_1', undefined, undefined)).toEqual(
      quiet,
    );
    expect(isCustomerSpeaking(change(RESOLVED_AT))).toBe(false);
  });
});

describe('reopenOrNext: the reopen window placeEvent and missedCallPlace both follow', () => {
  const WINDOW = 3_600_000;
  const last = { conversationId: 'cv_1', resolvedAt: RESOLVED_AT };
  const resolvedPlus = (ms: number) => new Date(Date.parse(RESOLVED_AT) + ms).toISOString();
  const next = {
    kind: 'next',
    conversationId: nextConversationId('cu_1', 'cv_1'),
    previousConversationId: 'cv_1',
  };

  it('reopens, late, on an event timed exactly at the resolve (the resolve overtook it)', () => {
    expect(reopenOrNext('cu_1', last, RESOLVED_AT, WINDOW)).toEqual({
      kind: 'reopen',
      conversationId: 'cv_1',
      late: true,
    });
  });

  it('reopens, not late, a millisecond after the resolve and at the window’s very end', () => {
    for (const at of [resolvedPlus(1), resolvedPlus(WINDOW)]) {
      expect(reopenOrNext('cu_1', last, at, WINDOW), at).toEqual({
        kind: 'reopen',
        conversationId: 'cv_1',
        late: false,
      });
    }
  });

  it('opens the next conversation a millisecond past the window, or with no resolve or no last one', () => {
    expect(reopenOrNext('cu_1', last, resolvedPlus(WINDOW + 1), WINDOW)).toEqual(next);
    expect(reopenOrNext('cu_1', { conversationId: 'cv_1' }, resolvedPlus(1), WINDOW)).toEqual(next);
    expect(reopenOrNext('cu_1', { resolvedAt: RESOLVED_AT }, resolvedPlus(1), WINDOW)).toEqual({
      kind: 'next',
      conversationId: nextConversationId('cu_1', undefined),
      previousConversationId: undefined,
    });
  });
});
