import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  ConfigurationSetSendingPausedException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SESClient,
  SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildRawEmail, SesSender } from '#shared/channels/ses/send.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { decodeReplyKey, replyKeyOf } from '#shared/domain/reply-key.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { mockAws } from '../../../../support/aws-mock.js';

const FROM = 'Acme Support <support@acme.example>';
const NOW = new Date('2026-03-01T12:34:56.000Z');
const UUID = '6f1c2d3e-4b5a-4c6d-8e7f-901234567890';
const OUR_MESSAGE_ID = `<${UUID}@acme.example>`;
const SES_MESSAGE_ID = '0100018e1a2b3c4d-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000';
const THEIR_FIRST = '<CAH1=first@mail.gmail.com>';
const THEIR_LAST = '<CAH2=second@mail.gmail.com>';

function outbound(overrides: Record<string, unknown> = {}): OutboundMessage {
  return OutboundMessageSchema.parse({
    id: 'reply-1',
    customerId: 'cust-1',
    conversationId: 'conv-1',
    at: '2026-03-01T12:34:00.000Z',
    channel: 'email',
    to: { kind: 'email', value: 'ada@example.com' },
    text: 'Hello Ada,\nyour parcel left our warehouse today.\n\nAcme',
    email: { subject: 'Where is my order?', inReplyTo: THEIR_LAST, references: [THEIR_FIRST, THEIR_LAST] },
    author: { kind: 'agent', id: 'agent-7' },
    ...overrides,
  });
}

const options = { from: FROM, now: NOW, messageIdFactory: () => UUID };
const mime = (message: OutboundMessage, opts = options) => Buffer.from(buildRawEmail(message, opts).raw);
const headerBlock = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
const parse = (raw: Buffer) => simpleParser(raw, { skipTextLinks: true });

