import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import type { MessageEnvelope } from '#shared/domain/envelope.js';
import { sesReceived } from '../../../../support/webhooks.js';

const CTX: SesNormaliseContext = {
  receivedAt: '2026-12-04T21:00:00.000Z',
  snsMessageId: 'f00d0000-ea4d-435a-b922-c6aae3915ebe',
};

/**
 * Mail with the victim's From and the sender's Reply-To, with SES's verdicts and the envelope sender
 * (`mail.source`, what SPF checked; providers.md §3.2) as given.
 */
async function received(
  verdicts: { spf: string; dkim: string; dmarc?: string; policy?: string },
  source: string,
) {
  const notification = sesReceived({
    sesId: 'ses-from-check',
    at: '2026-12-04T20:59:00.000Z',
    from: 'Victor Real <victor@gmail.example>',
    replyTo: 'Victor <victor.new@evil.example>',
    messageId: '<from-check@evil.example>',
    text: 'Please confirm the address on my order',
  }) as { receipt: Record<string, unknown>; mail: Record<string, unknown> };
  const { receipt } = notification;
  receipt.spfVerdict = { status: verdicts.spf };
  receipt.dkimVerdict = { status: verdicts.dkim };
  if (verdicts.dmarc) receipt.dmarcVerdict = { status: verdicts.dmarc };
  else delete receipt.dmarcVerdict;
  if (verdicts.policy) receipt.dmarcPolicy = verdicts.policy;
  notification.mail.source = source;
  const { envelopes } = await normaliseSesNotification(notification, CTX);
  const [envelope] = envelopes;
  if (envelope?.kind !== 'message') throw new Error('expected a message');
  return envelope as MessageEnvelope;
}

describe('receivedEnvelope: whether anything vouches for the From address', () => {
  it('marks mail whose DMARC failed (SPF and DKIM passed for another domain) unauthenticated', async () => {
    const envelope = await received(
      { spf: 'PASS', dkim: 'PASS', dmarc: 'FAIL', policy: 'none' },
      'bounces@evil.example',
    );
    expect(envelope.customer).toEqual({ kind: 'email', value: 'victor@gmail.example' });
    expect(envelope.data).toMatchObject({ authenticated: false, fromUnverified: 'dmarc_fail' });
    expect(envelope.data?.quarantined).toBeUndefined();
  });

  it.each([
    ['DMARC passed', { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' }, 'bounces@evil.example'],
    [
      'no DMARC record, SPF passed for the From domain',
      { spf: 'PASS', dkim: 'GRAY', dmarc: 'GRAY' },
      'victor@gmail.example',
    ],
    ['no DMARC verdict, SPF passed for a subdomain', { spf: 'PASS', dkim: 'GRAY' }, 'b@bounce.gmail.example'],
  ])('vouches for the From when %s', async (_name, verdicts, source) => {
    const envelope = await received(verdicts, source);
    expect(envelope.data?.fromUnverified).toBeUndefined();
    expect(envelope.data?.authenticated).toBeUndefined();
  });

  it.each([
    ['SPF passed for another domain', { spf: 'PASS', dkim: 'GRAY', dmarc: 'GRAY' }, 'bounces@evil.example'],
    // SES's DKIM verdict does not say which domain signed: an unaligned signature passes too.
    ['only DKIM passed', { spf: 'FAIL', dkim: 'PASS', dmarc: 'GRAY' }, 'victor@gmail.example'],
    [
      'DMARC could not be checked',
      { spf: 'GRAY', dkim: 'PASS', dmarc: 'PROCESSING_FAILED' },
      'x@gmail.example',
    ],
    ['a domain that only ends like the From', { spf: 'PASS', dkim: 'GRAY' }, 'b@evilgmail.example'],
  ])(
    'marks the From unverified, without moving the mail, when %s with no DMARC verdict',
    async (_n, v, source) => {
      const envelope = await received(v, source);
      expect(envelope.customer).toEqual({ kind: 'email', value: 'victor@gmail.example' });
      expect(envelope.data).toMatchObject({ fromUnverified: 'not_aligned' });
      expect(envelope.data?.authenticated).toBeUndefined();
    },
  );
});
