import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { MAX_THREAD_LOOKUPS, threadParents } from '#shared/domain/conversation.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { toTimelineItem } from '#shared/domain/resolution.js';
import { putRawPayloadInput, putTimelineItemInput, rawAside } from '#shared/store/params/timeline.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../../fixtures/ses/${name}`, import.meta.url), 'utf8'));

const CTX: SesNormaliseContext = {
  receivedAt: '2025-06-08T21:00:00.000Z',
  snsMessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe',
};
/** Well under DynamoDB's 400 KB item limit, with room for keys, attribute names and later updates. */
const BUDGET = 350 * 1024;

const REFERENCES = Array.from({ length: 16_000 }, (_, i) => `<ref-${String(i).padStart(5, '0')}@ex.com>`);
const NEWEST_REFERENCE = REFERENCES.at(-1);
const REPLY_TO = Array.from({ length: 2_000 }, (_, i) => `reply${i}@example.com`);
const CC = Array.from({ length: 2_000 }, (_, i) => `cc${i}@example.com`);
const LONG_SUBJECT = `Order ${'x'.repeat(60_000)}`;
const ATTACHMENTS = 300;

/** A 500 KB+ mail: 16,000 References, 2,000 Reply-To and 2,000 Cc addresses, a long subject, 300 long-named files. */
function oversizedMime(): Buffer {
  const boundary = 'b0undary';
  const parts = Array.from({ length: ATTACHMENTS }, (_, i) =>
    [
      `--${boundary}`,
      `Content-Type: application/octet-stream; name="${'n'.repeat(900)}${i}.bin"`,
      `Content-Disposition: attachment; filename="${'n'.repeat(900)}${i}.bin"`,
      'Content-Transfer-Encoding: base64',
      '',
      'AAAA',
    ].join('\r\n'),
  );
  const mime = [
    'From: Big Sender <big@example.com>',
    'To: support@example.com',
    `Reply-To: ${REPLY_TO.join(', ')}`,
    `Cc: ${CC.join(', ')}`,
    `Subject: ${LONG_SUBJECT}`,
    'Message-ID: <big-1@example.com>',
    `In-Reply-To: ${NEWEST_REFERENCE}`,
    `References: ${REFERENCES.join('\r\n ')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, where is my order?\r\n'.repeat(10_000),
    ...parts,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return Buffer.from(mime, 'utf8');
}

/** The S3-action notification SES would send for it: its headers (untruncated) and common headers too. */
function oversizedNotification(): Record<string, unknown> {
  const notification = structuredClone(fixture('received_s3_action.json'));
  const mail = notification.mail as Record<string, unknown>;
  mail.headers = [
    { name: 'From', value: 'Big Sender <big@example.com>' },
    { name: 'Reply-To', value: REPLY_TO.join(', ') },
    { name: 'Subject', value: LONG_SUBJECT },
    { name: 'References', value: REFERENCES.join(' ') },
  ];
  mail.commonHeaders = {
    from: ['Big Sender <big@example.com>'],
    replyTo: REPLY_TO,
    to: Array.from({ length: 2_000 }, (_, i) => `to${i}@example.com`),
    subject: LONG_SUBJECT,
    messageId: '<big-1@example.com>',
  };
  return notification;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('oversized email', () => {
  it('becomes an envelope, a timeline item and a raw payload item each under the item budget', async () => {
    const mime = oversizedMime();
    expect(mime.byteLength).toBeGreaterThan(500 * 1024);

    const { envelopes, rejected } = await normaliseSesNotification(oversizedNotification(), CTX, mime);
    expect(rejected).toEqual([]);
    expect(envelopes).toHaveLength(1);
    const envelope = envelopes[0] as Envelope;
    expect(bytes(envelope)).toBeLessThan(BUDGET);

    const item = toTimelineItem(envelope, 'cu_1', 'cv_1');
    const put = putTimelineItemInput('table', item, envelope.raw);
    expect(bytes(put.Item)).toBeLessThan(BUDGET);
    const aside = rawAside(envelope.raw);
    if (aside !== undefined)
      expect(bytes(putRawPayloadInput('table', item, aside).Item)).toBeLessThan(BUDGET);

    // The envelope says what was cut.
    if (envelope.kind !== 'message') throw new Error(`expected a message, got ${envelope.kind}`);
    expect(envelope.data).toMatchObject({ truncated: true, attachmentsOmitted: ATTACHMENTS - 100 });
    expect(envelope.data?.truncatedFields).toEqual([
      'attachments',
      'ccAddresses',
      'raw',
      'references',
      'replyToAddresses',
      'subject',
      'text',
    ]);
    // The first ten Cc addresses are kept, for agents to see who else was written to.
    expect(envelope.data?.ccAddresses).toEqual(CC.slice(0, 10));
    // Threading still finds the nearest parent first: In-Reply-To, then the newest References.
    const parents = threadParents(envelope);
    expect(parents[0]).toBe(NEWEST_REFERENCE);
    expect(parents.slice(1)).toEqual(
      Array.from({ length: MAX_THREAD_LOOKUPS - 1 }, (_, i) => REFERENCES.at(-2 - i)),
    );
  }, 30_000);

  it('keeps the inline MIME of an SNS action (its only copy) when it trims a large notification', async () => {
    const notification = structuredClone(fixture('received_sns_action.json'));
    const mail = notification.mail as Record<string, unknown>;
    mail.headers = [{ name: 'References', value: REFERENCES.join(' ') }];
    const { envelopes } = await normaliseSesNotification(notification, CTX);
    const envelope = envelopes[0] as Envelope;
    expect(bytes(envelope)).toBeLessThan(BUDGET);
    expect(envelope.raw).toMatchObject({ content: notification.content, mail: { headersTruncated: true } });
    if (envelope.kind !== 'message') throw new Error(`expected a message, got ${envelope.kind}`);
    expect(envelope.data?.truncatedFields).toEqual(['raw']);
  });
});
