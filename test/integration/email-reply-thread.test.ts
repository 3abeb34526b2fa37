import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const TOKEN = agentToken('reply-thread-agent-token');
const PAT = 'pat.threads@example.org';

/**
 * A customer with two conversations open by email: each answer goes out in its own conversation's
 * thread (subject, In-Reply-To), never in the other's. QA: the reply to an address change went out as
 * "Re: Refund for order 1", inside the refund thread the customer had just written in again.
 */
describe('email replies keep to the thread of the conversation answered', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      // A resolved conversation stays resolved past a minute: new mail then opens a new one, and a reply
      // in its thread reopens it. Time moves only when the test says so.
      env: { AGENT_TOKENS: `agent-threads:${TOKEN}`, REOPEN_WINDOW_HOURS: '0.01' },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    agentCaller(() => runtime.url, TOKEN)<T>(method, path, body);
  const customer = async (address: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(address)}`)).items[0];
  const pat = () => customer(PAT);
  const email = async (sesId: string, subject: string, inReplyTo?: string, from = PAT) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: `Pat <${from}>`,
      messageId: `<${sesId}@example.org>`,
      ...(inReplyTo ? { inReplyTo } : {}),
      subject,
      text: `About: ${subject}`,
    });
    const res = await deliver(
      signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at })),
    );
    expect(res.status, res.body).toBe(200);
    await runtime.idle();
  };
  const reply = async (conversationId: string, text: string) => {
    await api('POST', `/api/conversations/${conversationId}/replies`, { text, channel: 'email' });
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.text === text);
    expect(sent).toHaveLength(1);
    return sent[0]?.message;
  };

  it('answers each open conversation in its own thread', async () => {
    await email('refund-1', 'Refund for order 1');
    const refund = (await pat())?.openConversationId as string;
    await api('POST', `/api/conversations/${refund}/resolve`);
    manual.advance(60_000); // past the 36 s reopen window
    await email('address-2', 'Address of order 2');
    const address = (await pat())?.openConversationId as string;
    expect(address).not.toBe(refund);
    // A late answer in the refund thread reopens the refund conversation: two are open now.
    await email('refund-1-again', 'Re: Refund for order 1', '<refund-1@example.org>');
    const conversations = await Promise.all(
      [refund, address].map((id) => api<{ status: string }>('GET', `/api/conversations/${id}`)),
    );
    expect(conversations.map((c) => c.status)).toEqual(['open', 'open']);

    const toAddress = await reply(address, 'Address of order 2 changed');
    expect(toAddress?.email).toMatchObject({
      subject: 'Address of order 2',
      inReplyTo: '<address-2@example.org>',
    });
    expect(toAddress?.to).toEqual({ kind: 'email', value: PAT });
    const toRefund = await reply(refund, 'Refund sent');
    expect(toRefund?.email).toMatchObject({
      subject: 'Re: Refund for order 1',
      inReplyTo: '<refund-1-again@example.org>',
    });
  });

  // QA: a reply in an older conversation left its thread once the customer had written about 50 mails
  // in another one since (two items each): the look for the conversation's latest email read only the
  // customer's newest 100 items, and the reply went out as "Your message", threaded on nothing.
  it("answers an older conversation in its thread past more than 100 of the customer's newer items", async () => {
    const ops = 'ops.threads@example.org';
    await email('sso-1', 'SSO broken for tenant initech', undefined, ops);
    const sso = (await customer(ops))?.openConversationId as string;
    await api('POST', `/api/conversations/${sso}/resolve`);
    manual.advance(60_000);
    await email('seats-1', 'Licence question', undefined, ops);
    const who = (await customer(ops)) as Customer;
    const seats = who.openConversationId as string;
    expect(seats).not.toBe(sso);
    // 120 more of the customer's mails in the other conversation, newer than the SSO thread's.
    const start = manual.now();
    const newer: TimelineItem[] = Array.from({ length: 120 }, (_, i) => ({
      id: `email:seats-more-${i}`,
      type: 'message',
      customerId: who.id,
      conversationId: seats,
      channel: 'email',
      direction: 'inbound',
      at: new Date(start + (i + 1) * 1000).toISOString(),
      from: { kind: 'email', value: ops },
      text: `How many seats? (${i})`,
      data: { subject: `Re: Licence question`, messageId: `<seats-more-${i}@example.org>` },
    }));
    await writeTimelineItems(runtime, newer);
    manual.advance(121_000);
    await api('POST', `/api/conversations/${sso}/reopen`);
    const toSso = await reply(sso, 'The SSO fix is deployed');
    expect(toSso?.email).toMatchObject({
      subject: 'SSO broken for tenant initech',
      inReplyTo: '<sso-1@example.org>',
      references: ['<sso-1@example.org>'],
    });
  });
});
