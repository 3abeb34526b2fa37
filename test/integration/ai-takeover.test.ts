import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('ai-takeover-agent-token');
const PHONE = '447700900778';
const QUESTION = 'How long does shipping take?';

/**
 * An agent takes the conversation while the AI is answering: the assignment lands right after routing
 * has read what its decision depends on (the DynamoDB client holds back the answer of routing's read of
 * the recent items until the agent's assignment is through), so routing decides for the AI and asks it.
 * Nothing is sent; the message is routed to the agent (`human_took_over`), and a redelivery sends
 * nothing either.
 */
describe('local runtime: an agent who takes over while the AI is answering keeps the conversation', () => {
  let runtime: LocalRuntime;
  /** The conversation to assign once routing has read the customer's recent items. */
  let takeOver: string | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-tko:${TOKEN}:admin`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
      routing: true,
      timers: stillTimers(),
      dynamoClient: (c) => {
        c.middlewareStack.add(
          (next, context) => async (args) => {
            const out = await next(args);
            // Routing's read of the recent items (newest first, bounded): its last before the AI is asked.
            const input = args.input as { ScanIndexForward?: boolean; Limit?: number };
            const recentItems = input.ScanIndexForward === false && input.Limit !== undefined;
            const conversationId = takeOver;
            if (conversationId && context.commandName === 'QueryCommand' && recentItems) {
              takeOver = undefined;
              await api('POST', `/api/conversations/${conversationId}/assign`, { agentId: 'me' });
            }
            return out;
          },
          { step: 'initialize', name: 'takeOverDuringTheAnswer' },
        );
        return c;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const ask = async (id: string, at: string) => {
    const body = whatsappText({ from: PHONE, name: 'Tina Taken', messages: [{ id, at, text: QUESTION }] });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const aiAnswers = () => runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai');

  it('sends nothing, routes the message to the agent, and sends nothing on a redelivery', async () => {
    await ask('wamid.TAKEN0', new Date(Date.now() - 60_000).toISOString());
    expect(aiAnswers()).toHaveLength(1);
    const customer = await find(PHONE);
    const conversationId = aiAnswers()[0]?.message.conversationId;
    const at = new Date().toISOString();
    takeOver = conversationId;
    await ask('wamid.TAKEN1', at);
    expect(takeOver).toBeUndefined();
    expect(aiAnswers()).toHaveLength(1);
    const items = await timeline(customer.id);
    const routed = items.find((i) => i.id === 'route:whatsapp:wamid.TAKEN1');
    expect(routed?.data).toMatchObject({ target: 'human', reason: 'human_took_over' });
    expect(String(routed?.data?.detail)).toMatch(/while the AI was answering/);
    expect(items.filter((i) => i.id.startsWith('reply:'))).toHaveLength(1);

    await ask('wamid.TAKEN1', at);
    expect(aiAnswers()).toHaveLength(1);
    const again = await timeline(customer.id);
    expect(again.filter((i) => i.id === 'route:whatsapp:wamid.TAKEN1')).toHaveLength(1);
  });
});
