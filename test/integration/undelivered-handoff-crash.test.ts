import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelSender, OutboundMessage } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { Keys } from '#shared/store/keys.js';
import { agentToken } from '../support/agent-token.js';
import { CrashAfter, isWaitAgain } from '../support/crash-after.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = agentToken('handoff-crash-token');
const QUESTION = 'How long does shipping take?';

/**
 * A describe block's runtime (routing, the AI, manual time from `start`), whose process dies right
 * after the write that brings a failed answer's wait back, once `armed` (a throw there, as a dying
 * process leaves it: the queue delivers the envelope or the reply again); `senders` replace the outbox.
 */
function crashingRuntime(start: string, senders?: { whatsapp: ChannelSender }) {
  const time = new ManualTimers(Date.parse(start));
  const crash = new CrashAfter(isWaitAgain);
  const state = { runtime: undefined as unknown as LocalRuntime };
  beforeAll(async () => {
    state.runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      ...(senders ? { senders } : {}),
      env: { AGENT_TOKENS: `agent-crash:${TOKEN}` },
      dynamoClient: (client) => crash.attach(client),
    });
  }, 30_000);
  afterAll(async () => {
    await state.runtime?.close();
  });
  /** The customer writes a minute later; the webhook is taken, then handled. Answers the message's time. */
  const write = async (phone: string, id: string, text: string) => {
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    const body = whatsappText({ from: phone, name: 'Cass Crash', messages: [{ id, at, text }] });
    await post(body);
    return at;
  };
  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(state.runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
    expect(res.status).toBe(200);
    await state.runtime.idle();
  };
  /** Crashed once; waiting from `at` in the policy's queue, nobody's; one hand-off note, one `assigned` event. */
  const expectHandedOffOnce = async (phone: string, at: string, note: RegExp) => {
    expect(crash.crashes, 'died once, after the wait').toBe(1);
    const id = await openConversationOf(state.runtime, phone);
    const conversation = await state.runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const res = await fetch(
      `${state.runtime.url}/api/customers/${conversation?.customerId}/timeline?limit=200`,
      {
        headers: { Authorization: `Bearer ${TOKEN}` },
      },
    );
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([expect.stringMatching(note)]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  };
  return { time, state, crash, write, post, expectHandedOffOnce };
}

const HANDED_OFF = /^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp/;

/**
 * The AI's answer the provider took and later reported failed: the wait comes back and a person is
 * handed the conversation. A resolver that dies right after the wait's write must leave the hand-off
 * to the status's redelivery, which makes it once. Through the local runtime on dynalite.
 */
describe('local runtime: a crash between the wait and the hand-off of a failed AI answer', () => {
  const { time, state, crash, write, post, expectHandedOffOnce } =
    crashingRuntime('2026-03-03T10:00:00.000Z');

  it('hands it off on the redelivered status, once', async () => {
    const phone = '15550710001';
    const at = await write(phone, 'wamid.HANDOFFCRASH1', QUESTION);
    const id = await openConversationOf(state.runtime, phone);
    const answer = state.runtime.outbox.entries().find((e) => e.message.conversationId === id);
    if (!answer) throw new Error('the AI did not answer');
    crash.armed = true;
    for (const _ of [1, 2]) {
      time.advance(1000);
      const failed = whatsappStatus({
        id: answer.providerMessageId,
        status: 'failed',
        at: new Date(time.now()).toISOString(),
        recipient: phone,
        callbackData: answer.replyKey,
        errors: [{ code: 131026, title: 'Message undeliverable' }],
      });
      await post(failed);
    }
    await expectHandedOffOnce(phone, at, /could not be delivered on whatsapp \(131026/);
  });
});

/**
 * The sender's side: the provider takes the AI's answer and reports it failed before the sender has
 * recorded the send (a status naming only the provider's id: the resolver parks it), so the sender
 * brings the wait back, and must hand the conversation to a person as the resolver does. A sender that
 * dies right after the wait's write leaves the hand-off to the reply's redelivery, which finds the
 * reply failed and makes it once.
 */
describe('local runtime: the sender hands off the AI answer that failed before it recorded the send', () => {
  let attempts = 0;
  /** The AI's next answer fails: the resolver's try for now, the sender's with a `failed` first. */
  let failNext = false;
  const whatsapp = new LocalOutbox().sender();
  const failBeforeRecorded = async (message: OutboundMessage) => {
    const providerMessageId = `wamid.EARLYFAIL.${attempts}`;
    await deliver(
      signedMeta(
        state.runtime.url,
        '/webhooks/whatsapp',
        whatsappStatus({
          id: providerMessageId,
          status: 'failed',
          at: new Date(time.now()).toISOString(),
          recipient: message.to.value.replace('+', ''),
        }),
        SECRETS.meta,
      ),
    );
    // Parked by the resolver (the send is not recorded yet): then the send answers.
    const doc = DynamoDBDocument.from(inspectionClient(state.runtime.dynamoEndpoint));
    const key = Keys.messageRef('whatsapp', providerMessageId);
    for (let i = 0; i < 500; i++) {
      const parked = (await doc.get({ TableName: 'threadline', Key: key, ConsistentRead: true })).Item;
      if (parked?.status === 'failed') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    crash.armed = true;
    return { providerMessageId };
  };
  const sender: ChannelSender = {
    send: async (message) => {
      if (!failNext) return whatsapp.send(message);
      attempts += 1;
      // The resolver's own try fails for now: the reply goes to the sender.
      if (attempts === 1) throw new Error('provider timed out');
      return failBeforeRecorded(message);
    },
  };
  const { time, state, crash, write, expectHandedOffOnce } = crashingRuntime('2026-03-04T10:00:00.000Z', {
    whatsapp: sender,
  });

  it('hands it off on the redelivered reply, once', async () => {
    const phone = '15550710002';
    // The AI's first answer reaches them; its second (not the first response: the status that comes
    // first finds the customer waiting, nothing to undo) is the one that fails.
    await write(phone, 'wamid.HANDOFFCRASH2a', QUESTION);
    failNext = true;
    const at = await write(phone, 'wamid.HANDOFFCRASH2b', 'How long does shipping take to Spain?');
    failNext = false;
    expect(attempts, 'the resolver tried, then the sender').toBe(2);
    await expectHandedOffOnce(phone, at, HANDED_OFF);
  });
});

/**
 * The AI's answer the provider refuses for good at the send: the customer waits again, and a person is
 * handed the conversation as for an answer refused up front. A send that dies right after the wait's
 * write leaves the hand-off to the reply's next delivery, which finds it refused and makes it once.
 */
describe('local runtime: a refused AI answer goes to a person, once, after a crash past its wait', () => {
  const whatsapp = new LocalOutbox().sender();
  const sender: ChannelSender = {
    send: async (message) => {
      if (message.to.value !== '+15550710003') return whatsapp.send(message);
      crash.armed = true;
      throw new PermanentSendError('recipient unreachable', '131026');
    },
  };
  const { crash, write, expectHandedOffOnce } = crashingRuntime('2026-03-05T10:00:00.000Z', {
    whatsapp: sender,
  });

  it('hands it off on the next delivery of the reply, once', async () => {
    const at = await write('15550710003', 'wamid.HANDOFFCRASH3', QUESTION);
    await expectHandedOffOnce('15550710003', at, /could not be delivered on whatsapp \(131026\)/);
  });
});
