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
const QUOTE = [
  'On Thu, Dec 10, 2026 at 10:00 AM Quinn Quote <quinn@ex.test> wrote:',
  '',
  '> Hello, my order 1234 has not arrived. Can you check?',
];

// A reply that adds only a file to the history it quotes. Before, the quote was its text, and the AI
// answered the customer's old question as if asked again.
describe('an email with nothing new but what it quotes', () => {
  it('is a message of its attachment, without text, the history in data.fullText', async () => {
    const envelope = await envelopeOf([
      ...HEADERS,
      'Content-Type: multipart/mixed; boundary="M"',
      '',
      '--M',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      ...QUOTE,
      '',
      '--M',
      'Content-Type: image/jpeg; name="label.jpg"',
      'Content-Disposition: attachment; filename="label.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      '/9j/4AAQSkZJRgABAQ==',
      '--M--',
      '',
    ]);
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
