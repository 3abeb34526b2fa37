import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '#shared/domain/outbox.js';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { openConversationOf } from '../support/open-conversation.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta, whatsappEcho, whatsappStatus } from '../support/webhooks.js';

const MINUTE = 60_000;
const SECRET = 'sla-answer-failed-secret';
/** A routine question: the AI answers it. */
const QUESTION = 'How long does shipping take?';
/** The customer asks for a person: routing hands off, and the AI stays silent. */
const HANDOFF = 'I want to speak to a person, please.';

/** Targets of ten minutes that the AI's answers meet too. */
const policyFile = (): string => slaPolicyFile({ aiRepliesCount: true });

/**
 * Time moves only when the test says so. The AI answers each message before that message reaches the
 * clock: its answer still counts, so no target runs and nothing breaches. A reply the provider later
 * reports failed brings the SLA's wait back from the customer's message, once however often the
 * status comes; so does a reply from the WhatsApp Business app whose failed status came after its echo.
 */
describe('local runtime: the SLA of answers that arrive first, and of answers that fail', () => {
  const clock = useClockRuntime({
    metaSecret: SECRET,
    agent: { token: agentToken('sla-failed-token') },
    policyFile: policyFile(),
    routing: true,
  });
  const { manual, advance, whatsapp } = clock;
  const iso = () => new Date(manual.now()).toISOString();
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(clock.runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await clock.idle();
  };
  const conversationOf = async (phone: string) => {
    const id = await openConversationOf(clock.runtime, phone);
    return async () => (await clock.runtime.store.conversations.getConversation(id)) as Conversation;
  };
  /** The SLA targets' met and missed counts (each conversation's phone is its own test's). */
  const targets = async () => {
    const { overall } = await clock.api<{
      overall: { sla?: Record<string, { met: number; missed: number }> };
    }>('GET', '/api/metrics');
    return overall.sla ?? {};
  };
  const aiAnswers = (): OutboxEntry[] =>
    clock.runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai');
  const breaches = async (conversation: Conversation) => {
    const { items } = await clock.api<{ items: TimelineItem[] }>(
      'GET',
      `/api/customers/${conversation.customerId}/timeline?limit=200`,
    );
    return items.filter((i) => i.event === 'sla_breached').map((i) => i.data?.metric);
  };

  it("counts the AI's answer to each message, and brings the wait back when one fails, once", async () => {
    const phone = '447700900801';
    await whatsapp({ from: phone, id: 'wamid.sla-failed-1', text: QUESTION });
    const read = await conversationOf(phone);
    expect((await read()).sla).toMatchObject({ waitingOn: 'customer', responded: true });
    await advance(MINUTE);
    const asked = iso();
    await whatsapp({ from: phone, id: 'wamid.sla-failed-2', text: QUESTION });
    expect(aiAnswers()).toHaveLength(2);
    const answered = (await read()).sla as SlaState;
    expect(answered).toMatchObject({ waitingOn: 'customer', responded: true });
    expect(answered.nextResponseDue).toBeUndefined();
    await advance(11 * MINUTE);
    expect(await breaches(await read())).toEqual([]);

    // The provider reports the second answer failed: the customer waits again from their message.
    const answer = aiAnswers()[1] as OutboxEntry;
    const failed = whatsappStatus({
      id: answer.providerMessageId,
      status: 'failed',
      at: iso(),
      recipient: phone,
      callbackData: answer.replyKey,
    });
    await post(failed);
    const back = await read();
    expect(back.waitingSince).toBe(asked);
    expect(back.sla).toMatchObject({
      waitingOn: 'agent',
      nextResponseDue: new Date(Date.parse(asked) + 10 * MINUTE).toISOString(),
    });
    await advance(1000);
    expect(await breaches(await read())).toEqual(['nextResponse']);
    const version = (await read()).sla?.version;
    // The failed answer met nothing: its target counts missed, never met.
    const counted = await targets();
    expect(counted.nextResponse).toMatchObject({ met: 0, missed: 1 });
    await post(failed);
    expect((await read()).sla?.version).toBe(version);
    expect(await targets()).toEqual(counted);
  }, 60_000);

  it('brings the wait back when a business app reply fails after its echo', async () => {
    const phone = '447700900802';
    const asked = iso();
    await whatsapp({ from: phone, id: 'wamid.sla-failed-3', text: HANDOFF });
    const read = await conversationOf(phone);
    await advance(MINUTE);
    const sent = iso();
    await post(whatsappEcho({ to: phone, id: 'wamid.sla-failed-app', at: sent, text: 'Here I am.' }));
    expect((await read()).sla).toMatchObject({ waitingOn: 'customer', responded: true });
    expect((await read()).waitingSince).toBeUndefined();

    await advance(MINUTE);
    const failed = whatsappStatus({
      id: 'wamid.sla-failed-app',
      status: 'failed',
      at: iso(),
      recipient: phone,
    });
    const firstMet = (await targets()).firstResponse?.met ?? 0;
    await post(failed);
    const back = await read();
    // The target the reply met is counted met no more.
    expect((await targets()).firstResponse?.met).toBe(firstMet - 1);
    // The conversation waits from the reply's time (it names no message); the SLA from the message.
    expect(back.waitingSince).toBe(sent);
    expect(back.sla).toMatchObject({
      waitingOn: 'agent',
      responded: false,
      firstResponseDue: new Date(Date.parse(asked) + 10 * MINUTE).toISOString(),
    });
    const version = back.sla?.version;
    await post(failed);
    expect((await read()).sla?.version).toBe(version);
    expect((await targets()).firstResponse?.met).toBe(firstMet - 1);
  }, 60_000);
});
