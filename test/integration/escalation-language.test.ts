import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const SECRET = 'escalation-language-secret';
const TOKEN = agentToken('escalation-language-token');

/**
 * A Portuguese customer asks for a person on WhatsApp, in words the policy escalates on before the AI
 * reads the message: the conversation waits in the Portuguese queue, as it would had the AI read it,
 * and routing it cost the table the same calls as an English customer's request.
 */
describe('local runtime: a message escalated before the AI reads it goes to its language queue', () => {
  let runtime: LocalRuntime;
  const calls: RecordedCall[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-el:${TOKEN}`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile((policy) => {
          policy.queues.unshift({ name: 'portuguese', languages: ['pt'] });
          policy.escalation.askForPersonKeywords.push('falar com uma pessoa');
        }),
      },
      routing: true,
      timers: stillTimers(),
      dynamoClient: (client) => {
        recordCalls(client, calls);
        return client;
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);

  /** The table's calls (by command) while one WhatsApp message is received and routed. */
  const whatsapp = async (from: string, id: string, text: string) => {
    calls.length = 0;
    const payload = whatsappText({ from, messages: [{ id, at: new Date().toISOString(), text }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    const byCommand: Record<string, number> = {};
    for (const call of calls) byCommand[call.command] = (byCommand[call.command] ?? 0) + 1;
    return byCommand;
  };

  it('routes a Portuguese request for a person to the Portuguese queue, for the calls an English one makes', async () => {
    const portuguese = await whatsapp(
      '351912345678',
      'wamid.PT1',
      'Olá, quero falar com uma pessoa, por favor',
    );
    const customer = await find('+351912345678');
    const decision = (await timeline(customer.id)).find((i) => i.id === 'route:whatsapp:wamid.PT1');
    expect(decision?.data).toMatchObject({
      target: 'human',
      reason: 'asked_for_person',
      queue: 'portuguese',
    });
    const waiting = await api<{ items: Conversation[] }>('GET', '/api/conversations?queue=portuguese');
    expect(waiting.items.map((c) => c.id)).toEqual([customer.openConversationId]);

    const english = await whatsapp('447700900555', 'wamid.EN1', 'Hello, I want to speak to a person please');
    const other = await find('+447700900555');
    const routed = (await timeline(other.id)).find((i) => i.id === 'route:whatsapp:wamid.EN1');
    expect(routed?.data).toMatchObject({ reason: 'asked_for_person', queue: 'general' });
    expect(portuguese).toEqual(english);
    expect(Object.values(portuguese).reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
  }, 30_000);
});