describe('buildRawEmail', () => {
  it('writes an RFC 5322 reply that threads under the customer’s mail', () => {
    const email = buildRawEmail(outbound(), options);
    expect(email.messageIdHeader).toBe(OUR_MESSAGE_ID);
    expect(email.envelope).toEqual({ from: 'support@acme.example', to: 'ada@example.com', cc: [] });
    expect(Buffer.from(email.raw).toString('latin1')).toBe(
      [
        'From: "Acme Support" <support@acme.example>',
        'To: ada@example.com',
        'Subject: Re: Where is my order?',
        'Date: Sun, 01 Mar 2026 12:34:56 +0000',
        `Message-ID: ${OUR_MESSAGE_ID}`,
        `In-Reply-To: ${THEIR_LAST}`,
        `References: ${THEIR_FIRST} ${THEIR_LAST}`,
        ` ${OUR_MESSAGE_ID}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        'Hello Ada,',
        'your parcel left our warehouse today.',
        '',
        'Acme',
        '',
      ].join('\r\n'),
    );
  });

  it('copies the thread’s people in Cc and the envelope, never the customer nor our own From', async () => {
    const cc = ['bob@acme.example', 'ADA@example.com', 'support@acme.example', 'lee@bücher.example', 'bad'];
    const email = buildRawEmail(outbound({ email: { ...outbound().email, cc } }), options);
    expect(email.envelope.cc).toEqual(['bob@acme.example', 'lee@xn--bcher-kva.example']);
    expect(headerBlock(Buffer.from(email.raw))).toContain(
      '\r\nTo: ada@example.com\r\nCc: bob@acme.example, lee@xn--bcher-kva.example\r\n',
    );
    const parsed = await parse(Buffer.from(email.raw));
    const copied = parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value.map((a) => a.address) : [];
    expect(copied).toEqual(['bob@acme.example', 'lee@bücher.example']);
  });

  it('reads back as the same mail through a MIME parser', async () => {
    const parsed = await parse(mime(outbound()));
    expect(parsed.from?.value).toEqual([{ address: 'support@acme.example', name: 'Acme Support' }]);
    expect(parsed.subject).toBe('Re: Where is my order?');
    expect(parsed.messageId).toBe(OUR_MESSAGE_ID);
    expect(parsed.inReplyTo).toBe(THEIR_LAST);
    expect(parsed.references).toEqual([THEIR_FIRST, THEIR_LAST, OUR_MESSAGE_ID]);
    expect(parsed.date?.toISOString()).toBe(NOW.toISOString());
    expect(parsed.text).toBe('Hello Ada,\nyour parcel left our warehouse today.\n\nAcme\n');
  });

  it('encodes a non-ASCII subject (RFC 2047) and body (quoted-printable) as 7-bit lines', async () => {
    const subject = 'Commande n° 1234 — où est mon colis ? 配送状況について教えてください 📦';
    const text = `Bonjour Zoë,\nvotre colis est parti ✅ — à très bientôt !\n${'é'.repeat(60)} = fin`;
    const raw = mime(outbound({ text, email: { subject, inReplyTo: THEIR_LAST } }));
    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    const lines = raw.toString('latin1').split('\r\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(78);
    const head = headerBlock(raw);
    expect(head).toContain('Subject: =?UTF-8?B?');
    expect(head).toContain('Content-Transfer-Encoding: quoted-printable');
    const parsed = await parse(raw);
    expect(parsed.subject).toBe(`Re: ${subject}`);
    expect(parsed.text).toBe(`${text}\n`);
  });

  it('encodes a non-ASCII display name and an IDN domain', async () => {
    const raw = mime(outbound({ to: { kind: 'email', value: 'kunde@bücher.example' } }), {
      ...options,
      from: 'Åsa på Acme <support@acme.example>',
    });
    expect(headerBlock(raw)).toContain('To: kunde@xn--bcher-kva.example');
    const parsed = await parse(raw);
    expect(parsed.from?.value).toEqual([{ address: 'support@acme.example', name: 'Åsa på Acme' }]);
  });

  it('encodes trailing blanks and `=` in quoted-printable so they survive transport', async () => {
    const text = 'Prix = 10 € \t\nSuite';
    const raw = mime(outbound({ text }));
    expect(raw.toString('latin1')).toContain('Prix =3D 10 =E2=82=AC =09\r\nSuite');
    expect((await parse(raw)).text).toBe(`${text}\n`);
  });

  it.each([
    ['Re: Where is my order?', 'Re: Where is my order?'],
    ['RE: Where is my order?', 'Re: Where is my order?'],
    ['re : Where is my order?', 'Re: Where is my order?'],
    ['Where is my order?', 'Re: Where is my order?'],
    ['  Where\r\n is my\torder?  ', 'Re: Where is my order?'],
    ['Aw: Bestellung 12', 'Re: Bestellung 12'],
    ['SV: RE: AW: Re[2]: Order', 'Re: Order'],
    ['Antw: Bestelling', 'Re: Bestelling'],
    ['رد: طلبي 12', 'Re: طلبي 12'],
    ['ΑΠ: Παραγγελία', 'Re: Παραγγελία'],
    ['Vá: Rendelés', 'Re: Rendelés'],
    ['Re(3): Order', 'Re: Order'],
    ['Fwd: Order', 'Re: Fwd: Order'],
    ['Ref: invoice 12', 'Re: Ref: invoice 12'],
    ['Reply policy', 'Re: Reply policy'],
    ['Re:', 'Re: Your message'],
  ])('prefixes Re: once when replying: %j', async (subject, expected) => {
    const parsed = await parse(mime(outbound({ email: { subject, inReplyTo: THEIR_LAST } })));
    expect(parsed.subject).toBe(expected);
  });

  it('never sends a mail without a Subject: the thread gave none, or an empty one', () => {
    // Before, both went out with no Subject header at all.
    expect(headerBlock(mime(outbound({ email: undefined })))).toContain('\r\nSubject: Your message\r\n');
    const replying = headerBlock(mime(outbound({ email: { subject: '  ', inReplyTo: THEIR_LAST } })));
    expect(replying).toContain('\r\nSubject: Re: Your message\r\n');
  });

  it('trims a long thread’s References to its first id and the newest, ours last', async () => {
    const ids = Array.from({ length: 40 }, (_, n) => `<thread-${n}.a1b2c3d4e5f6@mail.example.org>`);
    const raw = mime(outbound({ email: { subject: 'x', inReplyTo: ids[39], references: ids } }));
    const parsed = await parse(raw);
    expect(parsed.inReplyTo).toBe(ids[39]);
    expect(parsed.references).toEqual([ids[0], ...ids.slice(-18), OUR_MESSAGE_ID]);
    // Long ids: the header stays within its character budget, the root and the newest kept.
    const long = Array.from({ length: 10 }, (_, n) => `<${String(n).repeat(800)}@mail.example.org>`);
    const trimmed = await parse(
      mime(outbound({ email: { subject: 'x', inReplyTo: long[9], references: long } })),
    );
    expect(trimmed.references).toEqual([long[0], long[7], long[8], long[9], OUR_MESSAGE_ID]);
  });

  it('starts a new thread when there is nothing to reply to: no Re:, no In-Reply-To', () => {
    const head = headerBlock(mime(outbound({ email: { subject: 'Your refund' } })));
    expect(head).toContain('Subject: Your refund\r\n');
    expect(head).not.toContain('In-Reply-To');
    expect(head).toContain(`References: ${OUR_MESSAGE_ID}\r\n`);
  });

  it('falls back to replyTo for In-Reply-To, bracketing a bare id', () => {
    const head = headerBlock(
      mime(outbound({ replyTo: 'CAH2=second@mail.gmail.com', email: { subject: 'x' } })),
    );
    expect(head).toContain(`In-Reply-To: ${THEIR_LAST}\r\n`);
    expect(head).toContain('Subject: Re: x\r\n');
  });

  it('dedupes References, keeps their order and folds a long list', async () => {
    const ids = Array.from({ length: 12 }, (_, n) => `<thread-${n}.a1b2c3d4e5f6@mail.example.org>`);
    const raw = mime(
      outbound({ email: { subject: 'x', inReplyTo: ids[11], references: [...ids, ids[3], ids[11]] } }),
    );
    const head = headerBlock(raw);
    const references = head.slice(head.indexOf('References:'), head.indexOf('\r\nMIME-Version'));
    expect(references.split('\r\n').length).toBeGreaterThan(1);
    expect(references.split('\r\n').every((line) => line.length <= 78)).toBe(true);
    expect((await parse(raw)).references).toEqual([...ids, OUR_MESSAGE_ID]);
  });

  it('keeps header injection out: no new header from a subject or a reference', async () => {
    const raw = mime(
      outbound({
        email: {
          subject: 'Hi\r\nBcc: victim@example.net',
          inReplyTo: '<ok@x>\r\nBcc: victim@example.net',
          references: ['<a b@x>', '<fine@x>'],
        },
      }),
    );
    const head = headerBlock(raw);
    expect(head).not.toMatch(/^Bcc:/im);
    expect(head).not.toContain('In-Reply-To');
    const parsed = await parse(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.references).toEqual(['<fine@x>', OUR_MESSAGE_ID]);
  });

  it('lists attachments as links under the text (nothing is fetched)', async () => {
    const parsed = await parse(
      mime(
        outbound({
          text: 'Your invoice:',
          attachments: [
            { url: 'https://files.acme.example/inv-1.pdf', filename: 'invoice.pdf', kind: 'document' },
            { url: 'https://files.acme.example/photo.jpg', kind: 'image' },
          ],
        }),
      ),
    );
    expect(parsed.text).toBe(
      'Your invoice:\n\nAttachments:\n- invoice.pdf: https://files.acme.example/inv-1.pdf\n- https://files.acme.example/photo.jpg\n',
    );
  });

  it("marks the AI's mail as automatic (RFC 3834 Auto-Submitted), and never an agent's", () => {
    const ai = { kind: 'ai', id: 'responder' };
    expect(headerBlock(mime(outbound({ author: ai })))).toContain('Auto-Submitted: auto-replied\r\n');
    expect(headerBlock(mime(outbound({ author: ai, email: { subject: 'Your survey' } })))).toContain(
      'Auto-Submitted: auto-generated\r\n',
    );
    expect(headerBlock(mime(outbound()))).not.toContain('Auto-Submitted');
  });

  it('marks a survey auto-generated, though it goes in the thread (In-Reply-To) of the mail answered', () => {
    const survey = outbound({ author: { kind: 'ai', id: 'csat' } });
    const headers = headerBlock(mime(survey));
    expect(headers).toContain(`In-Reply-To: ${THEIR_LAST}\r\n`);
    expect(headers).toContain('Auto-Submitted: auto-generated\r\n');
    expect(headers).not.toContain('auto-replied');
  });

  it('takes the Message-ID domain from the option when given', () => {
    expect(buildRawEmail(outbound(), { ...options, domain: 'mail.acme.example' }).messageIdHeader).toBe(
      `<${UUID}@mail.acme.example>`,
    );
  });

  it.each([
    ['an SMS', { channel: 'sms', to: { kind: 'phone', value: '+15558675310' } }],
    ['an address without a domain', { to: { kind: 'email', value: 'ada' } }],
    ['an address with a space', { to: { kind: 'email', value: 'ada lovelace@example.com' } }],
    ['a non-ASCII local part', { to: { kind: 'email', value: 'zoë@example.com' } }],
    ['a reply with nothing in it', { text: '  ' }],
  ])('refuses for good %s', (_name, overrides) => {
    expect(() => buildRawEmail(outbound(overrides), options)).toThrow(PermanentSendError);
  });

  it.each(['support@acme.example', 'Support@ACME.example'])(
    'refuses for good a reply to our own address %s, so the AI never writes to itself',
    (value) => {
      const build = () => buildRawEmail(outbound({ to: { kind: 'email', value } }), options);
      expect(build).toThrow(PermanentSendError);
      expect(build).toThrow('the reply is to our own address (SES_FROM_ADDRESS)');
    },
  );
});

describe('SesSender', () => {
  const ses = mockAws(SESClient);
  beforeEach(() => {
    ses.reset();
  });

  const sender = (configurationSet?: string) =>
    new SesSender({
      client: new SESClient({ region: 'eu-west-1' }),
      from: FROM,
      configurationSet,
      now: () => NOW,
      messageIdFactory: () => UUID,
    });

  it('sends the raw mail and returns SES’s MessageId and the Message-ID SES gave the mail', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: SES_MESSAGE_ID });
    const result = await sender('threadline-events').send(outbound());
    // SES overwrites our Message-ID with its own; the customer's answer names that one.
    expect(result).toEqual({
      providerMessageId: SES_MESSAGE_ID,
      messageIdHeader: `<${SES_MESSAGE_ID}@eu-west-1.amazonses.com>`,
      keyEchoed: true,
    });
    const calls = ses.commandCalls(SendRawEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toEqual({
      Source: 'support@acme.example',
      Destinations: ['ada@example.com'],
      RawMessage: { Data: buildRawEmail(outbound(), options).raw },
      ConfigurationSetName: 'threadline-events',
      // The configuration set's events hand the tags back: the reply's key finds its item.
      Tags: [{ Name: 'threadline-reply', Value: replyKeyOf(outbound()) }],
    });
    expect(decodeReplyKey(input?.Tags?.[0]?.Value)).toMatchObject({ replyId: outbound().id });
    const parsed = await parse(Buffer.from(input?.RawMessage?.Data ?? new Uint8Array()));
    expect(parsed.messageId).toBe(OUR_MESSAGE_ID);
    expect(parsed.inReplyTo).toBe(THEIR_LAST);
  });

  it.each([
    ['us-east-1', undefined, `<${SES_MESSAGE_ID}@email.amazonses.com>`],
    ['ap-southeast-2', undefined, `<${SES_MESSAGE_ID}@ap-southeast-2.amazonses.com>`],
    ['eu-west-1', 'mail.eu-west-1.amazonses.com', `<${SES_MESSAGE_ID}@mail.eu-west-1.amazonses.com>`],
  ])('derives SES’s Message-ID in %s (domain setting %s)', async (region, messageIdDomain, expected) => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: SES_MESSAGE_ID });
    const client = new SESClient({ region });
    const result = await new SesSender({ client, from: FROM, messageIdDomain }).send(outbound());
    expect(result.messageIdHeader).toBe(expected);
  });

  it('leaves ConfigurationSetName out when none is configured', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: SES_MESSAGE_ID });
    await expect(sender().send(outbound())).resolves.not.toHaveProperty('keyEchoed');
    const input = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('ConfigurationSetName');
    // Without a configuration set no event carries tags: statuses need the message reference.
    expect(input).not.toHaveProperty('Tags');
  });

  it('fails for good, rather than send twice, when SES answers without a MessageId', async () => {
    ses.on(SendRawEmailCommand).resolves({});
    await expect(sender().send(outbound())).rejects.toMatchObject({
      constructor: PermanentSendError,
      providerCode: 'invalid_response',
    });
  });

  it('refuses a From address that is not one at construction', () => {
    expect(
      () => new SesSender({ client: new SESClient({ region: 'eu-west-1' }), from: 'Acme Support' }),
    ).toThrow(/SES_FROM_ADDRESS/);
  });

  const $metadata = { httpStatusCode: 400, requestId: 'req-1' };
  const service = (name: string, $fault: 'client' | 'server', httpStatusCode: number, message = name) =>
    new SESServiceException({ name, $fault, $metadata: { httpStatusCode }, message });

  it.each([
    [
      'MessageRejected',
      new MessageRejected({ $metadata, message: 'Email address is not verified.' }),
      /SES rejected the email: Email address is not verified/,
    ],
    [
      'MailFromDomainNotVerifiedException',
      new MailFromDomainNotVerifiedException({ $metadata, message: 'not verified' }),
      /MAIL FROM domain/,
    ],
    [
      'ConfigurationSetDoesNotExistException',
      new ConfigurationSetDoesNotExistException({ $metadata, message: 'no such set' }),
      /configuration set does not exist/,
    ],
    [
      'InvalidParameterValue',
      service('InvalidParameterValue', 'client', 400, 'Missing final @domain'),
      /Missing/,
    ],
  ])('fails for good on %s', async (code, error, reason) => {
    ses.on(SendRawEmailCommand).rejects(error);
    const thrown = await sender()
      .send(outbound())
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(PermanentSendError);
    expect((thrown as PermanentSendError).providerCode).toBe(code);
    expect((thrown as PermanentSendError).message).toMatch(reason);
  });

  it.each([
    [
      'ConfigurationSetSendingPausedException',
      new ConfigurationSetSendingPausedException({ $metadata, message: 'paused' }),
      /paused for the SES configuration set/,
    ],
    [
      'AccountSendingPausedException',
      new AccountSendingPausedException({ $metadata, message: 'paused' }),
      /paused for the whole SES account/,
    ],
  ])('retries %s as our account refused, not failed for good', async (code, error, reason) => {
    ses.on(SendRawEmailCommand).rejects(error);
    const thrown = await sender()
      .send(outbound())
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CredentialsRefusedError);
    expect((thrown as CredentialsRefusedError).providerCode).toBe(code);
    expect((thrown as CredentialsRefusedError).message).toMatch(reason);
  });

  it.each([
    ['Throttling (Maximum sending rate exceeded)', service('Throttling', 'client', 400)],
    ['ThrottlingException', service('ThrottlingException', 'client', 400)],
    ['ServiceUnavailable', service('ServiceUnavailable', 'server', 503)],
    ['InternalFailure', service('InternalFailure', 'server', 500)],
    ['a network failure', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('Connection timed out'), { name: 'TimeoutError' })],
  ])('asks for a retry on %s', async (_name, error) => {
    ses.on(SendRawEmailCommand).rejects(error);
    const thrown = await sender()
      .send(outbound())
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RetryableSendError);
    expect((thrown as RetryableSendError).cause).toBe(error);
  });

  it('never puts the message text in an error', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(new MessageRejected({ $metadata, message: 'Email address is not verified.' }));
    const thrown = (await sender()
      .send(outbound())
      .catch((e: unknown) => e)) as Error;
    expect(thrown.message).not.toContain('warehouse');
  });
});
