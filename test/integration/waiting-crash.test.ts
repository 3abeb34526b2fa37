import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelSender } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import { LocalOutbox } from '#shared/local/outbox.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { inboxAnsweredSortKey, inboxShardPartition, inboxSortKey, Keys } from '#shared/store/keys.js';
import { countKeyWrites } from '../support/key-writes.js';
import { stillTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const SECRET = 'waiting-crash-secret';
/** A routine question: the AI answers it. */
const QUESTION = 'How long does shipping take?';
/** The customer asks for a person: routing hands off. */
const HANDOFF = 'I want to speak to a person, please.';

/** Which write the resolver dies right after (the write lands, its answer is lost): once, when armed. */
type CrashPoint = 'conversation touch' | 'profile touch';

/**
 * The opening message's inbox entry is written once, after routing (by the AI's first-response mark,
 * answered, or by the resolver for a hand-off), so a resolver that dies between its touch and routing
 * leaves the conversation unlisted until the queue delivers the message again: the redelivery must
 * list it once, in the right state. And an AI answer recorded before its send that never goes out
 * leaves the customer waiting. Through the local runtime (webhook, resolver with routing and the AI,
 * sender) on dynalite; the crash is a throw right after the chosen write, as a dying process leaves it.
 */
describe('local runtime: a crash between the touch and routing lists the conversation once', () => {
  let runtime: LocalRuntime;
  let indexWrites = new Map<string, number>();
  let crashAfter: CrashPoint | undefined;
  let failSendsTo: string | undefined;
  const outbox = new LocalOutbox();
  const whatsapp = outbox.sender();
  const sender: ChannelSender = {
    send: async (message) => {
      if (message.to.value === failSendsTo) throw new PermanentSendError('recipient unreachable', '131026');
      return whatsapp.send(message);
    },
  };
  const doc = () => DynamoDBDocument.from(inspectionClient(runtime.dynamoEndpoint));

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRET, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
      routing: true,
      queue: { visibilityTimeoutMs: 50 },
      senders: { whatsapp: sender },
      timers: stillTimers(),
      dynamoClient: (client) => {
        client.middlewareStack.add(
          (next) => async (args) => {
            const input = args.input as { Key?: { pk?: unknown; sk?: unknown }; UpdateExpression?: string };
            const key = JSON.stringify(input.Key ?? '');
            const point = crashAfter;
            const update = input.UpdateExpression ?? '';
            const hit =
              point === 'conversation touch'
                ? key.includes('CONVERSATION#') && update.includes('lastInboundAt')
                : point === 'profile touch' &&
                  key.includes('CUSTOMER#') &&
                  key.includes('PROFILE') &&
                  update !== '';
            const out = await next(args);
            if (hit) {
              crashAfter = undefined;
              throw new Error(`the resolver died after the ${point}`);
            }
            return out;
          },
          { step: 'initialize', name: 'crashAfterTouch' },
        );
        indexWrites = countKeyWrites(client);
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const write = async (phone: string, id: string, text: string) => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const body = whatsappText({ from: phone, name: 'Crash Test', messages: [{ id, at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRET))).status).toBe(200);
    await runtime.idle();
    return at;
  };
  const conversationOf = (phone: string) => openConversationOf(runtime, phone);
  const item = async (id: string) =>
    (await doc().get({ TableName: 'threadline', Key: Keys.conversation(id), ConsistentRead: true })).Item ??
    {};
  /** How often the open inbox lists the conversation (every shard, merged), and its waiting flag. */
  const listed = async (id: string) => {
    const page = await runtime.store.conversations.inbox({ status: 'open' }, { limit: 200 });
    return page.items.filter((c) => c.id === id);
  };
  const inboxWrites = (id: string) => indexWrites.get(`gsi1pk=${inboxShardPartition('open', id)}`) ?? 0;
  const aiReplies = (phone: string) =>
    outbox.entries().filter((e) => e.message.author.kind === 'ai' && e.message.to.value === `+${phone}`);

  for (const point of ['conversation touch', 'profile touch'] as const) {
    it(`answered by the AI after a crash right after the ${point}: listed once, answered`, async () => {
      const phone = point === 'conversation touch' ? '15550500001' : '15550500002';
      indexWrites.clear();
      crashAfter = point;
      await write(phone, `wamid.CRASH-${phone}`, QUESTION);
      expect(crashAfter, 'the resolver crashed and the message came again').toBeUndefined();
      const id = await conversationOf(phone);
      expect(aiReplies(phone)).toHaveLength(1);
      const conversation = await item(id);
      expect(conversation.waitingSince).toBeUndefined();
      expect(conversation).toMatchObject({
        gsi1pk: inboxShardPartition('open', id),
        gsi1sk: inboxAnsweredSortKey(conversation.answeredAt, id),
        firstResponseAt: expect.any(String),
      });
      expect(await listed(id)).toHaveLength(1);
      // One entry put, already answered: the crashed touch wrote none.
      expect(inboxWrites(id)).toBe(1);
    });

    it(`handed off after a crash right after the ${point}: listed once, waiting from the message`, async () => {
      const phone = point === 'conversation touch' ? '15550500011' : '15550500012';
      indexWrites.clear();
      crashAfter = point;
      const at = await write(phone, `wamid.CRASH-${phone}`, HANDOFF);
      expect(crashAfter).toBeUndefined();
      const id = await conversationOf(phone);
      expect(aiReplies(phone)).toHaveLength(0);
      expect(await item(id)).toMatchObject({
        waitingSince: at,
        gsi1pk: inboxShardPartition('open', id),
        gsi1sk: inboxSortKey(at, id),
        queue: expect.any(String),
      });
      const rows = await listed(id);
      expect(rows).toHaveLength(1);
      // Listed after the hand-off's assignment: one entry put, with its queue.
      expect(inboxWrites(id)).toBe(1);
    });
  }

  it("waits from the message when the AI's recorded answer is never sent", async () => {
    const phone = '15550500021';
    failSendsTo = `+${phone}`;
    const at = await write(phone, 'wamid.CRASH-unsent', QUESTION);
    failSendsTo = undefined;
    const id = await conversationOf(phone);
    const conversation = await item(id);
    // The first-response mark listed it answered; the failed send put it back among the waiting.
    expect(conversation).toMatchObject({
      waitingSince: at,
      gsi1pk: inboxShardPartition('open', id),
      gsi1sk: inboxSortKey(at, id),
    });
    expect(conversation.answeredAt).toBeUndefined();
    expect(conversation.answeredSk).toBeUndefined();
    expect(await listed(id)).toHaveLength(1);
  });
});
