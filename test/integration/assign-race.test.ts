import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { openConversationOf } from '../support/open-conversation.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'assign-race-meta-secret';
const TOKENS = {
  'agent-ana': agentToken('assign-race-ana'),
  'agent-bob': agentToken('assign-race-bob'),
  lead: agentToken('assign-race-lead'),
};
const [ANA, BOB, LEAD] = Object.values(TOKENS) as [string, string, string];

/**
 * Two agents of one queue press "Assign to me" on the same conversation, each from the view they had:
 * with `expectedAssignee` (who the caller saw holding it) the second is refused `409`
 * `assignee_changed`, naming who has it, and nothing is written: no silent take-over, no second
 * `assigned` event, no load counted for the loser. Without it an assignment still overrides, as before.
 */
describe('local runtime: an assignment made on a stale view is refused', () => {
  let runtime: LocalRuntime;
  const tokens = Object.entries(TOKENS).map(([agentId, token]) => `${agentId}:${token}`);
  beforeAll(async () => {
    const env = { META_APP_SECRET: META_SECRET, AGENT_TOKENS: `${tokens.join(',')}:admin` };
    runtime = await startTestRuntime({ env, routing: true, queue: { visibilityTimeoutMs: 1000 } });
  });
  afterAll(() => runtime?.close());

  const api = <T>(method: string, path: string, body?: unknown, token = LEAD): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  const request = (token: string) => agentRequest(() => runtime.url, token);
  const { timeline } = customerReads(api);
  const load = async () =>
    Object.fromEntries(
      (await api<{ items: Agent[] }>('GET', '/api/agents')).items.map((a) => [a.id, a.openConversations]),
    );

  it('takes an unassigned conversation for the first agent and refuses the second, who saw it unassigned', async () => {
    const payload = whatsappText({
      from: '447700900611',
      name: 'Priti',
      messages: [{ id: 'wamid.RACE1', at: new Date().toISOString(), text: 'I want a refund, please' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const id = await openConversationOf(runtime, '447700900611');
    for (const token of [ANA, BOB, LEAD])
      await api('PUT', '/api/agents/me', { presence: 'away', queues: ['general'] }, token);

    const seen = { agentId: 'me', expectedAssignee: '' };
    const first = await request(BOB)<Conversation>('POST', `/api/conversations/${id}/assign`, seen);
    expect(first.status).toBe(200);
    expect(first.json.assignee).toBe('agent-bob');
    const second = await request(ANA)<{ error: { code: string; message: string } }>(
      'POST',
      `/api/conversations/${id}/assign`,
      seen,
    );
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('assignee_changed');
    expect(second.json.error.message).toContain('agent-bob');
    await runtime.idle();

    const now = await api<Conversation>('GET', `/api/conversations/${id}`);
    expect(now.assignee).toBe('agent-bob');
    expect(await load()).toMatchObject({ 'agent-bob': 1, 'agent-ana': 0 });
    const assigned = (await timeline(now.customerId)).filter(
      (i) => i.event === 'assigned' && i.data?.by !== 'responder',
    );
    expect(assigned.map((i) => i.data?.by)).toEqual(['agent-bob']);

    // The lead, who sees Bob holding it, hands it on; Ana, still on her old view, cannot take it back.
    const handOn = { agentId: 'agent-ana', expectedAssignee: 'agent-bob' };
    expect((await request(LEAD)('POST', `/api/conversations/${id}/assign`, handOn)).status).toBe(200);
    const stale = { agentId: 'me', expectedAssignee: 'agent-bob' };
    expect((await request(BOB)('POST', `/api/conversations/${id}/assign`, stale)).status).toBe(409);
    // Without expectedAssignee an assignment overrides whoever has it, as before.
    expect((await request(BOB)('POST', `/api/conversations/${id}/assign`, { agentId: 'me' })).status).toBe(
      200,
    );
    await runtime.idle();
    expect((await api<Conversation>('GET', `/api/conversations/${id}`)).assignee).toBe('agent-bob');
    expect(await load()).toMatchObject({ 'agent-bob': 1, 'agent-ana': 0 });
  }, 60_000);

  it('refuses a 409 for an expected assignee on a queue move too, and answers 400 for a bad one', async () => {
    const payload = whatsappText({
      from: '447700900612',
      name: 'Rui',
      messages: [{ id: 'wamid.RACE2', at: new Date().toISOString(), text: 'Please cancel my order' }],
    });
    await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    await runtime.idle();
    const id = await openConversationOf(runtime, '447700900612');
    const move = { queue: 'general', expectedAssignee: 'agent-ana' };
    expect((await request(LEAD)('POST', `/api/conversations/${id}/assign`, move)).status).toBe(409);
    const tooLong = { agentId: 'me', expectedAssignee: 'x'.repeat(129) };
    expect((await request(LEAD)('POST', `/api/conversations/${id}/assign`, tooLong)).status).toBe(400);
  }, 60_000);
});
