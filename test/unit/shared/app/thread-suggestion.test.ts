import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { inboundText } from '../../fakes/envelopes.js';
import { memoryReceiver } from '../../fakes/receiver.js';

/** An email from `from` with Message-ID `<id>`, answering `<parent>` when given. */
function mail(id: string, from: string, data: Record<string, unknown> = {}, parent?: string): Envelope {
  return inboundText({
    id: `ses:msg:${id}`,
    provider: 'ses',
    channel: 'email',
    providerMessageId: id,
    customer: { kind: 'email', value: from },
    occurredAt: '2025-06-10T10:00:00.000Z',
    text: 'Approved, go ahead',
    data: { messageId: `<${id}>`, ...(parent ? { inReplyTo: `<${parent}>` } : {}), ...data },
  });
}

describe('mail in the thread of another customer', () => {
  it('raises a suggestion with the conversation as evidence, and keeps the mail its sender’s', async () => {
    const { store, receive } = memoryReceiver();
    const pat = await receive(mail('p1', 'pat@acme.example'));
    const lee = await receive(mail('l1', 'lee@acme.example', {}, 'p1'));
    expect(lee.customerId).not.toBe(pat.customerId);
    expect(lee.conversationId).not.toBe(pat.conversationId);
    const suggestion = store.suggestions.get(`${pat.customerId}#${lee.customerId}`);
    expect(suggestion?.status).toBe('open');
    expect([...(suggestion?.evidence ?? [])].map((e) => JSON.parse(String(e)))).toEqual([
      expect.objectContaining({ reason: 'same_thread', conversationId: pat.conversationId }),
    ]);
  });

  it('raises none for quarantined mail', async () => {
    const { store, receive } = memoryReceiver();
    await receive(mail('p1', 'pat@acme.example'));
    await receive(mail('l1', 'lee@acme.example', { quarantined: true }, 'p1'));
    expect(store.suggestions.size).toBe(0);
  });
});

/** Real mails from the Chatwoot test suite, each answering the thread `<4e6e35f5…@small-app-01.mail>`. */
const fixturePath = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url);
const PARENT = '4e6e35f5a38b4_479f13bb90078178@small-app-01.mail';

/** A peer mail as SES's S3 action hands it over, with the DMARC verdict given (none: no record). */
async function peerMail(name: string, dmarc?: 'PASS' | 'FAIL'): Promise<Envelope> {
  const notification = JSON.parse(readFileSync(fixturePath('ses/received_s3_action.json'), 'utf8'));
  delete notification.mail.headers;
  delete notification.mail.commonHeaders;
  if (dmarc) notification.receipt.dmarcVerdict = { status: dmarc };
  const context = { receivedAt: '2025-06-10T10:05:00.000Z', snsMessageId: `sns-${name}` };
  const { envelopes } = await normaliseSesNotification(
    notification,
    context,
    readFileSync(fixturePath(`email/peer-${name}.eml`)),
  );
  const [envelope] = envelopes;
  if (!envelope) throw new Error(`no envelope from ${name}`);
  return { ...envelope, id: `ses:msg:${name}` } as Envelope;
}

describe('real mail in the thread of another customer', () => {
  it('raises a suggestion for a person’s reply whose From DMARC vouched for (the control)', async () => {
    const { store, receive } = memoryReceiver();
    await receive(mail(PARENT, 'pat@shop.example'));
    const sony = await peerMail('reply', 'PASS');
    expect(sony.kind === 'message' && sony.data?.inReplyTo).toBe(`<${PARENT}>`);
    await receive(sony);
    expect(store.suggestions.size).toBe(2);
  });

  it.each([
    ['auto_reply', 'X-Autoreply: yes'],
    ['auto_reply_with_auto_submitted', 'Auto-Submitted: auto-generated'],
  ])('raises none for an automatic mail (%s: %s)', async (name) => {
    const { store, receive } = memoryReceiver();
    const pat = await receive(mail(PARENT, 'pat@shop.example'));
    const auto = await peerMail(name, 'PASS');
    expect(auto.kind === 'message' && (auto.data?.autoReply || auto.data?.automated)).toBe(true);
    const sony = await receive(auto);
    expect(sony.customerId).not.toBe(pat.customerId);
    expect(store.suggestions.size).toBe(0);
  });

  it.each([
    ['no DMARC verdict and no aligned SPF pass (fromUnverified: not_aligned)', undefined],
    ['a DMARC failure (fromUnverified: dmarc_fail)', 'FAIL' as const],
  ])('raises none for mail whose From nothing vouched for: %s', async (_n, dmarc) => {
    const { store, receive } = memoryReceiver();
    await receive(mail(PARENT, 'pat@shop.example'));
    const sony = await peerMail('reply', dmarc);
    expect(sony.kind === 'message' && sony.data?.fromUnverified).toBe(dmarc ? 'dmarc_fail' : 'not_aligned');
    await receive(sony);
    expect(store.suggestions.size).toBe(0);
  });
});
