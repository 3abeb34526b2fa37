import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { mockAws } from '../support/aws-mock.js';
import { DynamoGate, earlierReplyRead } from '../support/dynamo-gate.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { startTwinRuntime, timelineOfPhone } from '../support/twin-runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('twin-ai-token');
const PHONE = '447700905101';
const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const bedrock = mockAws(BedrockRuntimeClient);

/**
 * A provider delivers a message twice within seconds (its webhook retried, two resolver invocations):
 * the AI is asked once. Before, the delivery that did not write the item found nothing routed yet and
 * asked the AI too, while the other's question was still with Bedrock: two answers for one message
 * (one recorded, Bedrock paid twice, and an answer refused by one call could hand off the other's).
 */
describe('local runtime: a twin delivery of a fresh message, the AI asked once', () => {
  const time = new ManualTimers(Date.parse('2026-03-03T10:00:00.000Z'));
  const gate = new DynamoGate();
  let runtime: LocalRuntime;
  let asked = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });

  beforeAll(async () => {
    bedrock.on(ConverseCommand).callsFake(async () => {
      asked += 1;
      // The first question is held at Bedrock, so the other delivery routes while it is asked.
      if (asked === 1) await opened;
      const answer = { reply: 'Shipping takes 2-4 working days.', confidence: 0.95, handoff: null };
      return {
        output: { message: { role: 'assistant', content: [{ text: JSON.stringify(answer) }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 900, outputTokens: 80, totalTokens: 980 },
      };
    });
    runtime = await startTwinRuntime(time, gate, TOKEN, { BEDROCK_MODEL_ID: MODEL_ID });
  }, 30_000);
  afterAll(async () => {
    open();
    await runtime?.close();
  });

  const timeline = () => timelineOfPhone(runtime, PHONE, TOKEN);

  it("asks Bedrock once while the other delivery's question is still with it, and answers once", async () => {
    const at = new Date(time.now()).toISOString();
    const body = whatsappText({
      from: PHONE,
      name: 'Twin',
      messages: [{ id: 'wamid.TWINAI1', at, text: 'How long does shipping take?' }],
    });
    const request = signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta);
    // The delivery that found the item written is held at its look for an earlier answer.
    gate.hold(earlierReplyRead, 1);
    const answers = Promise.all([deliver(request), deliver(request)]);
    await gate.arrived(1);
    await waitUntil(() => asked === 1, 'the delivery that wrote the item asks Bedrock');
    // It has found nothing routed: the other delivery's question is still unanswered.
    gate.release(0);
    open();
    expect((await answers).map((a) => a.status)).toEqual([200, 200]);
    await runtime.idle();
    expect(runtime.deadLetter.messages()).toEqual([]);
    expect(asked).toBe(1);
    const items = await timeline();
    expect(items.filter((x) => x.event === 'routed').map((x) => x.data?.target)).toEqual(['ai']);
    expect(items.filter((x) => x.event === 'assigned')).toEqual([]);
    const replies = items.filter((x) => x.type === 'message' && x.direction === 'outbound');
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining('Shipping takes 2-4 working days.')]);
  });
});
