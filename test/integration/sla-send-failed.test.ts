import { describe, expect, it } from 'vitest';
import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { openConversationOf } from '../support/open-conversation.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;

/** WhatsApp standing in: it refuses the first reply outright (before any status), then takes the rest. */
class RefusingFirstSender implements ChannelSender {
  readonly sent: OutboundMessage[] = [];
  #refused = false;

  async send(message: OutboundMessage): Promise<SendResult> {
    if (!this.#refused) {
      this.#refused = true;
      throw new PermanentSendError('recipient not reachable', '131026');
    }
    this.sent.push(message);
    return { providerMessageId: `wamid.ok-${this.sent.length}` };
  }
}

/**
 * The sender gives up on an agent's first answer (the channel refuses it before the provider took it):
 * that answer never reached the customer. QA: the sender held no clock, so the SLA kept the target the
 * answer met, and the first-response time kept the failed answer's wait; the answer sent next counted
 * nothing.
 */
describe('local runtime: a first answer the sender gives up on', () => {
  const whatsappSender = new RefusingFirstSender();
  const clock = useClockRuntime({
    metaSecret: 'sla-send-failed-secret',
    agent: { token: agentToken('sla-send-failed-token') },
    // A ten-minute first-response target; no AI: the agent answers.
    policyFile: slaPolicyFile(),
    routing: false,
    senders: { whatsapp: whatsappSender },
  });
  const { manual, advance, whatsapp } = clock;
  const iso = () => new Date(manual.now()).toISOString();
  const metrics = async () =>
    (
      await clock.api<{
        overall: {
          firstResponseMs: { mean: number | null; conversations: number };
          sla?: Record<string, { met: number; missed: number }>;
        };
      }>('GET', '/api/metrics')
    ).overall;

  it('takes back its first response and the target it met; the next answer sent is the first response', async () => {
    const phone = '447700900811';
    const asked = iso();
    await whatsapp({ from: phone, id: 'wamid.send-failed-1', text: 'Where is my parcel?' });
    const id = await openConversationOf(clock.runtime, phone);
    const read = async () => (await clock.runtime.store.conversations.getConversation(id)) as Conversation;

    await advance(2 * MINUTE);
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'Let me check.' })).status,
    ).toBe(202);
    await clock.idle();
    expect(whatsappSender.sent).toEqual([]);
    expect((await read()).sla).toMatchObject({
      waitingOn: 'agent',
      responded: false,
      firstResponseDue: new Date(Date.parse(asked) + 10 * MINUTE).toISOString(),
    });
    const afterRefusal = await metrics();
    expect(afterRefusal.firstResponseMs).toMatchObject({ conversations: 0, mean: null });
    expect(afterRefusal.sla?.firstResponse?.met ?? 0).toBe(0);

    await advance(3 * MINUTE);
    expect(
      (await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'It ships today.' })).status,
    ).toBe(202);
    await clock.idle();
    expect(whatsappSender.sent).toHaveLength(1);
    expect((await read()).sla).toMatchObject({ waitingOn: 'customer', responded: true });
    const answered = await metrics();
    expect(answered.firstResponseMs).toMatchObject({ conversations: 1, mean: 5 * MINUTE });
    expect(answered.sla?.firstResponse).toMatchObject({ met: 1, missed: 0 });
  }, 60_000);
});
