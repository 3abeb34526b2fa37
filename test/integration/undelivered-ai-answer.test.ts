import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('undelivered-token');

vi.setConfig({ testTimeout: 60_000 });

/**
 * The AI's answer the provider took and later reported failed: the customer waits again, and, as for
 * an answer refused up front, a person is handed the conversation (its queue, and a note saying why).
 * Through the local runtime (webhooks, resolver with routing and the AI, sender) on dynalite.
 */
describe('local runtime: an AI answer that fails after the provider took it goes to a person', () => {
  const time = new ManualTimers(Date.parse('2026-03-02T10:00:00.000Z'));
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      env: { AGENT_TOKENS: `agent-undelivered:${TOKEN}` },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };

  it('hands it to the queue with a note naming the failure, once however often the status comes', async () => {
    const phone = '15550700001';
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    await post(
      whatsappText({
        from: phone,
        name: 'Una Delivered',
        messages: [{ id: 'wamid.UNDELIVERED1', at, text: 'How long does shipping take?' }],
      }),
    );
    const id = await openConversationOf(runtime, phone);
    const answer = runtime.outbox.entries().find((e) => e.message.conversationId === id);
    if (!answer) throw new Error('the AI did not answer');
    expect((await runtime.store.conversations.getConversation(id))?.queue).toBeUndefined();
    const failed = async () => {
      time.advance(1000);
      await post(
        whatsappStatus({
          id: answer.providerMessageId,
          status: 'failed',
          at: new Date(time.now()).toISOString(),
          recipient: phone,
          callbackData: answer.replyKey,
        }),
      );
    };
    await failed();
    await failed();
    const conversation = await runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const res = await fetch(`${runtime.url}/api/customers/${conversation?.customerId}/timeline?limit=200`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const { items } = (await res.json()) as { items: Array<{ type: string; text?: string }> };
    const notes = items.filter((i) => i.type === 'note' && i.text?.includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([
      expect.stringMatching(/^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp/),
    ]);
  });
});
