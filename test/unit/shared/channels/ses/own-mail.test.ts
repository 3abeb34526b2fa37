import { describe, expect, it } from 'vitest';
import type { SesNormaliseContext } from '#shared/channels/ses/context.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { sesReceived } from '../../../../support/webhooks.js';

const CTX: SesNormaliseContext = {
  receivedAt: '2026-06-01T12:00:00.000Z',
  snsMessageId: 'sns-own-mail',
};

/** A mail to support@shop.example (the receipt's recipient), From `from`, DMARC passed. */
function mail(from: string, options: { replyTo?: string; inReplyTo?: string } = {}) {
  const notification = sesReceived({
    sesId: 'ses-own-1',
    at: '2026-06-01T11:59:00.000Z',
    from,
    messageId: '<own-1@shop.example>',
    subject: 'What payment methods do you accept?',
    text: 'Can I pay with PayPal?',
    ...options,
  }) as { receipt: Record<string, unknown> };
  notification.receipt.dmarcVerdict = { status: 'PASS' };
  return notification;
}

const OWN_MAIL = 'mail from the address it was received for: our own, not a customer';

describe('receivedEnvelope: mail from our own address is no customer message', () => {
  it.each([
    ['the address it was received for', 'Shop Support <support@shop.example>'],
    ['that address written in capitals', 'SUPPORT@Shop.Example'],
  ])('is dropped, with a reason for the log, when From is %s', async (_name, from) => {
    const out = await normaliseSesNotification(mail(from), CTX);
    expect(out).toEqual({ envelopes: [], rejected: [{ pointer: '', reason: OWN_MAIL }] });
  });

  it('drops our own answer come back, threaded under the mail it answers', async () => {
    const from = 'Shop Support <support@shop.example>';
    const out = await normaliseSesNotification(mail(from, { inReplyTo: '<own-1@shop.example>' }), CTX);
    expect(out.envelopes).toEqual([]);
  });

  it("keeps a customer's mail", async () => {
    const out = await normaliseSesNotification(mail('Carla Client <carla@client.example>'), CTX);
    expect(out.rejected).toEqual([]);
    expect(out.envelopes.map((e) => e.kind === 'message' && e.customer)).toEqual([
      { kind: 'email', value: 'carla@client.example' },
    ]);
  });

  it('keeps the mail of a form that sends from our address, named in EMAIL_FORM_SENDERS: it is its Reply-To’s', async () => {
    const notification = mail('Shop Support <support@shop.example>', {
      replyTo: 'Alice A <alice@alpha.example>',
    });
    const out = await normaliseSesNotification(notification, {
      ...CTX,
      formSenders: ['support@shop.example'],
    });
    expect(out.rejected).toEqual([]);
    expect(out.envelopes.map((e) => e.kind === 'message' && e.customer)).toEqual([
      { kind: 'email', value: 'alice@alpha.example' },
    ]);
  });

  it('drops such a form mail when the form sender is not named: the From is then ours', async () => {
    const notification = mail('support@shop.example', { replyTo: 'alice@alpha.example' });
    expect((await normaliseSesNotification(notification, CTX)).envelopes).toEqual([]);
  });
});
