import { describe, expect, it } from 'vitest';
import { threadParents } from '#shared/domain/conversation.js';
import { isOwnMail, otherReplyTos, replyEmail } from '#shared/domain/email-reply.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { inboundText } from '../../fakes/envelopes.js';

/** An inbound email on the timeline with these `data` fields. */
const mail = (data: Record<string, unknown>, at = '2026-03-01T10:00:00.000Z'): TimelineItem => ({
  id: `email:${at}`,
  customerId: 'cu_1',
  conversationId: 'cv_1',
  channel: 'email',
  at,
  type: 'message',
  direction: 'inbound',
  attachments: [],
  data,
});

describe('replyEmail', () => {
  it('keeps the thread’s subject when the mail answered has none (its client dropped it)', () => {
    const email = replyEmail([mail({ messageId: '<b@x>', threadSubject: 'Parcel 77 never came' })]);
    expect(email).toMatchObject({ subject: 'Parcel 77 never came', inReplyTo: '<b@x>' });
  });

  it('cuts a long subject to 998 characters without cutting an emoji in half', () => {
    const subject = replyEmail([mail({ subject: `a${'😀'.repeat(600)}` })])?.subject ?? '';
    expect(subject).not.toMatch(/\p{Cs}/u);
    expect(subject).toBe(`a${'😀'.repeat(498)}`);
  });

  it('names the business when no mail of the thread had a subject, and never answers an empty one', () => {
    expect(replyEmail([mail({ messageId: '<a@x>' })], 'Parcel Shop')?.subject).toBe(
      'Your message to Parcel Shop',
    );
    expect(replyEmail([mail({ subject: '  ' })])?.subject).toBe('Your message');
    expect(replyEmail([], '  ')?.subject).toBe('Your message');
  });

  it('continues References with the parent’s own Message-ID', () => {
    const email = replyEmail([mail({ subject: 's', messageId: '<c@x>', references: ['<a@x>', '<b@x>'] })]);
    expect(email).toMatchObject({ inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] });
  });
});

describe('threadParents', () => {
  it('looks up In-Reply-To, then up to nine References newest first', () => {
    const references = Array.from({ length: 14 }, (_, n) => `<r${n}@x>`);
    const envelope = inboundText({ data: { inReplyTo: '<unknown@x>', references } });
    const email = { ...envelope, channel: 'email' as const, provider: 'ses' as const };
    // Before, only the In-Reply-To and four References: our reply, sixth from the end, was never read.
    expect(threadParents(email)).toEqual(['<unknown@x>', ...references.slice(-9).reverse()]);
  });
});

describe('isOwnMail', () => {
  it("is the customer's own mail unless automatic, list or quarantined", () => {
    expect(isOwnMail(mail({ subject: 'Wrong size' }))).toBe(true);
    expect(isOwnMail(mail({ autoReply: false, listMail: false }))).toBe(true);
    expect(isOwnMail({})).toBe(true);
    expect(isOwnMail(mail({ autoReply: true }))).toBe(false);
    expect(isOwnMail(mail({ listMail: true }))).toBe(false);
    expect(isOwnMail(mail({ quarantined: true }))).toBe(false);
  });
});

describe('otherReplyTos', () => {
  const form = (replyTo: string | undefined, from = 'noreply@forms.example') => ({
    ...mail(replyTo ? { replyToAddresses: [replyTo] } : {}),
    from: { kind: 'email' as const, value: from },
  });

  it("names the other Reply-To addresses the newest mail's sender named before, at most three", () => {
    const newest = form('Bob@Visitor.example');
    expect(otherReplyTos(newest, [form('alice@visitor.example'), form('bob@visitor.example')])).toEqual([
      'alice@visitor.example',
    ]);
    const many = ['a', 'b', 'c', 'd'].map((n) => form(`${n}@visitor.example`));
    expect(otherReplyTos(newest, many)).toHaveLength(3);
  });

  it('names none for another sender, mail without Reply-To, or a newest mail without one', () => {
    expect(
      otherReplyTos(form('bob@visitor.example'), [form('alice@visitor.example', 'pat@ex.test')]),
    ).toEqual([]);
    expect(otherReplyTos(form('bob@visitor.example'), [form(undefined)])).toEqual([]);
    expect(otherReplyTos(form(undefined), [form('alice@visitor.example')])).toEqual([]);
  });
});
