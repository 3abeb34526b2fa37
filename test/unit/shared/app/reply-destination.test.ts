import { describe, expect, it } from 'vitest';
import { defaultedDestination, webchatAddress } from '#shared/app/reply-destination.js';
import type { Channel, Identity } from '#shared/domain/envelope.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { visitorKey } from '#shared/domain/webchat/envelopes.js';

const VERA_MAIL: Identity = { kind: 'email', value: 'vera@example.com' };
const STRANGER: Identity = { kind: 'webchat_visitor', value: 'eve-browser' };
const SIGNED_IN: Identity = { kind: 'webchat_user', value: 'site-user-7' };

const vera: Customer = {
  id: 'cu_vera',
  identities: [VERA_MAIL, STRANGER, SIGNED_IN],
  channels: ['email', 'webchat'],
  createdAt: '2025-06-10T09:00:00.000Z',
  lastInboundChannel: 'webchat',
  lastInboundByChannel: { email: '2025-06-10T09:00:00.000Z', webchat: '2025-06-10T10:00:00.000Z' },
  mergedFrom: [],
  tags: [],
};

const chat = (from: Identity, writer: Identity, conversationId: string, data = {}): TimelineItem => ({
  id: `webchat:${visitorKey(writer)}.m1`,
  type: 'message',
  direction: 'inbound',
  channel: 'webchat',
  at: '2025-06-10T10:00:00.000Z',
  customerId: 'cu_vera',
  conversationId,
  from,
  text: 'hello',
  data,
});
const mail: TimelineItem = {
  id: 'ses:1',
  type: 'message',
  direction: 'inbound',
  channel: 'email',
  at: '2025-06-10T09:00:00.000Z',
  customerId: 'cu_vera',
  conversationId: 'cv_mail',
  from: VERA_MAIL,
  text: 'my invoice',
  data: { subject: 'Invoice' },
};

/** A store whose only web-chat message is `latest` (in its conversation), and whose only email is Vera's. */
const storeWith = (latest: TimelineItem) => ({
  lastInbound: async (_customer: string, channel: Channel, conversation?: string) => {
    const item = channel === 'webchat' ? latest : mail;
    return conversation === undefined || item.conversationId === conversation ? item : undefined;
  },
});
const recipient = { customer: vera, partitions: ['cu_vera'], profiles: [vera] };
const refusal = { code: 'webchat_not_available' };

describe('webchatAddress: a chat that did not write in the conversation', () => {
  it('is refused when nobody vouched for it: an anonymous visitor, or a signed-in one with a typed email', async () => {
    await expect(
      webchatAddress(storeWith(chat(STRANGER, STRANGER, 'cv_chat')), recipient, 'cv_mail'),
    ).rejects.toMatchObject(refusal);
    const typed = chat(SIGNED_IN, SIGNED_IN, 'cv_chat', { typedEmail: 'vera@example.com' });
    await expect(webchatAddress(storeWith(typed), recipient, 'cv_mail')).rejects.toMatchObject(refusal);
  });

  it('is reached when the site signed the visitor in: a verified email, or a sub with no typed email', async () => {
    const verified = chat(VERA_MAIL, SIGNED_IN, 'cv_chat');
    expect(await webchatAddress(storeWith(verified), recipient, 'cv_mail')).toEqual(SIGNED_IN);
    expect(
      await webchatAddress(storeWith(chat(SIGNED_IN, SIGNED_IN, 'cv_chat')), recipient, 'cv_mail'),
    ).toEqual(SIGNED_IN);
  });

  it('reaches an anonymous visitor in a conversation they wrote in', async () => {
    expect(
      await webchatAddress(storeWith(chat(STRANGER, STRANGER, 'cv_mail')), recipient, 'cv_mail'),
    ).toEqual(STRANGER);
  });
});

describe('defaultedDestination: a reply naming no channel whose default is a stranger’s chat', () => {
  const choice = { channel: 'webchat' as Channel, named: false, check: (channel: Channel) => channel };

  it('goes by email, whether the stranger wrote in the conversation or not', async () => {
    for (const conversation of ['cv_mail', 'cv_chat']) {
      const store = storeWith(chat(STRANGER, STRANGER, conversation));
      const out = await defaultedDestination(store, recipient, choice, 'cv_mail');
      expect([out.channel, out.to]).toEqual(['email', VERA_MAIL]);
    }
  });

  it('keeps the chat when it is named, when it is answered (the AI), or when it is vouched for', async () => {
    const own = chat(STRANGER, STRANGER, 'cv_mail');
    const named = await defaultedDestination(
      storeWith(own),
      recipient,
      { ...choice, named: true },
      'cv_mail',
    );
    expect([named.channel, named.to]).toEqual(['webchat', STRANGER]);
    const answered = await defaultedDestination(
      storeWith(own),
      { ...recipient, answering: own },
      choice,
      'cv_mail',
    );
    expect([answered.channel, answered.to]).toEqual(['webchat', STRANGER]);
    const verified = chat(VERA_MAIL, SIGNED_IN, 'cv_chat');
    const signedIn = await defaultedDestination(storeWith(verified), recipient, choice, 'cv_mail');
    expect([signedIn.channel, signedIn.to]).toEqual(['webchat', SIGNED_IN]);
  });

  it('keeps the refusal of a named chat that did not write in the conversation', async () => {
    const elsewhere = storeWith(chat(STRANGER, STRANGER, 'cv_chat'));
    await expect(
      defaultedDestination(elsewhere, recipient, { ...choice, named: true }, 'cv_mail'),
    ).rejects.toMatchObject(refusal);
  });
});
