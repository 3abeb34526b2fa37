import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { MAX_EMAIL_CHARS } from '#shared/domain/addresses.js';
import type { MessageEnvelope } from '#shared/domain/envelope.js';
import { withPatternInputs } from '../../../../support/regex-inputs.js';

const SNS_ACTION: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../../../fixtures/ses/received_sns_action.json', import.meta.url), 'utf8'),
);
const CTX: SesNormaliseContext = { receivedAt: '2025-06-08T21:00:00.000Z', snsMessageId: 'sns-1' };
// 60,000 characters that made the former address pattern backtrack quadratically (8 s in ses-mail).
const CRAFTED = `a@${'a.'.repeat(30_000)}@`;
const NO_FROM = [{ pointer: '', reason: 'received email without a usable From address' }];

/** The SNS-action notification carrying a small MIME with these headers. */
function withMime(headers: string) {
  const notification = structuredClone(SNS_ACTION);
  notification.content = `${headers}\r\nTo: recipient@example.com\r\nSubject: hi\r\nMessage-ID: <m1@example.com>\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;
  return notification;
}

/** The notification without MIME: the envelope comes from SES's own header parse. */
function headersOnly(from: string) {
  const notification = structuredClone(SNS_ACTION);
  delete notification.content;
  const mail = notification.mail as Record<string, unknown>;
  mail.headers = [];
  mail.commonHeaders = { from: [from], to: ['recipient@example.com'], subject: 'x', messageId: '<m1@x>' };
  return notification;
}

describe('normaliseSesNotification on addresses a sender crafted', () => {
  it('rejects a mail whose MIME From is a crafted 60,000-character address', async () => {
    const result = await normaliseSesNotification(withMime(`From: x <${CRAFTED}>`), CTX);
    expect(result).toEqual({ envelopes: [], rejected: NO_FROM });
  });

  it('keeps a mail whose Reply-To is crafted, without that Reply-To', async () => {
    const result = await normaliseSesNotification(
      withMime(`From: Jane <jane@example.com>\r\nReply-To: ${CRAFTED}`),
      CTX,
    );
    const [envelope] = result.envelopes as MessageEnvelope[];
    expect(envelope?.customer).toEqual({ kind: 'email', value: 'jane@example.com' });
    expect(envelope?.data?.replyToAddresses).toBeUndefined();
  });

  it('rejects a crafted From in SES headers without running a pattern on more than an address', async () => {
    const { result, longest } = await withPatternInputs(() =>
      normaliseSesNotification(headersOnly(`x <${CRAFTED}>`), CTX),
    );
    expect(result).toEqual({ envelopes: [], rejected: NO_FROM });
    expect(longest).toBeLessThanOrEqual(MAX_EMAIL_CHARS);
  });

  it('keeps the address of a From whose display name is longer than a header line, without the name', async () => {
    const { result, longest } = await withPatternInputs(() =>
      normaliseSesNotification(headersOnly(`"${'x'.repeat(60_000)}" <jane@example.com>`), CTX),
    );
    const [envelope] = result.envelopes as MessageEnvelope[];
    expect(envelope?.customer).toEqual({ kind: 'email', value: 'jane@example.com' });
    expect(envelope?.profileName).toBeUndefined();
    expect(longest).toBeLessThanOrEqual(MAX_EMAIL_CHARS);
  });

  it('still takes the display name of an ordinary From', async () => {
    const result = await normaliseSesNotification(headersOnly('"Jane Doe" <jane@example.com>'), CTX);
    expect((result.envelopes[0] as MessageEnvelope).profileName).toBe('Jane Doe');
  });
});
