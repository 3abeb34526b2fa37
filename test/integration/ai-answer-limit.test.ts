import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('ai-limit-agent-token');
const LIMIT = 3;
const PHONE = '447700900777';
/** What an auto-responder that marks nothing sends back to every answer: the same words each time. */
const LOOPING = 'How long does shipping take?';

/** The shipped policy open around the clock, with a limit of three AI answers in a row. */
function limitedPolicy(): string {
  return alwaysOpenPolicyFile((policy) => {
    policy.escalation.aiMaxAnswersPerConversation = LIMIT;
  });
}

/**
 * A WhatsApp sender that keeps writing the same question, as an auto-responder that marks nothing
 * would: the AI answers three times in a row, then the fourth message goes to a person with the
 * reason `ai_answer_limit`. A redelivered message counts once. Through the local runtime, routing on.
 */
describe('local runtime: the AI answer limit hands a looping conversation to a person', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T15:00:00.000Z'));
  const calls: RecordedCall[] = [];
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-lim:${TOKEN}:admin`, ROUTING_POLICY_FILE: limitedPolicy() },
      routing: true,
      manualTime: time,
      dynamoClient: (c) => {
        recordCalls(c, calls);
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);

  /** Delivers one WhatsApp message (again, for a redelivery) and answers the DynamoDB calls it made. */
  const whatsapp = async (id: string, at: number): Promise<RecordedCall[]> => {
    await runtime.idle();
    calls.length = 0;
    const body = whatsappText({
      from: PHONE,
      name: 'Otto Reply',
      messages: [{ id, at: new Date(at).toISOString(), text: LOOPING }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
    return calls.filter((c) => !c.pk.startsWith('LIVE#'));
  };
  const aiAnswers = () => runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai');

  it('answers three messages in a row by AI, then hands the fourth to a person, counting a redelivery once', async () => {
    const start = time.now();
    const perMessage: RecordedCall[][] = [];
    for (let n = 1; n <= LIMIT; n++) {
      time.advance(60_000);
      perMessage.push(await whatsapp(`wamid.LIMIT${n}`, time.now()));
      // The second message comes twice: its redelivery changes nothing, and counts no turn.
      if (n === 2) await whatsapp('wamid.LIMIT2', time.now());
    }
    expect(aiAnswers()).toHaveLength(LIMIT);

    // The message after the limit: a person, with the reason, and no AI answer.
    time.advance(60_000);
    await whatsapp('wamid.LIMIT4', time.now());
    expect(aiAnswers()).toHaveLength(LIMIT);
    const customer = await find(`+${PHONE}`);
    const items = await timeline(customer.id);
    const decisionOf = (id: string) => items.find((i) => i.id === `route:whatsapp:${id}`)?.data;
    for (let n = 1; n <= LIMIT; n++) {
      expect(decisionOf(`wamid.LIMIT${n}`), `message ${n}`).toMatchObject({ target: 'ai' });
    }
    expect(decisionOf('wamid.LIMIT4')).toMatchObject({
      target: 'human',
      reason: 'ai_answer_limit',
      queue: 'general',
    });
    const note = items.find((i) => i.type === 'note');
    expect(note?.text).toMatch(
      /^Hand-off \(ai_answer_limit\): the AI has answered 3 messages in a row in this conversation/,
    );
    const conversationId = customer.openConversationId as string;
    const kept = await runtime.store.conversationState.getConversationState(conversationId);
    expect(kept?.state.customerTurns).toBe(LIMIT + 1);

    // Waiting for a person now: the AI stays silent however often the sender writes again.
    time.advance(60_000);
    await whatsapp('wamid.LIMIT5', time.now());
    expect(aiAnswers()).toHaveLength(LIMIT);
    const after = await timeline(customer.id);
    expect(after.find((i) => i.id === 'route:whatsapp:wamid.LIMIT5')?.data).toMatchObject({
      target: 'human',
      reason: 'awaiting_human',
    });

    // The count costs no call: the AI-answered messages after the first make the same calls, and
    // write the conversation item once each (the resolver's touch, which carries the count).
    const [, second, third] = perMessage;
    const shape = (list: RecordedCall[] | undefined) =>
      list?.map((c) => `${c.command} ${c.pk.replace(/#.*/, '')}`);
    expect(shape(third)).toEqual(shape(second));
    const conversationWrites = third?.filter(
      (c) => c.pk.startsWith('CONVERSATION#') && c.command !== 'GetItem',
    );
    expect(conversationWrites?.map((c) => c.command)).toEqual(['UpdateItem']);
    // The check for an agent who took the conversation while the AI answered: one strongly consistent
    // read of the conversation item after the answer (1 read unit), no write.
    const conversationReads = third?.filter(
      (c) => c.pk.startsWith('CONVERSATION#') && c.command === 'GetItem',
    );
    expect(conversationReads?.map((c) => [c.consistent, c.units])).toEqual([[true, 1]]);
    expect(time.now() - start).toBe(5 * 60_000);
  });
});
