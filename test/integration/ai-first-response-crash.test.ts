import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Metrics } from '#shared/domain/metrics.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { CrashAfter, type WriteInput } from '../support/crash-after.js';
import { ManualTimers } from '../support/manual-timers.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = agentToken('ai-first-response-crash-admin');
const QUESTION = 'How long does shipping take?';
const WAITED_MS = 4_000;

/** The AI's first-response mark on the conversation (`firstAnswerInput`: the answer ends the wait). */
const isAiMark = (input: WriteInput) =>
  String(input.Key?.pk ?? '').startsWith('CONVERSATION#') &&
  (input.UpdateExpression ?? '').includes('firstResponseAt = :first');
/** The owed count's add to the day's counters, under its claim. */
const isClaimedAdd = (input: WriteInput) =>
  String(input.Key?.pk ?? '').startsWith('METRICS#') &&
  (input.UpdateExpression ?? '').includes('#claim = :claimBy');

/**
 * The AI's first answer marked the conversation, then counted its first response in routing's decision
 * write: a resolver that died between the two lost the count for good (the redelivery found the mark
 * and the reply stored, and counted nothing). Its mark now owes the count in the same write, so the
 * message delivered again settles it: exactly one first response, whichever write the crash followed.
 * Through the local runtime on dynalite.
 */
describe("local runtime: the resolver dies between the AI's first-response mark and its count", () => {
  const time = new ManualTimers(Date.parse('2026-03-04T10:00:00.000Z'));
  let crashesAfter = isAiMark;
  const crash = new CrashAfter((input) => crashesAfter(input));
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: time,
      queue: { visibilityTimeoutMs: 50 },
      env: { AGENT_TOKENS: `admin-ai-crash:${TOKEN}:admin` },
      dynamoClient: (client) => crash.attach(client),
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const figures = async () =>
    (await api<{ overall: Metrics }>('GET', '/api/metrics')).overall.firstResponseMs;

  /** The customer's question, asked `WAITED_MS` ago; the resolver dies after the write `matches` picks. */
  const askCrashing = async (phone: string, id: string, matches: (input: WriteInput) => boolean) => {
    time.advance(60_000);
    const at = new Date(time.now() - WAITED_MS).toISOString();
    const question = whatsappText({ from: phone, name: 'Ada', messages: [{ id, at, text: QUESTION }] });
    const post = async () => {
      const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', question, SECRETS.meta));
      expect(res.status).toBe(200);
      await runtime.idle();
    };
    crashesAfter = matches;
    const crashes = crash.crashes;
    crash.armed = true;
    await post();
    expect(crash.crashes - crashes, 'died once').toBe(1);
    // The queue delivers the message again (twice: the second changes nothing more).
    await post();
    await post();
    return openConversationOf(runtime, phone);
  };

  it.each([
    ['after its mark (the count owed)', '447700900431', 'wamid.AICRASH1', isAiMark],
    ['after the count was added (not yet settled)', '447700900432', 'wamid.AICRASH2', isClaimedAdd],
  ])('counts the first response once when it died %s', async (_, phone, id, matches) => {
    const before = await figures();
    const conversationId = await askCrashing(phone, id, matches);
    const after = await figures();
    expect(after.conversations).toBe(before.conversations + 1);
    const total = (after.mean ?? 0) * after.conversations - (before.mean ?? 0) * before.conversations;
    expect(Math.round(total)).toBe(WAITED_MS);
    // Nothing owed any more: the redelivery settled it.
    const client = inspectionClient(runtime.dynamoEndpoint);
    const key = Keys.conversation(conversationId);
    const { Item } = await documentClient(client).get({
      TableName: 'threadline',
      Key: key,
      ConsistentRead: true,
    });
    client.destroy();
    expect(Item).toMatchObject({ firstResponseAt: new Date(time.now()).toISOString() });
    expect(Item?.countOwed).toBeUndefined();
  });
});
