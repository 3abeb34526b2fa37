import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelSender } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { CrashAfter, type WriteInput } from '../support/crash-after.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = agentToken('refused-crash-token');
const REFUSED = '15550720001';

/** The write that records a reply refused for good: the reply's item, with its failure's time. */
const isRefusalRecord = (input: WriteInput) => (input.UpdateExpression ?? '').includes('sendFailedAt');

/**
 * The AI's answer, sent by the resolver in the invocation that stored it, refused for good by the
 * provider: the resolver records the refusal, then dies (the process gone: nothing after that write
 * runs, the reply never reaches the outbound queue) and the customer's message comes again. The
 * redelivery finds the answer recorded, and refused: it must still bring the wait back and hand the
 * conversation to a person, once. Through the local runtime on dynalite.
 */
describe('local runtime: the resolver dies right after recording an inline refused AI answer', () => {
  const time = new ManualTimers(Date.parse('2026-03-06T10:00:00.000Z'));
  const state = { runtime: undefined as unknown as LocalRuntime, dead: false };
  const crash = new CrashAfter(isRefusalRecord, () => {
    state.dead = true;
  });
  const whatsapp = new LocalOutbox().sender();
  const sender: ChannelSender = {
    send: async (message) => {
      if (message.to.value !== `+${REFUSED}`) return whatsapp.send(message);
      throw new PermanentSendError('recipient unreachable', '131026');
    },
  };
  beforeAll(async () => {
    state.runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      senders: { whatsapp: sender },
      env: { AGENT_TOKENS: `agent-crash:${TOKEN}` },
      dynamoClient: (client) => crash.attach(client),
    });
    // A dead process hands nothing to the sender: the reply it would have queued is lost with it.
    const outbound = state.runtime.outbound;
    const send = outbound.send.bind(outbound);
    outbound.send = (async (...args: Parameters<typeof send>) => {
      if (!state.dead) return send(...args);
    }) as typeof outbound.send;
  }, 30_000);
  afterAll(async () => {
    await state.runtime?.close();
  });
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(state.runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
    await state.runtime.idle();
  };

  it('hands it off on the redelivered message, once', async () => {
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    const question = whatsappText({
      from: REFUSED,
      name: 'Cass Crash',
      messages: [{ id: 'wamid.REFUSEDCRASH1', at, text: 'How long does shipping take?' }],
    });
    crash.armed = true;
    await post(question);
    expect(crash.crashes, 'died once, after the refusal').toBe(1);
    // The queue delivers the message again (twice: a second changes nothing more).
    state.dead = false;
    await post(question);
    await post(question);

    const id = await openConversationOf(state.runtime, REFUSED);
    const conversation = await state.runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const res = await fetch(
      `${state.runtime.url}/api/customers/${conversation?.customerId}/timeline?limit=200`,
      { headers: { Authorization: `Bearer ${TOKEN}` } },
    );
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([expect.stringMatching(/on whatsapp \(131026\)/)]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  });
});
