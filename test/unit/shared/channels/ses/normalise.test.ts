import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { MAX_INLINE_MIME_BYTES, MAX_TEXT_BYTES, sesS3Location } from '#shared/channels/ses/received.js';
import { SUPPRESSION_EVENT } from '#shared/channels/ses/sending.js';
import type { Envelope, MessageEnvelope } from '#shared/domain/envelope.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { ValidationError } from '#shared/errors.js';

const fixturePath = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url);
/** The first 32 hex digits of a SHA-256, as a suppression's id holds its recipient. */
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const json = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fixturePath(`ses/${name}`), 'utf8'));
const eml = (name: string): Buffer => readFileSync(fixturePath(`email/peer-${name}.eml`));

const CTX: SesNormaliseContext = {
  receivedAt: '2025-06-08T21:00:00.000Z',
  snsMessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe',
};
const S3_ALERT = json('received_s3_action.json');
const SNS_ACTION = json('received_sns_action.json');

/** The S3-action notification for a peer email: SES stored `name`.eml and told us where. */
async function receive(name: string, change: (n: Record<string, unknown>) => void = () => {}) {
  const notification = structuredClone(S3_ALERT);
  // The documented example's headers describe another mail: the peer email's own are in its MIME.
  const mail = notification.mail as Record<string, unknown>;
  delete mail.headers;
  delete mail.commonHeaders;
  change(notification);
  return normaliseSesNotification(notification, CTX, eml(name));
}

function onlyMessage(envelopes: Envelope[]): MessageEnvelope {
  expect(envelopes).toHaveLength(1);
  const [envelope] = envelopes;
  if (envelope?.kind !== 'message') throw new Error(`expected a message, got ${envelope?.kind}`);
  return envelope;
}

const receipt = (n: Record<string, unknown>) => n.receipt as Record<string, unknown>;

