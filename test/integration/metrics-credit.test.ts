import { describe, expect, it } from 'vitest';
import type { Metrics, SlaFigures } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;
const ANA = 'agent-ana';

/** The example's `chat` targets (10 minutes to answer), the AI's answers not counting, a survey 5 minutes after a resolve. */
const policyFile = slaPolicyFile({ aiRepliesCount: false }, (policy) => {
  policy.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
});

function steps(clock: ReturnType<typeof useClockRuntime>) {
  const metrics = async () => (await clock.api<{ overall: Metrics }>('GET', '/api/metrics')).overall;
  const open = async (from: string, text: string) => {
    await clock.whatsapp({ from, id: `wamid.credit-${from}`, text });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`);
    return (found.items[0] as Customer).openConversationId as string;
  };
  const post = async (path: string, body?: unknown) => {
    const answer = await clock.call('POST', path, body);
    expect(answer.status, path).toBeLessThan(300);
    await clock.idle();
  };
  return { metrics, open, post };
}

/** The SLA figures' counts of one breakdown line, zeros when it has none. */
const line = (sla: SlaFigures | undefined, by: 'byAgent' | 'byAi', key: string) => sla?.[by][key];

/**
 * QA: resolving a conversation nobody answered counted its first-response target met (and the agent's
 * line by agent), so closing chats unanswered raised an agent's share met; and work a person did was
 * counted the AI's when the conversation was unassigned at the resolve or the survey's answer.
 */
describe('metrics: what a resolve without an answer counts, and who is credited', () => {
  const clock = useClockRuntime({
    metaSecret: 'metrics-credit-secret',
    agent: { token: agentToken('metrics-credit-ana'), admin: true },
    routing: true,
    policyFile,
  });
  const { metrics, open, post } = steps(clock);

  it('counts a response target a resolve ends unanswered as neither met nor missed, apart', async () => {
    const conversationId = await open('447700900801', 'I need a human about a refund');
    await post(`/api/conversations/${conversationId}/assign`, { agentId: 'me' });
    await clock.advance(MINUTE);
    await post(`/api/conversations/${conversationId}/resolve`);
    const { sla } = await metrics();
    expect(sla?.firstResponse).toEqual({ met: 0, missed: 0, share: null, resolvedUnanswered: 1 });
    expect(sla?.resolution).toEqual({ met: 1, missed: 0, share: 1 });
    expect(line(sla, 'byAgent', ANA)?.firstResponse).toEqual({
      met: 0,
      missed: 0,
      share: null,
      resolvedUnanswered: 1,
    });
    const conversation = await clock.api<{ sla: { status: string } }>(
      'GET',
      `/api/conversations/${conversationId}`,
    );
    expect(conversation.sla.status).toBe('hit');
  });

  it('credits the person who answered, not the AI, once the conversation went back to the queue', async () => {
    const before = await metrics();
    const conversationId = await open('447700900802', 'I need a human about my jacket');
    await post(`/api/conversations/${conversationId}/assign`, { agentId: 'me' });
    await clock.advance(2 * MINUTE);
    await post(`/api/conversations/${conversationId}/replies`, { text: 'Refund done.' });
    await post(`/api/conversations/${conversationId}/assign`, { agentId: '' });
    await post(`/api/conversations/${conversationId}/resolve`);
    await clock.advance(6 * MINUTE);
    await clock.whatsapp({ from: '447700900802', id: 'wamid.credit-survey-802', text: '1' });
    const { sla, csat } = await metrics();
    expect(line(sla, 'byAi', 'ai')).toBeUndefined();
    expect(line(sla, 'byAi', 'human')?.resolution.met).toBe(2);
    const anaBefore = line(before.sla, 'byAgent', ANA)?.resolution.met ?? 0;
    expect(line(sla, 'byAgent', ANA)?.resolution.met).toBe(anaBefore + 1);
    expect(csat?.count).toBe(1);
    expect(csat?.byAi.ai).toBeUndefined();
    expect(csat?.byAi.human?.count).toBe(1);
    expect(csat?.byAgent[ANA]?.count).toBe(1);
  });

  it("counts a breach after the agent who answered left as a person's, not the AI's", async () => {
    const conversationId = await open('447700900803', 'I need a human about my order');
    await post(`/api/conversations/${conversationId}/assign`, { agentId: 'me' });
    await post(`/api/conversations/${conversationId}/replies`, { text: 'Looking into it.' });
    await post(`/api/conversations/${conversationId}/assign`, { agentId: '' });
    await clock.advance(MINUTE);
    await clock.whatsapp({ from: '447700900803', id: 'wamid.credit-803-again', text: 'Any news?' });
    await clock.advance(11 * MINUTE);
    const { sla } = await metrics();
    expect(line(sla, 'byAi', 'ai')).toBeUndefined();
    expect(line(sla, 'byAi', 'human')?.nextResponse.missed).toBe(1);
  });
});
