import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { chatPageLink } from '#shared/domain/webchat/chat-page.js';
import {
  fallbackDecision,
  fallbackEmail,
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

describe('fallbackEmail', () => {
  const base = {
    customerId: 'cu_1',
    conversationId: 'cv_1',
    channel: 'webchat' as const,
    contentType: 'text' as const,
  };
  const reply = (n: number, extra: Partial<TimelineItem> = {}): TimelineItem => ({
    ...base,
    id: `reply:rp_${n}`,
    type: 'message',
    direction: 'outbound',
    text: `line ${n}`,
    at: `2026-12-04T10:00:0${n}.000Z`,
    status: 'delivered',
    data: { author: { kind: 'agent', id: 'ana' } },
    ...extra,
  });
  const question: TimelineItem = {
    ...base,
    id: 'webchat:v.q',
    type: 'message',
    direction: 'inbound',
    text: 'Can I cancel booking 42?',
    at: '2026-12-04T09:59:00.000Z',
  };
  const now = '2026-12-04T10:20:00.000Z';

  it('covers every unread reply of the conversation in one email, keyed on the newest, quoting the visitor', () => {
    const items = [
      question,
      reply(1),
      reply(2, { status: 'read' }),
      reply(3),
      reply(4, { conversationId: 'cv_2' }),
    ];
    const email = fallbackEmail({ items, reply: reply(1), conversationId: 'cv_1', now, business: 'Acme' });
    expect(email).toMatchObject({ key: 'rp_3', replyIds: ['rp_1', 'rp_3'], subject: 'Your chat with Acme' });
    expect(email?.text).toContain('2 replies in your chat with Acme');
    expect(email?.text).toContain('line 1\nline 3');
    expect(email?.text).toContain('You wrote: "Can I cancel booking 42?"');
  });

  it('quotes a long question without cutting an emoji in half', () => {
    const long = { ...question, text: `a${'😀'.repeat(200)}` };
    const email = fallbackEmail({ items: [long, reply(1)], reply: reply(1), conversationId: 'cv_1', now });
    expect(email?.text).not.toMatch(/\p{Cs}/u);
    expect(email?.text).toContain(`You wrote: "a${'😀'.repeat(149)}…"`);
  });

  it('leaves out what belongs to an anonymous visitor merged into the customer, and never emails a reply for one', () => {
    const stranger = { kind: 'webchat_visitor' as const, value: 'v-2' };
    const user = { kind: 'webchat_user' as const, value: 'u-1' };
    const theirs: TimelineItem = { ...question, id: 'webchat:s.q', text: 'My PIN is 1234', from: stranger };
    const items = [question, reply(1, { to: user }), theirs, reply(2, { to: stranger })];
    const email = fallbackEmail({ items, reply: reply(1, { to: user }), conversationId: 'cv_1', now });
    expect(email).toMatchObject({ key: 'rp_1', replyIds: ['rp_1'] });
    expect(email?.text).toContain('You wrote: "Can I cancel booking 42?"');
    expect(email?.text).not.toContain('PIN');
    expect(fallbackDecision(reply(2, { to: stranger }), 'rp_2', verified)).toEqual({ stale: 'no_email' });
  });

  it('is nothing for a reply an earlier fallback covered, and leaves covered replies out', () => {
    const sent: TimelineItem = {
      ...base,
      id: 'webchat_email_fallback:rp_2',
      type: 'event',
      event: 'webchat_email_fallback',
      at: '2026-12-04T10:15:00.000Z',
      data: { replyIds: ['rp_1', 'rp_2'] },
    };
    const items = [question, reply(1), reply(2), sent, reply(3)];
    expect(fallbackEmail({ items, reply: reply(1), conversationId: 'cv_1', now })).toBeUndefined();
    expect(fallbackEmail({ items, reply: reply(3), conversationId: 'cv_1', now })).toMatchObject({
      key: 'rp_3',
      replyIds: ['rp_3'],
      subject: 'Your chat with us',
    });
  });

  it('links back to the page the visitor chatted on, only when its origin is one the widget is allowed on', () => {
    const asked = (page: unknown) => ({ ...question, data: { page } });
    const link = (page: unknown, allowed = ['https://shop.example']) =>
      fallbackEmail({
        items: [asked(page), reply(1)],
        reply: reply(1),
        conversationId: 'cv_1',
        now,
        allowedOrigins: allowed,
      })?.text;
    expect(link('https://shop.example/orders/42')).toContain(
      'Carry on in the chat: https://shop.example/orders/42#threadline-chat',
    );
    for (const page of [
      'https://evil.example/orders/42',
      'https://shop.example.evil.example/',
      'javascript:alert(1)',
      'not a url',
      42,
      undefined,
      `https://shop.example/${'a'.repeat(3000)}`,
    ]) {
      expect(link(page)).not.toContain('Carry on in the chat');
      expect(link(page)).toContain('open the chat on our site again');
    }
    expect(link('https://shop.example/orders/42', [])).not.toContain('Carry on in the chat');
  });
});

describe('the chat page a fallback email links to', () => {
  it('keeps an allowed origin and the path, never the query or the fragment', () => {
    const allowed = ['https://shop.example', 'http://127.0.0.1:8080'];
    expect(chatPageLink('https://shop.example/p/shoes?token=secret#top', allowed)).toBe(
      'https://shop.example/p/shoes#threadline-chat',
    );
    expect(chatPageLink('http://127.0.0.1:8080/', allowed)).toBe('http://127.0.0.1:8080/#threadline-chat');
    expect(chatPageLink('https://SHOP.example/x', allowed)).toBe('https://shop.example/x#threadline-chat');
    expect(chatPageLink('https://user:pw@shop.example/x', allowed)).toBeUndefined();
    expect(chatPageLink('http://shop.example/x', allowed)).toBeUndefined();
    expect(chatPageLink('data:text/html,hi', allowed)).toBeUndefined();
  });
});
