import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityFigures, seedItems } from '../support/capacity-meter.js';
import { ManualTimers } from '../support/manual-timers.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const TOKEN = agentToken('email-reply-cost-token');
const TABLE = 'threadline';
/** An email's words as a long mail carries them: some 3 KB on its timeline item. */
const LONG_TEXT = 'We ordered the oak table in March and it has still not arrived. '.repeat(48);

/**
 * An email reply reads the customer's latest email (its address, subject and thread) from the newest
 * end of their timeline and stops once it has it: a customer with hundreds of emails costs what one
 * with twenty does, a page of items above one with a single email. QA: every reply, the AI's or an agent's, read the customer's last 100
 * timeline items whole, mail bodies and all (some 40 read units more for a long correspondence).
 */
describe('local runtime: an email reply costs the same whatever the customer wrote before', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const meter = runtimeMeter();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-erc:${TOKEN}` },
    manualTime: manual,
    dynamoClient: meter.dynamoClient,
  });

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    agentCaller(() => runtime.url, TOKEN)<T>(method, path, body);
  const customerOf = async (address: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(address)}`))
      .items[0] as Customer;
  const email = async (address: string, sesId: string, subject: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: address,
      messageId: `<${sesId}@example.org>`,
      subject,
      text: LONG_TEXT,
    });
    const res = await deliver(
      signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at })),
    );
    expect(res.status, res.body).toBe(200);
    await runtime.idle();
  };

  /** `count` emails and our answers to them in the conversation, in the hours before its latest. */
  const seedCorrespondence = async (customer: Customer, address: string, count: number) => {
    const start = manual.now() - 5 * 3_600_000;
    const pk = `CUSTOMER#${customer.id}`;
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const [asked, answered] = [start + i * 20_000, start + i * 20_000 + 10_000].map((t) =>
        new Date(t).toISOString(),
      );
      const base = { pk, entity: 'timeline', conversationId: customer.openConversationId, channel: 'email' };
      items.push({
        ...base,
        sk: `TIMELINE#${asked}#email:seed-${i}`,
        at: asked,
        type: 'message',
        direction: 'inbound',
        providerMessageId: `seed-${i}`,
        contentType: 'text',
        text: LONG_TEXT,
        from: { kind: 'email', value: address },
        data: { subject: `Order ${i}`, messageId: `<seed-${i}@example.org>` },
      });
      items.push({
        ...base,
        sk: `TIMELINE#${answered}#reply:seed-${i}`,
        at: answered,
        type: 'message',
        direction: 'outbound',
        to: { kind: 'email', value: address },
        status: 'delivered',
        statusAt: answered,
        contentType: 'text',
        text: LONG_TEXT,
        data: { author: { kind: 'agent', id: 'agent-erc' }, subject: `Re: Order ${i}` },
      });
    }
    const client = inspectionClient(runtime.dynamoEndpoint);
    await seedItems(client, TABLE, items);
    client.destroy();
  };

  /** What an agent's email reply costs, from the API call to its send. */
  const replyCost = async (address: string, text: string, inReplyTo: string): Promise<CapacityFigures> => {
    const customer = await customerOf(address);
    meter.reset();
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text,
      channel: 'email',
    });
    await runtime.idle();
    const cost = meter.figures();
    const sent = runtime.outbox.entries().filter((e) => e.message.text === text);
    // To the customer, in the thread of their latest email.
    expect(
      sent.map((e) => [e.message.to.value, e.message.email?.subject, e.message.email?.inReplyTo]),
    ).toEqual([[address, 'Where is the table?', inReplyTo]]);
    return cost;
  };

  it('reads the same for a customer with 150 emails and answers as for one with 20, a few units above a single email', async () => {
    const [single, some, many] = [
      'single.history@example.org',
      'some.history@example.org',
      'many.history@example.org',
    ];
    for (const address of [single, some, many])
      await email(address, `cost-${address}`, 'Where is the table?');
    await seedCorrespondence(await customerOf(some), some, 20);
    await seedCorrespondence(await customerOf(many), many, 150);

    const cost = async (address: string, text: string) =>
      replyCost(address, text, `<cost-${address}@example.org>`);
    const one = await cost(single, 'Your table ships on Monday.');
    const twenty = await cost(some, 'Your table ships on Tuesday.');
    const hundreds = await cost(many, 'Your table ships on Wednesday.');
    for (const figures of [twenty, hundreds]) expect(figures.byCommand).toEqual(one.byCommand);
    // The look reads 10 items from the conversation's latest email (its `lastInboundAt`) back: 10 and 9.5
    // read units for the two histories, one 4 KB rounding apart (before, 100 items or all there were: 23
    // and 47.5), 4 more than a timeline of one email (6) for mails this long.
    expect(Math.abs(hundreds.read - twenty.read)).toBeLessThanOrEqual(0.5);
    expect(hundreds.read - one.read).toBeLessThanOrEqual(4);
  });
});
