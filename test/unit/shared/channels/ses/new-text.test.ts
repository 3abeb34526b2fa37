import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import type { Envelope, MessageEnvelope } from '#shared/domain/envelope.js';

const fixturePath = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url);
const S3_ALERT: Record<string, unknown> = JSON.parse(
  readFileSync(fixturePath('ses/received_s3_action.json'), 'utf8'),
);
const CTX: SesNormaliseContext = { receivedAt: '2026-12-10T11:00:00.000Z', snsMessageId: 'sns-new-text' };

/** The envelope of a mail whose MIME is `lines`, as the S3 action stores it. */
async function envelopeOf(lines: string[]): Promise<MessageEnvelope> {
  const notification = structuredClone(S3_ALERT);
  const mail = notification.mail as Record<string, unknown>;
  delete mail.headers;
  delete mail.commonHeaders;
  const { envelopes } = await normaliseSesNotification(notification, CTX, Buffer.from(lines.join('\r\n')));
  expect(envelopes).toHaveLength(1);
  const [envelope] = envelopes as [Envelope];
  if (envelope.kind !== 'message') throw new Error(`expected a message, got ${envelope.kind}`);
  return envelope;
}

const HEADERS = [
  'From: Quinn Quote <quinn@ex.test>',
  'To: support@shop.example',
  'Subject: Re: Where is my order 1234?',
  'Message-ID: <qq1@ex.test>',
  'Date: Thu, 10 Dec 2026 10:30:00 +0000',
  'MIME-Version: 1.0',
];
// The text part of email/quote-and-photo.eml.
const QUOTE = [
  'On Thu, Dec 10, 2026 at 10:00 AM Quinn Quote <quinn@ex.test> wrote:',
  '',
  '> Where is my order? It has not arrived yet.',
];

// A reply that adds only a file to the history it quotes. Before, the quote was its text, and the AI
// answered the customer's old question as if asked again.
describe('an email with nothing new but what it quotes', () => {
  it('is a message of its attachment, without text, the history in data.fullText', async () => {
    const mime = readFileSync(fixturePath('email/quote-and-photo.eml'), 'latin1').split('\r\n');
    const envelope = await envelopeOf(mime);
    expect(envelope.text).toBeUndefined();
    expect(envelope.contentType).toBe('image');
    expect(envelope.attachments).toEqual([expect.objectContaining({ kind: 'image', filename: 'label.jpg' })]);
    expect(envelope.data?.fullText).toBe(QUOTE.join('\n'));
  });

  // Our own mail sent back with nothing added: no text to answer, the mail kept whole for a person.
  it('has no text and keeps the mail in data.fullText when nothing is attached', async () => {
    const envelope = await envelopeOf([
      ...HEADERS,
      'Content-Type: text/plain; charset=UTF-8',
      '',
      ...QUOTE,
      '',
    ]);
    expect(envelope.text).toBeUndefined();
    expect(envelope.contentType).toBe('text');
    expect(envelope.data?.fullText).toBe(QUOTE.join('\n'));
  });
});

/** A multipart/alternative mail of `plain` and `html`. */
const alternative = (plain: string, html: string) => [
  ...HEADERS,
  'Content-Type: multipart/alternative; boundary="A"',
  '',
  '--A',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  plain,
  '',
  '--A',
  'Content-Type: text/html; charset=UTF-8',
  '',
  html,
  '--A--',
  '',
];

// Some mailers put a line saying to read the HTML in the text part, the message being in the HTML
// only. Before, the agent and the AI read "This email requires an HTML-capable client." and nothing else.
describe('a text part that only points at the HTML', () => {
  it.each([
    'This email requires an HTML-capable client.',
    'To view this message, please use an HTML compatible email viewer!',
    '[This message is in HTML format]',
  ])('gives way to the HTML: %s', async (placeholder) => {
    const message =
      'My order 8081 arrived with a cracked screen. What can I do? I would rather have a new one than my money back.';
    const envelope = await envelopeOf(alternative(placeholder, `<div>${message}</div>`));
    expect(envelope.text).toBe(message);
  });

  it.each([
    ['the same words', 'Thanks, it arrived.', '<div>Thanks, it arrived.</div><div>Sent from my phone</div>'],
    [
      'other marks around the same words',
      'Order *42*: yes,\nplease.',
      '<p><b>Order 42</b>: yes, please.</p>',
    ],
    [
      'a long text part',
      `My order arrived damaged. ${'The box was open and the item scratched. '.repeat(10)}`,
      '<div>Short HTML that says something else entirely, longer than nothing.</div>',
    ],
  ])('is the text when it is the message: %s', async (_name, plain, html) => {
    expect((await envelopeOf(alternative(plain, html))).text).toBe(plain.trim());
  });

  it('is the text when the HTML says less', async () => {
    const envelope = await envelopeOf(alternative('Where is my parcel 77?', '<div>Hi</div>'));
    expect(envelope.text).toBe('Where is my parcel 77?');
  });
});
