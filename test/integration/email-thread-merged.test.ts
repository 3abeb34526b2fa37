import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityMeter, meterClient } from '../support/capacity-meter.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const TOKEN = agentToken('thread-merged-admin-token');
const PAT = 'pat.merged@acme.example';
const BOB = 'bob.merged@acme.example';
const CAL = 'cal.merged@acme.example';

/**
 * Three addresses of one person, merged one into the next (Cal into Bob, Bob into Pat): an answer in a
 * thread the merged-away address started finds that conversation, as one in the kept customer's own
 * thread does. QA: after the merge, the answer in Bob's thread landed in Pat's open conversation, the
 * thread link naming a customer the resolver no longer matched.
 */
describe('email threads of customers merged in', () => {
  let runtime: LocalRuntime;
  let meter: CapacityMeter;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-thread-merged:${TOKEN}:admin` },
      manualTime: manual,
      dynamoClient: (c) => {
        meter = meterClient(c);
        return c;
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  /** A mail from `from`, a second after the last thing the test did; the DynamoDB calls it cost. */
  const email = async (sesId: string, from: string, inReplyTo?: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@acme.example>`,
      subject: 'Chairs',
      text: `Message ${sesId}`,
      ...(inReplyTo ? { inReplyTo } : {}),
    });
    meter.reset();
    expect(
      (await deliver(signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at }))))
        .status,
    ).toBe(200);
    await runtime.idle();
    return meter.figures();
  };
  const conversationOf = async (customerId: string, itemId: string) =>
    (await reads.timeline(customerId)).find((i) => i.id === itemId)?.conversationId;

  it('files the answer in the merged-away customer’s conversation, with one read more per merge beyond the first', async () => {
    await email('pat-1', PAT);
    await email('bob-1', BOB);
    await email('cal-1', CAL);
    const [pat, bob, cal] = await Promise.all([PAT, BOB, CAL].map((a) => reads.find(a)));
    const patConversation = pat?.openConversationId as string;
    const bobConversation = bob?.openConversationId as string;
    const calConversation = cal?.openConversationId as string;
    expect(new Set([patConversation, bobConversation, calConversation]).size).toBe(3);
    manual.advance(1000);
    await api('POST', `/api/conversations/${bobConversation}/replies`, { text: 'Which colour?' });
    await runtime.idle();
    const ours = runtime.outbox.entries().find((e) => e.message.text === 'Which colour?')?.message;
    const ourMessageId = `<${ours?.id}@outbox.threadline.local>`;

    manual.advance(1000);
    await api('POST', `/api/customers/${bob?.id}/merge`, { customerId: cal?.id });
    await api('POST', `/api/customers/${pat?.id}/merge`, { customerId: bob?.id });
    await runtime.idle();

    // The kept customer's own thread: the baseline.
    const own = await email('pat-2', PAT, '<pat-1@acme.example>');
    expect(await conversationOf(pat?.id as string, 'email:pat-2')).toBe(patConversation);
    // Bob, merged straight into Pat, answers our reply in his thread: no read more.
    const merged = await email('bob-2', BOB, ourMessageId);
    expect(await conversationOf(pat?.id as string, 'email:bob-2')).toBe(bobConversation);
    // Cal, merged into Bob before Bob into Pat, answers his own first mail: Bob's profile read once.
    const deeper = await email('cal-2', CAL, '<cal-1@acme.example>');
    expect(await conversationOf(pat?.id as string, 'email:cal-2')).toBe(calConversation);
    const gets = (f: { byCommand: Record<string, number> }) => f.byCommand.GetItemCommand ?? 0;
    expect(gets(merged)).toBe(gets(own));
    expect(gets(deeper)).toBe(gets(own) + 1);

    // One person: no suggestion between the customers merged.
    const suggestions = await api<{ items: unknown[] }>('GET', `/api/customers/${pat?.id}/suggestions`);
    expect(suggestions.items).toEqual([]);
  });
});