describe('normaliseSesNotification: received peer emails', () => {
  it.each([
    {
      file: 'only_text',
      customer: 'text@example.com',
      profileName: undefined,
      text: 'text only mail',
      subject: 'test text only mail',
      messageId: '<6215e5ca3e3b2_10bc6197e4224d1@tejaswinis-MacBook-Pro.local.mail>',
      attachments: [],
    },
    {
      file: 'only_html',
      customer: 'tejaswini@ex.com',
      profileName: undefined,
      text: 'This is html only mail',
      subject: 'test html only mail',
      messageId: '<6215d71711c38_10bc61914022323@tejaswinis-MacBook-Pro.local.mail>',
      attachments: [],
    },
    {
      file: 'html_and_attachments',
      customer: 'tejaswini@example.com',
      profileName: undefined,
      text: 'This is html and attachments only mail',
      subject: 'attachment with html',
      messageId: '<6215d6ad2a3c9_10bc619140221a@tejaswinis-MacBook-Pro.local.mail>',
      attachments: [
        { kind: 'image', filename: '1610894557447.jpg', mimeType: 'image/jpeg', sizeBytes: 172081 },
      ],
    },
    {
      file: 'non_utf_encoded_mail',
      customer: 'example@gmail.com',
      profileName: 'متجر سوق نت',
      text: 'أنظروا، أنا أحتاجها فقط لتقوم بالتدقيق في مقالتي الشخصية',
      subject: 'أهلين عميلنا الكريم',
      messageId: '<CAEjnyt3uiyywAF3SrJzEedMRV5H5XG4aYvFrGdFwxtuGoRCc0w@mail.gmail.com>',
      attachments: [],
    },
    {
      file: 'support_without_sender_name',
      customer: 'sony@chatwoot.com',
      profileName: undefined,
      text: "Let's talk about these images:",
      subject: "Discussion: Let's debate these attachments",
      messageId: '<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>',
      attachments: [
        { kind: 'image', filename: 'avatar1.jpeg', mimeType: 'image/jpg', sizeBytes: 20535 },
        { kind: 'image', filename: 'avatar2.jpg', mimeType: 'image/jpg', sizeBytes: 12686 },
      ],
    },
    {
      file: 'support_uppercase',
      customer: 'sony@chatwoot.com',
      profileName: 'Sony Mathew',
      text: "Let's talk about these images:",
      subject: "Discussion: Let's debate these attachments",
      messageId: '<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>',
      attachments: [
        { kind: 'image', filename: 'avatar1.jpeg', mimeType: 'image/jpg', sizeBytes: 20535 },
        { kind: 'image', filename: 'avatar2.jpg', mimeType: 'image/jpg', sizeBytes: 12686 },
      ],
    },
    {
      file: 'mail_with_no_subject',
      customer: 'sony@chatwoot.com',
      profileName: 'Sony Mathew',
      text: "Let's talk about these images:",
      subject: undefined,
      messageId: '<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>',
      attachments: [
        { kind: 'image', filename: 'avatar1.jpeg', mimeType: 'image/jpg', sizeBytes: 20535 },
        { kind: 'image', filename: 'avatar2.jpg', mimeType: 'image/jpg', sizeBytes: 12686 },
      ],
    },
    {
      file: 'mail_with_inline_images',
      customer: 'sony@chatwoot.com',
      profileName: 'Sony Mathew',
      text: 'HTML content and inline images\n[image: poster (8).jpg][image: poster (7).jpg][image: poster (1).jpg]',
      subject: 'New inline image test email conversation',
      messageId: '<CAFkiBVzURp=z2g5nAevAtdQvFfxkLrpvTeDFcwFaGQhdo_-Mkg@mail.gmail.com>',
      attachments: [
        { kind: 'image', filename: 'poster (8).jpg', mimeType: 'image/jpeg', sizeBytes: 0 },
        { kind: 'image', filename: 'poster (7).jpg', mimeType: 'image/jpeg', sizeBytes: 0 },
        { kind: 'image', filename: 'poster (1).jpg', mimeType: 'image/jpeg', sizeBytes: 0 },
      ],
    },
  ])('reads $file: sender, text, subject and attachments', async (row) => {
    const envelope = onlyMessage((await receive(row.file)).envelopes);
    expect(envelope).toMatchObject({
      id: 'ses:msg:d6iitobk75ur44p8kdnnp7g2n800',
      provider: 'ses',
      channel: 'email',
      direction: 'inbound',
      providerMessageId: 'd6iitobk75ur44p8kdnnp7g2n800',
      account: 'recipient@example.com',
      customer: { kind: 'email', value: row.customer },
      contentType: 'text',
      text: row.text,
      attachments: row.attachments,
    });
    expect(envelope.profileName).toBe(row.profileName);
    expect(envelope.data?.subject).toBe(row.subject);
    expect(envelope.data?.messageId).toBe(row.messageId);
    expect(envelope.data?.fullText).toBeUndefined();
  });

  it.each([
    {
      file: 'mail_with_quote',
      text: 'Yes, I am providing you step how to reproduce this issue',
      quoted: '> Any update on this?',
    },
    {
      file: 'multiple_attachments',
      text:
        'Attaching 30 files:\n\nHi people!\n\nWe are excited to inform you that we have recently released some new\n' +
        'features and several updates to our platform. These features and updates\nare designed to enhance your ' +
        'experience and make your trading journey\nseamless and efficient.',
      quoted: '> Okay noted',
    },
  ])('keeps only the new text of $file in text, and the whole body in data.fullText', async (row) => {
    const envelope = onlyMessage((await receive(row.file)).envelopes);
    expect(envelope.text).toBe(row.text);
    expect(envelope.data?.fullText).toEqual(expect.stringContaining(row.text));
    expect(envelope.data?.fullText).toEqual(expect.stringContaining(row.quoted));
  });

  it('keeps what an Outlook forward carries in its text (FW: subject)', async () => {
    const notification = structuredClone(S3_ALERT);
    const mail = notification.mail as Record<string, unknown>;
    delete mail.headers;
    delete mail.commonHeaders;
    const mime = readFileSync(fixturePath('email/outlook-forward.eml'));
    const envelope = onlyMessage((await normaliseSesNotification(notification, CTX, mime)).envelopes);
    expect(envelope.data?.subject).toBe('FW: Your parcel could not be delivered');
    expect(envelope.text).toContain('Hi, please see below. What should I do?');
    expect(envelope.text).toContain('Pick it up at Main St 5 before December 10');
    expect(envelope.data?.fullText).toBeUndefined();
  });

  it('drops the two-line Gmail attribution with the quote', async () => {
    const envelope = onlyMessage((await receive('mail_with_quote')).envelopes);
    expect(envelope.text).not.toContain('wrote:');
    expect(envelope.data?.fullText).toContain(
      'On Thu, Aug 19, 2021 at 2:07 PM Tejaswini from Email sender test <\ntejaswini@chatwoot.com> wrote:',
    );
  });

  it.each([
    {
      file: 'mail_with_quote',
      inReplyTo: '<0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com>',
      references: [
        '<CAFkiBVxGoURoqdkY-O_25F-8b41kb-GWBc6hh4Djd5ynwOikXA@mail.gmail.com>',
        '<0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com>',
      ],
    },
    {
      file: 'reply',
      inReplyTo: '<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>',
      references: ['<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>'],
    },
    {
      file: 'in_reply_to',
      inReplyTo: '<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>',
      references: ['<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>'],
    },
    {
      file: 'references',
      inReplyTo: '<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>',
      references: ['<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>', '<test-reference-id>'],
    },
    {
      // A second parent in In-Reply-To goes after the References, so thread lookups still see it.
      file: 'multiple_in_reply_to',
      inReplyTo: '<4e6e35f5a38b4_479f13bb90078171@small-app-01.mail>',
      references: [
        '<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>',
        '<4e6e35f5a38b4_479f13bb90078131@small-app-01.mail>',
      ],
    },
    { file: 'only_text', inReplyTo: undefined, references: undefined },
  ])('carries the threading headers of $file', async (row) => {
    const { data } = onlyMessage((await receive(row.file)).envelopes);
    expect(data?.inReplyTo).toBe(row.inReplyTo);
    expect(data?.references).toEqual(row.references);
  });

  it.each([
    ['auto_reply', 'X-Autoreply: yes'],
    ['non_utf_encoded_mail', 'Auto-Submitted: auto-replied, Precedence: bulk'],
    ['bounced_gmail', 'a multipart/report delivery report'],
  ])('flags %s as an auto-reply (%s)', async (file) => {
    expect(onlyMessage((await receive(file)).envelopes).data?.autoReply).toBe(true);
  });

  // RFC 5321 §4.5.5 and RFC 3834 §2: mail sent with a null reverse-path (MAIL FROM:<>) is a
  // notification (a bounce, a read receipt) and is never answered; a plain-text bounce such as
  // qmail's marks nothing else. Before, it opened a conversation waiting for an agent, its clock running.
  it.each([
    [
      'an empty envelope sender',
      (n: Record<string, unknown>) => ((n.mail as Record<string, unknown>).source = ''),
    ],
    [
      'the envelope sender <>',
      (n: Record<string, unknown>) => ((n.mail as Record<string, unknown>).source = '<>'),
    ],
    ['a From of MAILER-DAEMON', () => {}],
  ])('flags a plain-text bounce with %s as automatic', async (_name, change) => {
    const notification = structuredClone(S3_ALERT);
    const mail = notification.mail as Record<string, unknown>;
    delete mail.headers;
    delete mail.commonHeaders;
    change(notification);
    const mime = readFileSync(fixturePath('email/qmail-bounce.eml'));
    const envelope = onlyMessage((await normaliseSesNotification(notification, CTX, mime)).envelopes);
    expect(envelope.data?.autoReply).toBe(true);
  });

  it('flags mail whose Return-Path is <> as automatic, whoever it is from', async () => {
    const envelope = onlyMessage(
      (
        await receive('only_text', (n) => {
          (n.mail as Record<string, unknown>).source = undefined;
        })
      ).envelopes,
    );
    expect(envelope.data?.autoReply).toBeUndefined();
    const notification = structuredClone(S3_ALERT);
    const mail = notification.mail as Record<string, unknown>;
    delete mail.headers;
    delete mail.commonHeaders;
    const mime = Buffer.concat([Buffer.from('Return-Path: <>\r\n'), eml('only_text')]);
    const nulled = onlyMessage((await normaliseSesNotification(notification, CTX, mime)).envelopes);
    expect(nulled.data?.autoReply).toBe(true);
  });

  /** only_text as sent From `from`, with `headers` added on top (a `To` among them replaces its own). */
  async function onlyTextFrom(from: string, headers: string[] = []) {
    const notification = structuredClone(S3_ALERT);
    const mail = notification.mail as Record<string, unknown>;
    delete mail.headers;
    delete mail.commonHeaders;
    const given = new Set(headers.map((h) => h.slice(0, h.indexOf(':')).toLowerCase()));
    const original = eml('only_text')
      .toString('latin1')
      .replace('From: text@example.com', `From: ${from}`)
      .split('\n')
      .filter((line) => !given.has(line.slice(0, Math.max(0, line.indexOf(':'))).toLowerCase()))
      .join('\n');
    const mime = Buffer.from([...headers, original].join('\r\n'), 'latin1');
    return onlyMessage((await normaliseSesNotification(notification, CTX, mime)).envelopes);
  }

  // Before, mail from a no-reply sender (a shop's order confirmation, a portal's notice) opened a
  // conversation waiting for an agent, its clock running, and the AI answered an address no one reads.
  it.each([
    'no-reply@shop.example',
    'Orders <noreply@shop.example>',
    'NoReply+orders@shop.example',
    'do-not-reply@bank.example',
    'donotreply_alerts@bank.example',
    'postmaster@mx.example',
    'Mail Delivery System <MAILER-DAEMON@mx.example>',
  ])('flags mail from the machine sender %s as automatic', async (from) => {
    expect((await onlyTextFrom(from)).data?.autoReply).toBe(true);
  });

  it.each(['Precedence: junk', 'Precedence: bulk|Subject: Out of Office: back Monday'])(
    'flags mail with %s as automatic',
    async (header) => {
      expect((await onlyTextFrom('text@example.com', header.split('|'))).data?.autoReply).toBe(true);
    },
  );

  // QA: a customer's Jira relayed a person's comment marked `auto-generated` and `bulk`, a Google Group
  // added List-* fields: filed as automatic, it waited for no one. It waits for a person now (never the AI).
  it.each([
    ['a ticketing system', ['Auto-Submitted: auto-generated', 'Precedence: bulk']],
    ['a group mailbox', ['List-Unsubscribe: <mailto:unsubscribe@news.example>']],
  ])('marks mail %s sent for a person as automated, not as an auto-reply', async (_name, headers) => {
    const { data } = await onlyTextFrom('text@example.com', headers);
    expect(data?.autoReply).toBeUndefined();
    expect(data?.automated).toBe(true);
  });

  it('marks the peer mail that is only `auto-generated` as automated', async () => {
    const { data } = onlyMessage((await receive('auto_reply_with_auto_submitted')).envelopes);
    expect(data).toMatchObject({ automated: true });
    expect(data?.autoReply).toBeUndefined();
  });

  // QA: a reply-all from a phone puts the original sender in To beside our address; only the Cc was
  // kept, so the agent never saw that Alice got the mail.
  it('keeps the other To addresses, not the sender nor ours, beside the Cc', async () => {
    const envelope = await onlyTextFrom('Bob <bob@acme.example>', [
      'To: Alice <alice@acme.example>, Support <RECIPIENT@example.com>, bob@acme.example',
      'Cc: Carol <carol@acme.example>',
    ]);
    expect(envelope.data?.toAddresses).toEqual(['alice@acme.example']);
    expect(envelope.data?.ccAddresses).toEqual(['carol@acme.example']);
  });

  // Exchange writes it on a person's mail to a distribution list (one that includes support's
  // address): it asks that nothing answer automatically, it does not say a machine wrote the mail.
  it('does not take X-Auto-Response-Suppress for automatic mail', async () => {
    const envelope = await onlyTextFrom('text@example.com', ['X-Auto-Response-Suppress: All']);
    expect(envelope.data?.autoReply).toBeUndefined();
  });

  it.each([
    'noreen.reply@example.com',
    'noreplies-here@example.com',
    'replies@example.com',
    'post.master.chef@example.com',
  ])('leaves a person’s address such as %s alone', async (from) => {
    expect((await onlyTextFrom(from)).data?.autoReply).toBeUndefined();
  });

  it.each(['only_text', 'reply', 'mail_with_quote'])('does not flag %s as an auto-reply', async (file) => {
    expect(onlyMessage((await receive(file)).envelopes).data?.autoReply).toBeUndefined();
  });

  it('lists the attachments of a mail without text and takes its content type from them', async () => {
    const envelope = onlyMessage((await receive('attachments_without_text')).envelopes);
    expect(envelope.text).toBeUndefined();
    expect(envelope.contentType).toBe('image');
    expect(envelope.attachments).toEqual([
      { kind: 'image', filename: '1kb.png', mimeType: 'image/png', sizeBytes: 1049 },
      { kind: 'image', filename: '1kb.png', mimeType: 'image/png', sizeBytes: 1049 },
    ]);
  });

  it('lists a delivery report attached as message/rfc822 as a file', async () => {
    const envelope = onlyMessage((await receive('bounced_gmail')).envelopes);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'mailer-daemon@googlemail.com' });
    expect(envelope.attachments).toContainEqual({ kind: 'file', mimeType: 'message/rfc822', sizeBytes: 514 });
  });

  it('rejects a mail whose From has no address, naming no value', async () => {
    const result = await receive('bounced_with_no_from');
    expect(result.envelopes).toEqual([]);
    expect(result.rejected).toEqual([
      { pointer: '', reason: 'received email without a usable From address' },
    ]);
  });

  it('references the S3 object and keeps the MIME out of the envelope', async () => {
    const envelope = onlyMessage((await receive('reply')).envelopes);
    expect(envelope.data?.s3).toEqual({
      bucket: 'my-S3-bucket',
      key: 'inbound/d6iitobk75ur44p8kdnnp7g2n800',
    });
    expect(envelope.data?.mimeBytes).toBe(eml('reply').byteLength);
    expect(JSON.stringify(envelope)).not.toContain('/9j/4AAQSkZJRg');
  });

  it('lists every recipient of ours when the rule matched several, and takes the first as account', async () => {
    const envelope = onlyMessage(
      (await receive('only_text', (n) => (receipt(n).recipients = ['Care@Example.com', 'sales@example.com'])))
        .envelopes,
    );
    expect(envelope.account).toBe('care@example.com');
    expect(envelope.data?.recipients).toEqual(['care@example.com', 'sales@example.com']);
  });

  it('keeps the one address of ours the mail reached too, so agents see which brand address was written to', async () => {
    // Before, `recipients` was kept only when the rule matched several.
    const envelope = onlyMessage(
      (await receive('only_text', (n) => (receipt(n).recipients = ['Orders@Brand-Two.example']))).envelopes,
    );
    expect(envelope.data?.recipients).toEqual(['orders@brand-two.example']);
  });

  it("marks SES's own time as the provider's, and takes the time of receipt when it does not parse", async () => {
    expect(onlyMessage((await receive('only_text')).envelopes).providerTime).toBe(true);
    const envelope = onlyMessage(
      (
        await receive('only_text', (n) => {
          (n.mail as Record<string, unknown>).timestamp = 'soon';
        })
      ).envelopes,
    );
    expect(envelope.occurredAt).toBe(CTX.receivedAt);
    expect(envelope.providerTime).toBeUndefined();
  });

  it('yields the same envelopes for a redelivery', async () => {
    expect(await receive('mail_with_quote')).toEqual(await receive('mail_with_quote'));
  });
});

