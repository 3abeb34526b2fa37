import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelSender, OutboundMessage } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { Keys } from '#shared/store/keys.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = 'handoff-crash-token';

/** The write that brings a failed answer's wait back: the conversation's, conditional on the failed answer. */
const isWaitAgain = (input: {
  Key?: { pk?: unknown };
  UpdateExpression?: string;
  ConditionExpression?: string;
}) =>
  String(input.Key?.pk ?? '').startsWith('CONVERSATION#') &&
  (input.UpdateExpression ?? '').startsWith('SET waitingSince = :at') &&
  (input.ConditionExpression ?? '').includes(':failed');

/**
 * The AI's answer the provider took and later reported failed: the wait comes back and a person is
 * handed the conversation. A resolver that dies right after the wait's write (a throw there, as a dying
 * process leaves it) must leave the hand-off to the status's redelivery, which makes it once: one note,
 * one `assigned` event, the policy's queue. Through the local runtime on dynalite.
 */
describe('local runtime: a crash between the wait and the hand-off of a failed AI answer', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  let runtime: LocalRuntime;
  let crashArmed = false;
  let crashes = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      env: { AGENT_TOKENS: `agent-crash:${TOKEN}` },
      dynamoClient: (client) => {
        client.middlewareStack.add(
          (next) => async (args) => {
            const hit = crashArmed && isWaitAgain(args.input as Parameters<typeof isWaitAgain>[0]);
            const out = await next(args);
            if (hit) {
              crashArmed = false;
              crashes += 1;
              throw new Error('the resolver died right after the wait came back');
            }
            return out;
          },
          { step: 'initialize', name: 'crashAfterWaitAgain' },
        );
        return client;
      },
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
  const timeline = async (customerId: string) => {
    const res = await fetch(`${runtime.url}/api/customers/${customerId}/timeline?limit=200`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
  };

  it('hands it off on the redelivered status, once', async () => {
    const phone = '15550710001';
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    await post(
      whatsappText({
        from: phone,
        name: 'Cass Crash',
        messages: [{ id: 'wamid.HANDOFFCRASH1', at, text: 'How long does shipping take?' }],
      }),
    );
    const id = await openConversationOf(runtime, phone);
    const answer = runtime.outbox.entries().find((e) => e.message.conversationId === id);
    if (!answer) throw new Error('the AI did not answer');
    crashArmed = true;
    for (const _ of [1, 2]) {
      time.advance(1000);
      await post(
        whatsappStatus({
          id: answer.providerMessageId,
          status: 'failed',
          at: new Date(time.now()).toISOString(),
          recipient: phone,
          callbackData: answer.replyKey,
          errors: [{ code: 131026, title: 'Message undeliverable' }],
        }),
      );
    }
    expect(crashes, 'the resolver died once, after the wait').toBe(1);
    const conversation = await runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const items = await timeline(String(conversation?.customerId));
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([
      expect.stringMatching(
        /^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp \(131026/,
      ),
    ]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  });
});

/**
 * The sender's side: the provider takes the AI's answer and reports it failed before the sender has
 * recorded the send, so the sender brings the wait back, and must hand the conversation to a person
 * as the resolver does. A sender that dies right after the wait's write leaves the hand-off to the
 * reply's redelivery, which finds the reply failed and makes it once.
 */
describe('local runtime: the sender hands off the AI answer that failed before it recorded the send', () => {
  const time = new ManualTimers(Date.parse('2026-03-04T10:00:00.000Z'));
  let runtime: LocalRuntime;
  let crashArmed = false;
  let crashes = 0;
  let attempts = 0;
  /** The AI's next answer fails: the resolver's try for now, the sender's with a `failed` first. */
  let failNext = false;
  const outbox = new LocalOutbox();
  const whatsapp = outbox.sender();
  const doc = () => DynamoDBDocument.from(inspectionClient(runtime.dynamoEndpoint));
  /**
   * The provider's `failed`, posted while the send is under way, naming only the provider's id (no
   * reply key): the resolver can only park it, and the sender's record of the send applies it.
   */
  const failBeforeRecorded = async (message: OutboundMessage) => {
    const providerMessageId = `wamid.EARLYFAIL.${attempts}`;
    const status = whatsappStatus({
      id: providerMessageId,
      status: 'failed',
      at: new Date(time.now()).toISOString(),
      recipient: message.to.value.replace('+', ''),
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', status, SECRETS.meta))).status).toBe(
      200,
    );
    const key = Keys.messageRef('whatsapp', providerMessageId);
    for (let i = 0; i < 500; i++) {
      const parked = (await doc().get({ TableName: 'threadline', Key: key, ConsistentRead: true })).Item;
      if (parked?.status === 'failed') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    crashArmed = true;
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

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      senders: { whatsapp: sender },
      env: { AGENT_TOKENS: `agent-crash:${TOKEN}` },
      dynamoClient: (client) => {
        client.middlewareStack.add(
          (next) => async (args) => {
            const hit = crashArmed && isWaitAgain(args.input as Parameters<typeof isWaitAgain>[0]);
            const out = await next(args);
            if (hit) {
              crashArmed = false;
              crashes += 1;
              throw new Error('the sender died right after the wait came back');
            }
            return out;
          },
          { step: 'initialize', name: 'crashAfterWaitAgain' },
        );
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  it('hands it off on the redelivered reply, once', async () => {
    const phone = '15550710002';
    const write = async (id: string, body: string) => {
      time.advance(60_000);
      const at = new Date(time.now()).toISOString();
      const text = whatsappText({ from: phone, name: 'Sam Sender', messages: [{ id, at, text: body }] });
      const taken = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', text, SECRETS.meta));
      expect(taken.status).toBe(200);
      await runtime.idle();
      return at;
    };
    // The AI's first answer reaches them; its second (not the first response: the status that comes
    // first finds the customer waiting, nothing to undo) is the one that fails.
    await write('wamid.HANDOFFCRASH2a', 'How long does shipping take?');
    failNext = true;
    const at = await write('wamid.HANDOFFCRASH2b', 'How long does shipping take to Spain?');
    failNext = false;
    expect(attempts, 'the resolver tried, then the sender').toBe(2);
    expect(crashes, 'the sender died once, after the wait').toBe(1);
    const id = await openConversationOf(runtime, phone);
    const conversation = await runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const res = await fetch(`${runtime.url}/api/customers/${conversation?.customerId}/timeline?limit=200`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([
      expect.stringMatching(/^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp/),
    ]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  });
});

/**
 * The AI's answer the provider refuses for good at the send: the customer waits again, and a person is
 * handed the conversation as for an answer refused up front. A send that dies right after the wait's
 * write leaves the hand-off to the reply's next delivery, which finds it refused and makes it once.
 */
describe('local runtime: a refused AI answer goes to a person, once, after a crash past its wait', () => {
  const time = new ManualTimers(Date.parse('2026-03-05T10:00:00.000Z'));
  let runtime: LocalRuntime;
  let crashArmed = false;
  let crashes = 0;
  const outbox = new LocalOutbox();
  const whatsapp = outbox.sender();
  const sender: ChannelSender = {
    send: async (message) => {
      if (message.to.value !== '+15550710003') return whatsapp.send(message);
      crashArmed = true;
      throw new PermanentSendError('recipient unreachable', '131026');
    },
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      senders: { whatsapp: sender },
      env: { AGENT_TOKENS: `agent-crash:${TOKEN}` },
      dynamoClient: (client) => {
        client.middlewareStack.add(
          (next) => async (args) => {
            const hit = crashArmed && isWaitAgain(args.input as Parameters<typeof isWaitAgain>[0]);
            const out = await next(args);
            if (hit) {
              crashArmed = false;
              crashes += 1;
              throw new Error('the send died right after the wait came back');
            }
            return out;
          },
          { step: 'initialize', name: 'crashAfterWaitAgain' },
        );
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  it('hands it off on the next delivery of the reply, once', async () => {
    const phone = '15550710003';
    time.advance(60_000);
    const at = new Date(time.now()).toISOString();
    const text = whatsappText({
      from: phone,
      name: 'Rae Refused',
      messages: [{ id: 'wamid.HANDOFFCRASH3', at, text: 'How long does shipping take?' }],
    });
    const taken = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', text, SECRETS.meta));
    expect(taken.status).toBe(200);
    await runtime.idle();
    expect(crashes, 'the send died once, after the wait').toBe(1);
    const id = await openConversationOf(runtime, phone);
    const conversation = await runtime.store.conversations.getConversation(id);
    expect(conversation).toMatchObject({ status: 'open', waitingSince: at, queue: 'general' });
    expect(conversation?.assignee).toBeUndefined();
    const res = await fetch(`${runtime.url}/api/customers/${conversation?.customerId}/timeline?limit=200`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    const notes = items.filter((i) => i.type === 'note' && String(i.text).includes('could not be delivered'));
    expect(notes.map((n) => n.text)).toEqual([
      expect.stringMatching(
        /^Hand-off \(ai_failed\): the AI's answer could not be delivered on whatsapp \(131026\)/,
      ),
    ]);
    const assigned = items.filter((i) => i.type === 'event' && i.event === 'assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]?.data).toMatchObject({ to: { queue: 'general', agentId: null } });
  });
});
