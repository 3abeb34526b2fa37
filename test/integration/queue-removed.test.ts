import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'queue-removed-meta';
const ANA = agentToken('queue-removed-ana');
const PHONE = '447700900555';
const HANDOFF = 'Thanks, a colleague will answer you here shortly.';

/** The shipped policy open around the clock, with a `returns` queue first, or without it. */
const policyFile = (returns: boolean) =>
  alwaysOpenPolicyFile((policy) => {
    if (returns) policy.queues.unshift({ name: 'returns', keywords: ['return*'] });
    // Every message here goes to a person: the test is about which queue, not about the AI.
    policy.escalation.mustBeHumanTopics = { returns: ['return*'] };
    policy.aiReplies = { handoff: HANDOFF };
  });

/**
 * An admin takes the `returns` queue out of the policy and restarts over the same data: a
 * conversation Ana had in `returns`, which she lets go, is handed off anew with the customer's next
 * message (reason `queue_removed`) to the queue the rules pick now, and reaches her in `general`.
 * Before, it stayed in `returns`, unassigned (`human_took_over`), where no agent can join.
 */
describe('local runtime: a conversation in a queue taken out of the policy is routed anew', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let console: LiveClient | undefined;

  const start = async (returns: boolean) => {
    runtime = await startLocalRuntime({
      config: loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        META_APP_SECRET: META_SECRET,
        META_VERIFY_TOKEN: 'v',
        TWILIO_AUTH_TOKEN: 'queue-removed-twilio',
        AGENT_TOKENS: `agent-ana:${ANA}:admin`,
        ROUTING_POLICY_FILE: policyFile(returns),
      }),
      routing: true,
      live: true,
      queue: { visibilityTimeoutMs: 2_000, pollIntervalMs: 5 },
    });
    // Routing gives conversations only to online agents who have a console open.
    console = await openConsole(runtime.port, ANA);
  };
  const stop = async () => {
    console?.ws.terminate();
    await runtime?.close();
    console = undefined;
    runtime = undefined;
  };

  const url = () => runtime?.url ?? '';
  const api = agentCaller(url, ANA);
  const request = agentRequest(url, ANA);
  const { find, timeline } = customerReads(api);

  const whatsapp = async (id: string, text: string) => {
    const payload = whatsappText({
      from: PHONE,
      name: 'Rita Return',
      messages: [{ id, at: new Date().toISOString(), text }],
    });
    const res = await deliver(signedMeta(url(), '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime?.idle();
  };
  const routed = async (customerId: string, id: string) =>
    (await timeline(customerId)).find((i) => i.id === `route:whatsapp:${id}`)?.data;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-queue-removed-'));
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands an unassigned conversation of the removed queue to the queue the rules pick, and leaves a held one with its agent', async () => {
    await start(true);
    const online = { presence: 'online', languages: ['en'], capacity: 5 };
    await api('PUT', '/api/agents/me', { ...online, queues: ['returns', 'general'] });
    await whatsapp('wamid.RET1', 'I want to return my order');
    const customer = await find(`+${PHONE}`);
    const conversationId = customer.openConversationId as string;
    expect(await routed(customer.id, 'wamid.RET1')).toMatchObject({
      target: 'human',
      queue: 'returns',
      assignedTo: 'agent-ana',
    });
    await stop();

    // `returns` taken out; Ana keeps the conversation through the restart and picks the queues left.
    await start(false);
    const refused = await request('PUT', '/api/agents/me', { ...online, queues: ['returns'] });
    expect(refused.status).toBe(422);
    await api('PUT', '/api/agents/me', { ...online, queues: ['general'] });

    // Held by Ana: it stays with her, in `returns`.
    await whatsapp('wamid.RET2', 'Any news about my return?');
    expect(await routed(customer.id, 'wamid.RET2')).toMatchObject({
      queue: 'returns',
      reason: 'human_took_over',
    });
    // The inbox filter on `returns` is refused, as an assignment to it is (the policy keeps no record of
    // a queue taken out); the conversation still in it shows in the unfiltered inbox with its queue.
    const filtered = await request<{ error: { code: string } }>('GET', '/api/conversations?queue=returns');
    expect([filtered.status, filtered.json.error.code]).toEqual([422, 'unknown_queue']);
    const inbox = async () =>
      (await api<{ items: Conversation[] }>('GET', '/api/conversations')).items.map((c) => [c.id, c.queue]);
    expect(await inbox()).toEqual([[conversationId, 'returns']]);

    // Ana answers, then lets it go: the next message hands it off anew, to the queue the rules pick now.
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Let me look.' });
    await api('POST', `/api/conversations/${conversationId}/assign`, { agentId: '' });
    await whatsapp('wamid.RET3', 'Hello? I still want to return my order');
    expect(await routed(customer.id, 'wamid.RET3')).toMatchObject({
      target: 'human',
      queue: 'general',
      reason: 'queue_removed',
      detail: 'its queue "returns" is not in the routing policy any more; routed anew to general',
      assignedTo: 'agent-ana',
    });
    // The customer is told, as at any hand-off: once for the first, once now, never while Ana held it.
    const told = runtime?.outbox.entries().filter((e) => e.message.text === HANDOFF) ?? [];
    expect(told.map((e) => e.message.author.id)).toEqual(['automation', 'automation']);
    const conversation = await api<Conversation>('GET', `/api/conversations/${conversationId}`);
    expect(conversation).toMatchObject({ queue: 'general', assignee: 'agent-ana' });
    expect(await inbox()).toEqual([[conversationId, 'general']]);

    // Now in a queue of the policy, with Ana: routing goes on as before.
    await whatsapp('wamid.RET4', 'Thanks');
    expect(await routed(customer.id, 'wamid.RET4')).toMatchObject({
      queue: 'general',
      reason: 'human_took_over',
    });
  }, 60_000);
});