describe('normaliseSesNotification: bodies that lost text before', () => {
  it('keeps the text of an HTML-only mail laid out in tables, not only its footer', async () => {
    const envelope = onlyMessage((await receive('notification')).envelopes);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'accounts@chatwoot.com' });
    expect(envelope.text).toContain('Hi Sojan,');
    expect(envelope.text).toContain('A new conversation has been assigned to you');
    expect(envelope.text).toContain('— Team Chatwoot');
  });

  it('cuts a text part at the boundary of its enclosing multipart when its own multipart is not closed', async () => {
    const envelope = onlyMessage((await receive('mail_with_plain_text_and_inline_image')).envelopes);
    expect(envelope.text).toContain("Let's add no HTML content here, just plain text and images");
    expect(envelope.text).toContain('Software developer');
    expect(envelope.text).not.toContain('0000000000007a538405fcfa5967');
    expect(envelope.text).not.toContain('Content-Type');
  });
});

describe('normaliseSesNotification: SES receipt details', () => {
  it('reads the inline content of an SNS action (the documented example)', async () => {
    const envelope = onlyMessage((await normaliseSesNotification(SNS_ACTION, CTX)).envelopes);
    expect(envelope).toMatchObject({
      id: 'ses:msg:d6iitobk75ur44p8kdnnp7g2n800',
      account: 'recipient@example.com',
      occurredAt: '2015-09-11T20:32:33.936Z',
      providerTime: true,
      receivedAt: CTX.receivedAt,
      rawRef: `ses:sns:${CTX.snsMessageId}#`,
      customer: { kind: 'email', value: 'sender@example.com' },
      text: 'Example content',
      data: {
        subject: 'Example subject',
        messageId: '<61967230-7A45-4A9D-BEC9-87CBCF2211C9@example.com>',
        verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS' },
      },
    });
    expect(envelope.data?.s3).toBeUndefined();
    expect(envelope.data?.quarantined).toBeUndefined();
    // Small enough to keep verbatim.
    expect(envelope.raw).toEqual(SNS_ACTION);
  });

  it('decodes Base64 content when the SNS action says so', async () => {
    const notification = structuredClone(SNS_ACTION);
    notification.content = eml('non_utf_encoded_mail').toString('base64');
    (receipt(notification).action as Record<string, unknown>).encoding = 'BASE64';
    const envelope = onlyMessage((await normaliseSesNotification(notification, CTX)).envelopes);
    expect(envelope.text).toBe('أنظروا، أنا أحتاجها فقط لتقوم بالتدقيق في مقالتي الشخصية');
    expect(envelope.profileName).toBe('متجر سوق نت');
  });

  it('drops large inline MIME from raw, keeping its size', async () => {
    const notification = structuredClone(SNS_ACTION);
    const content = eml('reply').toString('utf8');
    expect(content.length).toBeGreaterThan(MAX_INLINE_MIME_BYTES);
    notification.content = content;
    const envelope = onlyMessage((await normaliseSesNotification(notification, CTX)).envelopes);
    expect(envelope.raw).not.toHaveProperty('content');
    expect(envelope.raw).toHaveProperty('mail.messageId', 'd6iitobk75ur44p8kdnnp7g2n800');
    expect(envelope.data?.mimeBytes).toBe(Buffer.byteLength(content));
  });

  it("builds the envelope from SES's headers when the MIME is not at hand", async () => {
    const envelope = onlyMessage((await normaliseSesNotification(S3_ALERT, CTX)).envelopes);
    expect(envelope).toMatchObject({
      customer: { kind: 'email', value: 'sender@example.com' },
      contentType: 'text',
      data: {
        subject: 'Example subject',
        messageId: '<61967230-7A45-4A9D-BEC9-87CBCF2211C9@example.com>',
        bodyUnavailable: true,
        s3: { bucket: 'my-S3-bucket', key: 'inbound/d6iitobk75ur44p8kdnnp7g2n800' },
      },
    });
    expect(envelope.text).toBeUndefined();
  });

  it.each([
    ['spam FAIL', { spamVerdict: { status: 'FAIL' } }, true],
    ['virus FAIL', { virusVerdict: { status: 'FAIL' } }, true],
    ['DMARC FAIL under a reject policy', { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'reject' }, true],
    [
      'DMARC FAIL under a quarantine policy',
      { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'quarantine' },
      true,
    ],
    ['DMARC FAIL under a none policy', { dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'none' }, false],
    ['SPF FAIL alone', { spfVerdict: { status: 'FAIL' } }, false],
    ['spam GRAY', { spamVerdict: { status: 'GRAY' } }, false],
  ])('still yields a message for %s, quarantined: %s', async (_name, verdicts, quarantined) => {
    const envelope = onlyMessage(
      (await receive('only_text', (n) => Object.assign(receipt(n), verdicts))).envelopes,
    );
    expect(envelope.text).toBe('text only mail');
    expect(envelope.data?.quarantined).toBe(quarantined ? true : undefined);
    expect(envelope.data?.verdicts).toMatchObject(
      Object.fromEntries(
        Object.entries(verdicts).map(([key, value]) => [
          key === 'dmarcPolicy' ? key : key.replace('Verdict', ''),
          typeof value === 'string' ? value : value.status,
        ]),
      ),
    );
  });

  it('caps text at MAX_TEXT_BYTES and says so', async () => {
    const body = `${'Lorem ipsum dolor sit amet, ünïcödé. '.repeat(3000)}\n`;
    const mime = Buffer.from(
      `From: Big Sender <big@example.com>\r\nTo: care@example.com\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`,
    );
    const envelope = onlyMessage((await normaliseSesNotification(S3_ALERT, CTX, mime)).envelopes);
    expect(Buffer.byteLength(envelope.text ?? '')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(Buffer.byteLength(envelope.text ?? '')).toBeGreaterThan(MAX_TEXT_BYTES - 4);
    expect(envelope.text).not.toContain('\uFFFD');
    expect(envelope.data?.truncated).toBe(true);
  });
});

describe('sesS3Location', () => {
  it('finds the object of an S3 action', () => {
    expect(sesS3Location(S3_ALERT)).toEqual({
      bucket: 'my-S3-bucket',
      key: 'inbound/d6iitobk75ur44p8kdnnp7g2n800',
    });
  });

  it.each([
    ['an SNS action with inline content', SNS_ACTION],
    ['a bounce', json('bounce_permanent_dsn.json')],
    ['something else', { Message: 'Hello world!' }],
  ])('finds nothing for %s', (_name, notification) => {
    expect(sesS3Location(notification)).toBeUndefined();
  });
});

describe('normaliseSesNotification: sending events', () => {
  it('fails the message and suppresses the address for a permanent bounce', async () => {
    const result = await normaliseSesNotification(json('bounce_permanent_dsn.json'), CTX);
    const sesId = '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000';
    const error = {
      code: 'bounce:Permanent:General',
      title: 'Permanent bounce (General)',
      message: 'smtp; 550 5.1.1 <jane@example.com>... User',
    };
    expect(result.rejected).toEqual([]);
    expect(result.envelopes).toEqual([
      expect.objectContaining({
        id: `ses:status:${sesId}:failed:jane@example.com`,
        kind: 'status',
        provider: 'ses',
        channel: 'email',
        account: 'john@example.com',
        providerMessageId: sesId,
        status: 'failed',
        customer: { kind: 'email', value: 'jane@example.com' },
        occurredAt: '2016-01-27T14:59:38.237Z',
        rawRef: `ses:sns:${CTX.snsMessageId}#/bounce/bouncedRecipients/0`,
        errors: [error],
      }),
      expect.objectContaining({
        // The address only as a SHA-256 with the mail's id: the reference an erasure marks names nobody.
        id: `ses:suppressed:${sesId}:bounce:${digest(`${sesId}\njane@example.com`)}`,
        kind: 'system',
        event: SUPPRESSION_EVENT,
        providerMessageId: sesId,
        customer: { kind: 'email', value: 'jane@example.com' },
        errors: [error],
      }),
    ]);
  });

  it('reports every bounced recipient of a notification', async () => {
    const { envelopes } = await normaliseSesNotification(json('bounce_permanent_no_dsn.json'), CTX);
    expect(envelopes.map((e) => [e.kind, 'customer' in e ? e.customer?.value : undefined])).toEqual([
      ['status', 'jane@example.com'],
      ['system', 'jane@example.com'],
      ['status', 'richard@example.com'],
      ['system', 'richard@example.com'],
    ]);
    const suppressions = envelopes.filter((e) => e.kind === 'system').map((e) => e.id);
    expect(new Set(suppressions).size).toBe(2);
    for (const id of suppressions) expect(id).not.toMatch(/jane|richard|@/);
  });

  it('only suppresses a bounced address the reply copied (Cc): the reply reached its To', async () => {
    const notice = json('bounce_permanent_dsn.json') as { mail: { commonHeaders: Record<string, unknown> } };
    notice.mail.commonHeaders.to = ['Ada <ada@example.com>'];
    notice.mail.commonHeaders.cc = ['"Jane Doe" <JANE@example.com>, Mary <mary@example.com>'];
    const { envelopes } = await normaliseSesNotification(notice, CTX);
    expect(envelopes.map((e) => [e.kind, e.customer?.value])).toEqual([['system', 'jane@example.com']]);
  });

  it("carries the reply's key from a tagged bounce to its suppression, for the sent mail's customer", async () => {
    const key = encodeReplyKey({ customerId: 'cu_1', at: '2016-01-27T14:59:30.000Z', replyId: 'rp_1' });
    const { notificationType, mail, ...rest } = json('bounce_permanent_dsn.json');
    const tags = { 'ses:configuration-set': ['threadline-events'], 'threadline-reply': [key] };
    const tagged = { eventType: notificationType, ...rest, mail: { ...(mail as object), tags } };
    const { envelopes } = await normaliseSesNotification(tagged, CTX);
    expect(envelopes.map((e) => [e.kind, 'replyKey' in e ? e.replyKey : undefined])).toEqual([
      ['status', key],
      ['system', key],
    ]);
  });

  it.each(['Transient', 'Undetermined'])(
    'fails the message without suppressing for a %s bounce',
    async (type) => {
      const notification = json('bounce_permanent_dsn.json');
      Object.assign(notification.bounce as object, { bounceType: type, bounceSubType: 'General' });
      const { envelopes } = await normaliseSesNotification(notification, CTX);
      expect(envelopes).toEqual([
        expect.objectContaining({
          kind: 'status',
          status: 'failed',
          errors: [expect.objectContaining({ code: `bounce:${type}:General` })],
        }),
      ]);
    },
  );

  it('marks the message delivered and suppresses the address for a complaint', async () => {
    const sesId = '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000';
    const { envelopes } = await normaliseSesNotification(json('complaint_feedback_report.json'), CTX);
    expect(envelopes).toEqual([
      expect.objectContaining({
        id: `ses:status:${sesId}:delivered:richard@example.com`,
        kind: 'status',
        status: 'delivered',
        customer: { kind: 'email', value: 'richard@example.com' },
      }),
      expect.objectContaining({
        id: `ses:suppressed:${sesId}:complaint:${digest(`${sesId}\nrichard@example.com`)}`,
        kind: 'system',
        event: SUPPRESSION_EVENT,
        errors: [{ code: 'complaint:abuse', title: 'Complaint' }],
      }),
    ]);
  });

  it('suppresses on a complaint without a feedback report', async () => {
    const { envelopes } = await normaliseSesNotification(json('complaint_no_feedback_report.json'), CTX);
    expect(envelopes[1]).toMatchObject({ kind: 'system', errors: [{ code: 'complaint:unspecified' }] });
  });

  it('does not suppress on a not-spam feedback report', async () => {
    const notification = json('complaint_feedback_report.json');
    Object.assign(notification.complaint as object, { complaintFeedbackType: 'not-spam' });
    const { envelopes } = await normaliseSesNotification(notification, CTX);
    expect(envelopes.map((e) => e.kind)).toEqual(['status']);
  });

  it('marks each recipient of a delivery delivered, with the id a complaint would give', async () => {
    const sesId = '0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000';
    const { envelopes } = await normaliseSesNotification(json('delivery.json'), CTX);
    expect(envelopes).toEqual([
      expect.objectContaining({
        id: `ses:status:${sesId}:delivered:jane@example.com`,
        status: 'delivered',
        occurredAt: '2016-01-27T14:59:38.237Z',
        rawRef: `ses:sns:${CTX.snsMessageId}#/delivery/recipients/0`,
      }),
    ]);
    // The original headers are the mail's, not the status's.
    expect(envelopes[0]?.raw).not.toHaveProperty('mail.headers');
  });

  it('reads configuration-set events, which call the type eventType', async () => {
    const { notificationType, ...rest } = json('delivery.json');
    const withoutRaw = ({ envelopes }: { envelopes: Envelope[] }) =>
      envelopes.map(({ raw: _raw, ...e }) => e);
    const result = await normaliseSesNotification({ eventType: notificationType, ...rest }, CTX);
    expect(withoutRaw(result)).toEqual(
      withoutRaw(await normaliseSesNotification(json('delivery.json'), CTX)),
    );
    expect(result.envelopes).toHaveLength(1);
  });

  it("carries the reply's key from a configuration-set event's tags, and only a key of ours", async () => {
    const key = encodeReplyKey({ customerId: 'cu_1', at: '2016-01-27T14:59:30.000Z', replyId: 'rp_1' });
    const { notificationType, mail, ...rest } = json('delivery.json');
    const tagged = (value: string) => ({
      eventType: notificationType,
      ...rest,
      mail: {
        ...(mail as Record<string, unknown>),
        tags: { 'ses:configuration-set': ['threadline-events'], 'threadline-reply': [value] },
      },
    });
    const ours = await normaliseSesNotification(tagged(key as string), CTX);
    expect(ours.envelopes[0]).toMatchObject({ kind: 'status', status: 'delivered', replyKey: key });
    const theirs = await normaliseSesNotification(tagged('campaign-7'), CTX);
    expect(theirs.envelopes[0]).not.toHaveProperty('replyKey');
  });

  it('rejects a sending event it does not handle, without throwing', async () => {
    const { notificationType: _type, ...rest } = json('delivery.json');
    const result = await normaliseSesNotification({ eventType: 'Open', ...rest, open: {} }, CTX);
    expect(result).toEqual({
      envelopes: [],
      rejected: [{ pointer: '', reason: 'unsupported SES notification type "Open"' }],
    });
  });

  it.each([
    ['the SNS example message', 'Hello world!'],
    ['an object without mail', { notificationType: 'Bounce' }],
    ['null', null],
  ])('throws ValidationError for %s', async (_name, payload) => {
    await expect(normaliseSesNotification(payload, CTX)).rejects.toThrow(ValidationError);
  });
});

describe('normaliseSesNotification: a mail that shows nothing', () => {
  /** only_text with its subject and body replaced. */
  async function mailWith(subject: string, body: string) {
    const notification = structuredClone(S3_ALERT);
    const mail = notification.mail as Record<string, unknown>;
    delete mail.headers;
    delete mail.commonHeaders;
    const original = eml('only_text')
      .toString('utf8')
      .replace('Subject: test text only mail', `Subject: ${subject}`)
      .replace('text only mail\n', `${body}\n`)
      .replace('Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: 8bit');
    return normaliseSesNotification(notification, CTX, Buffer.from(original, 'utf8'));
  }

  it('is skipped as empty: no subject, and a body of blanks and zero-width characters', async () => {
    const { envelopes, rejected } = await mailWith('', ' \u200b\u3000\u00a0 ');
    expect(envelopes).toEqual([]);
    expect(rejected).toEqual([{ pointer: '', reason: 'empty' }]);
  });

  it('is kept when its subject says something', async () => {
    const { envelopes, rejected } = await mailWith('Refund', ' \u200b ');
    expect(rejected).toEqual([]);
    expect(onlyMessage(envelopes).data).toMatchObject({ subject: 'Refund' });
  });
});
