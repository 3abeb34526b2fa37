import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import {
  fallbackDecision,
  hasVerifiedEmail,
  webchatFallbackTimer,
} from '#shared/domain/webchat/email-fallback.js';

const verified = [
  {
    identities: [
      { kind: 'webchat_user' as const, value: 'u-1' },
      { kind: 'email' as const, value: 'a@b.example' },
    ],
  },
];
const anonymous = [{ identities: [{ kind: 'webchat_visitor' as const, value: 'v-1' }] }];

function reply(overrides: Partial<TimelineItem> = {}): TimelineItem {
  return {
    id: 'reply:rp_1',
    type: 'message',
    direction: 'outbound',
    channel: 'webchat',
    at: '2026-01-01T10:00:00.000Z',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    status: 'delivered',
    contentType: 'text',
    text: 'It ships today.',
    data: { author: { kind: 'agent', id: 'agent-wes' } },
    ...overrides,
  } as TimelineItem;
}

describe('web chat email fallback', () => {
  it('sends an unread agent or AI reply with text to a customer with an email', () => {
    expect(fallbackDecision(reply(), 'rp_1', verified)).toEqual({
      send: { text: 'It ships today.', author: { kind: 'agent', id: 'agent-wes' } },
    });
    const ai = reply({ status: 'sent', data: { author: { kind: 'ai', id: 'ai' } } });
    expect(fallbackDecision(ai, 'rp_1', verified)).toEqual({
      send: { text: 'It ships today.', author: { kind: 'ai', id: 'ai' } },
    });
  });

  it('is stale for a read, failed, textless, missing or foreign reply, or an unverified visitor', () => {
    expect(fallbackDecision(reply({ status: 'read' }), 'rp_1', verified)).toEqual({ stale: 'read' });
    expect(fallbackDecision(reply({ status: 'failed' }), 'rp_1', verified)).toEqual({ stale: 'failed' });
    expect(fallbackDecision(reply({ text: undefined }), 'rp_1', verified)).toEqual({ stale: 'no_text' });
    expect(fallbackDecision(reply(), 'rp_1', anonymous)).toEqual({ stale: 'no_email' });
    expect(fallbackDecision(undefined, 'rp_1', verified)).toEqual({ stale: 'no_reply' });
    expect(fallbackDecision(reply(), 'rp_2', verified)).toEqual({ stale: 'no_reply' });
    expect(fallbackDecision(reply({ channel: 'sms' }), 'rp_1', verified)).toEqual({ stale: 'no_reply' });
    const note = reply({ data: { author: { kind: 'customer', id: 'x' } } });
    expect(fallbackDecision(note, 'rp_1', verified)).toEqual({ stale: 'no_reply' });
  });

  it('counts only an email identity as verified (a typed email is never one)', () => {
    expect(hasVerifiedEmail(verified)).toBe(true);
    expect(hasVerifiedEmail(anonymous)).toBe(false);
    expect(hasVerifiedEmail([])).toBe(false);
  });

  it('keys the timer on the reply and sets it the delay after the reply', () => {
    const timer = webchatFallbackTimer(
      { conversationId: 'cv_1', replyId: 'rp_1', at: '2026-01-01T10:00:00.000Z' },
      900_000,
    );
    expect(timer).toMatchObject({
      kind: 'webchat_fallback',
      subject: 'cv_1',
      version: 'rp_1',
      dueAt: '2026-01-01T10:15:00.000Z',
    });
    expect(
      webchatFallbackTimer(
        { conversationId: 'cv_1', replyId: 'rp_1', at: '2026-01-01T10:00:00.000Z' },
        900_000,
      ).id,
    ).toBe(timer.id);
  });
});
