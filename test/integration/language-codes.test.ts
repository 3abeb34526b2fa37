import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '#shared/domain/assignment.js';
import type { RoutingPolicy } from '#shared/domain/routing/policy.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const SECRET = 'language-codes-secret';
const SOFIA = agentToken('language-codes-sofia');

/**
 * Three-letter language codes, in the routing policy's queues and in an agent's languages, are kept in
 * the two letters the detector gives: a Portuguese customer's request reaches the queue listing `por`
 * and the agent who listed `por`. Before, both were kept as typed, matched nothing, and the
 * conversation went to the default queue (or waited unassigned).
 */
describe('local runtime: three-letter language codes', () => {
  let runtime: LocalRuntime;
  let sofiaConsole: LiveClient | undefined;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-sofia:${SOFIA}:admin`,
        ROUTING_POLICY_FILE: alwaysOpenPolicyFile((policy) => {
          policy.queues.unshift({ name: 'portuguese', languages: ['por'] });
          policy.escalation.askForPersonKeywords.push('falar com uma pessoa');
        }),
      },
      routing: true,
      live: true,
    });
    sofiaConsole = await openConsole(runtime.port, SOFIA);
  });

  afterAll(async () => {
    sofiaConsole?.ws.terminate();
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, SOFIA);
  const { find } = customerReads(api);

  it('stores and answers them in two letters, and routes and hands a Portuguese request by them', async () => {
    const me = await api<AgentProfile>('PUT', '/api/agents/me', {
      presence: 'online',
      queues: ['portuguese'],
      languages: ['deu', 'POR', 'pt-BR'],
    });
    expect(me.languages).toEqual(['de', 'pt', 'pt-BR']);
    const { policy } = await api<{ policy: RoutingPolicy }>('GET', '/api/policy');
    expect(policy.queues[0]).toMatchObject({ name: 'portuguese', languages: ['pt'] });

    const payload = whatsappText({
      from: '351912345001',
      messages: [
        { id: 'wamid.LC1', at: new Date().toISOString(), text: 'Olá, quero falar com uma pessoa, por favor' },
      ],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET))).status).toBe(200);
    await runtime.idle();
    const { openConversationId } = await find('+351912345001');
    const conversation = await api<Conversation>('GET', `/api/conversations/${openConversationId}`);
    expect(conversation).toMatchObject({ queue: 'portuguese', assignee: 'agent-sofia' });
  }, 60_000);
});
