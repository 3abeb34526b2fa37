import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { isFormSender } from '#shared/channels/ses/received.js';
import type { MessageEnvelope } from '#shared/domain/envelope.js';

const SNS_ACTION = JSON.parse(
  readFileSync(new URL('../../../../fixtures/ses/received_sns_action.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const CTX: SesNormaliseContext = {
  receivedAt: '2025-06-08T21:00:00.000Z',
  snsMessageId: 'c0ffee00-ea4d-435a-b922-c6aae3915ebe',
};

/** A contact form's mail: From the mailer, Reply-To the customer who filled the form in. */
function formMail(options: { from?: string; replyTo?: string; dmarc?: string } = {}) {
  const notification = structuredClone(SNS_ACTION);
  const mime = [
    `From: ${options.from ?? 'Shop Contact Form <mailer@forms.example>'}`,
    ...(options.replyTo === '' ? [] : [`Reply-To: ${options.replyTo ?? 'Alice A <Alice@Alpha.example>'}`]),
    'To: recipient@example.com',
    'Subject: New customer message on your store',
    'Message-ID: <form-1@forms.example>',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Name: Alice\nMessage: my order 1001 is damaged',
    '',
  ].join('\r\n');
  notification.content = mime;
  const receipt = notification.receipt as Record<string, unknown>;
  if (options.dmarc) receipt.dmarcVerdict = { status: options.dmarc };
  delete (notification.mail as Record<string, unknown>).commonHeaders;
  return notification;
}

async function envelopeOf(notification: unknown, formSenders?: string[]): Promise<MessageEnvelope> {
  const { envelopes, rejected } = await normaliseSesNotification(notification, { ...CTX, formSenders });
  expect(rejected).toEqual([]);
  const [envelope] = envelopes;
  if (envelope?.kind !== 'message') throw new Error('expected a message');
  return envelope;
}

describe('receivedEnvelope: contact-form mail (From a mailer, Reply-To the customer)', () => {
  it.each([
    ['the address', ['mailer@forms.example']],
    ['its @domain', ['@forms.example']],
  ])(
    'is the Reply-To address customer when the business names %s as a form sender and DMARC passed',
    async (_, senders) => {
      const envelope = await envelopeOf(formMail({ dmarc: 'PASS' }), senders);
      expect(envelope.customer).toEqual({ kind: 'email', value: 'alice@alpha.example' });
      expect(envelope.profileName).toBe('Alice A');
      expect(envelope.data).toMatchObject({
        formSender: 'mailer@forms.example',
        replyToAddresses: ['alice@alpha.example'],
      });
    },
  );

  it.each([
    ['no form senders named', { dmarc: 'PASS' }, undefined],
    ['another sender named', { dmarc: 'PASS' }, ['forms@other.example', '@other.example']],
    ['DMARC not checked (no record)', { dmarc: 'GRAY' }, ['mailer@forms.example']],
    ['DMARC failed', { dmarc: 'FAIL' }, ['mailer@forms.example']],
    ['no DMARC verdict', {}, ['mailer@forms.example']],
  ])('keeps the From as the customer with %s: Reply-To is not authenticated', async (_, options, senders) => {
    const envelope = await envelopeOf(formMail(options), senders);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'mailer@forms.example' });
    expect(envelope.profileName).toBe('Shop Contact Form');
    expect(envelope.data?.formSender).toBeUndefined();
    // The reply still goes to the Reply-To (see emailReplyAddress); the resolver makes it a suggestion.
    expect(envelope.data?.replyToAddresses).toEqual(['alice@alpha.example']);
  });

  it('answers a form’s customer though the form mails from a no-reply address, at its Reply-To', async () => {
    const from = 'Shop Contact Form <no-reply@forms.example>';
    const envelope = await envelopeOf(formMail({ dmarc: 'PASS', from }), ['@forms.example']);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'alice@alpha.example' });
    expect(envelope.data?.autoReply).toBeUndefined();
    // A form the business did not name: the mailer's customer, answered at the Reply-To, not automatic.
    const unnamed = await envelopeOf(formMail({ dmarc: 'PASS', from }), []);
    expect(unnamed.data).toMatchObject({ replyToAddresses: ['alice@alpha.example'] });
    expect(unnamed.data?.autoReply).toBeUndefined();
    // Without a Reply-To nobody can be answered: automatic.
    const noReplyTo = await envelopeOf(formMail({ dmarc: 'PASS', from, replyTo: '' }), []);
    expect(noReplyTo.data?.autoReply).toBe(true);
  });

  it('keeps the From as the customer of a form sender mail without a Reply-To', async () => {
    const envelope = await envelopeOf(formMail({ dmarc: 'PASS', replyTo: '' }), ['@forms.example']);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'mailer@forms.example' });
    expect(envelope.data?.formSender).toBeUndefined();
  });
});

describe('isFormSender', () => {
  it.each([
    ['mailer@forms.example', ['mailer@forms.example'], true],
    ['other@forms.example', ['@forms.example'], true],
    ['mailer@sub.forms.example', ['@forms.example'], false],
    ['mailer@forms.example.evil', ['@forms.example'], false],
    ['mailer@forms.example', [], false],
    ['mailer@forms.example', undefined, false],
  ])('%s among %j: %s', (address, senders, expected) => {
    expect(isFormSender(address, senders)).toBe(expected);
  });
});
