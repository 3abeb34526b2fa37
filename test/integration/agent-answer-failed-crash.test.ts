import { describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { CrashAfter, isWaitAgain } from '../support/crash-after.js';
import { openConversationOf } from '../support/open-conversation.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta, whatsappStatus } from '../support/webhooks.js';

const MINUTE = 60_000;
const META_SECRET = 'agent-failed-crash-secret';

/**
 * An agent's first answer the provider took, then reported failed: its wait comes back and the first
 * response it was is taken back (the next answer is the first response). A resolver that dies right
 * after the wait's write (a throw there, as a dying process leaves it: the queue delivers the status
 * again) must leave the take-back to the redelivered status, which finds the wait back already.
 */
describe('local runtime: a crash between the wait and the first-response take-back of a failed agent answer', () => {
  const state = new CrashAfter(isWaitAgain);
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('agent-failed-crash-token') },
    policyFile: slaPolicyFile(),
    routing: false,
    queue: { visibilityTimeoutMs: 50 },
    dynamoClient: (client) => state.attach(client),
  });
  const { manual, advance, whatsapp } = clock;
  const firstResponses = async () =>
    (
      await clock.api<{ overall: { firstResponseMs: { mean: number | null; conversations: number } } }>(
        'GET',
        '/api/metrics',
      )
    ).overall.firstResponseMs;

  it('takes the first response back on the redelivered status, once; the next answer is the first response', async () => {
    const phone = '447700900871';
    await whatsapp({ from: phone, id: 'wamid.agent-failed-crash-1', text: 'Where is my parcel?' });
    const id = await openConversationOf(clock.runtime, phone);
    await advance(2 * MINUTE);
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'Let me check.' })).status,
    ).toBe(202);
    await clock.idle();
    expect(await firstResponses()).toMatchObject({ conversations: 1, mean: 2 * MINUTE });
    const sent = clock.runtime.outbox.entries().find((e) => e.message.conversationId === id);
    if (!sent) throw new Error('the reply did not go out');

    state.armed = true;
    for (const _ of [1, 2]) {
      await advance(1000);
      const failed = whatsappStatus({
        id: sent.providerMessageId,
        status: 'failed',
        at: new Date(manual.now()).toISOString(),
        recipient: phone,
        callbackData: sent.replyKey,
        errors: [{ code: 131026, title: 'Message undeliverable' }],
      });
      const res = await deliver(signedMeta(clock.runtime.url, '/webhooks/whatsapp', failed, META_SECRET));
      expect(res.status).toBe(200);
      await clock.idle();
    }
    expect(state.crashes, 'died once, after the wait').toBe(1);
    const conversation = (await clock.runtime.store.conversations.getConversation(id)) as Conversation;
    expect(conversation.waitingSince).toBeDefined();
    expect(await firstResponses()).toMatchObject({ conversations: 0, mean: null });

    await advance(3 * MINUTE);
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'It ships today.' })).status,
    ).toBe(202);
    await clock.idle();
    // Counted once, from the failed answer's own time (its wait's start: see lateFailureWait).
    expect(await firstResponses()).toMatchObject({ conversations: 1, mean: 3 * MINUTE + 2000 });
  }, 60_000);
});
