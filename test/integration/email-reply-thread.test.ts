import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
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
  const pat = async () =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(PAT)}`)).items[0];
  const email = async (sesId: string, subject: string, inReplyTo?: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: `Pat <${PAT}>`,
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
});
