import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { type ClockRuntime, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

/**
 * The conversation clock on the whole story of a conversation: a customer's message that crosses the
 * agent's reply (sent before it, received after it) waits again; a reopen after an answer runs a
 * next-response target, not a second first response; a merge ends the merged-away conversation's
 * targets with no outcome. Manual time, the local runtime end to end, the metrics read back.
 */
const MIN = 60_000;
const SECRET = 'sla-lifecycle-meta';
const options = (edit: Parameters<typeof slaPolicyFile>[1] = () => {}) => ({
  metaSecret: SECRET,
  agent: { token: 'sla-lifecycle-ana', admin: true },
  policyFile: slaPolicyFile({}, edit),
});

type Counts = { met: number; missed: number };
type Metric = 'firstResponse' | 'nextResponse' | 'resolution';
type SlaFigures = Partial<Record<Metric, Counts>>;
/** How many targets of a metric were met or missed (none counted yet: 0). */
const count = (f: SlaFigures, metric: Metric, outcome: keyof Counts) => f[metric]?.[outcome] ?? 0;

async function customer(rt: ClockRuntime, phone: string): Promise<Customer> {
  const found = await rt.api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(phone)}`);
  return found.items[0] as Customer;
}
const conversation = (rt: ClockRuntime, id: string) =>
  rt.api<Conversation & { waiting: boolean }>('GET', `/api/conversations/${id}`);
const figures = async (rt: ClockRuntime) =>
  (await rt.api<{ overall: { sla: SlaFigures } }>('GET', '/api/metrics')).overall.sla;

/** The agent's reply (taken: 202), once handled. */
async function reply(rt: ClockRuntime, conversationId: string, text: string) {
  const answer = await rt.call('POST', `/api/conversations/${conversationId}/replies`, { text });
  expect(answer.status).toBe(202);
  await rt.idle();
}

/** The customer wrote, and a minute later the agent answered: the conversation and its reply's time. */
async function answered(rt: ClockRuntime, phone: string, id: string) {
  await rt.whatsapp({ from: phone.slice(1), id, text: 'hello I need help with my order' });
  const conversationId = (await customer(rt, phone)).openConversationId as string;
  await rt.advance(MIN);
  await reply(rt, conversationId, 'What is the order number?');
  const replied = (await conversation(rt, conversationId)).sla?.answeredAt as string;
  expect(replied).toBeDefined();
  return { conversationId, replied };
}

describe('a reopen after an answer runs a next-response target', () => {
  const rt = useClockRuntime(options());

  it('no second first response: the next response is counted', async () => {
    const phone = '+447700900711';
    const start = await figures(rt);
    const { conversationId } = await answered(rt, phone, 'wamid.reopen-1');
    await rt.api('POST', `/api/conversations/${conversationId}/resolve`, {});
    await rt.advance(10 * MIN);
    await rt.whatsapp({ from: phone.slice(1), id: 'wamid.reopen-2', text: 'thanks but it did not work' });
    const c = await conversation(rt, conversationId);
    expect(c.status).toBe('open');
    expect(c.sla).toMatchObject({ responded: true, waitingOn: 'agent', status: 'active' });
    expect(c.sla?.firstResponseDue).toBeUndefined();
    expect(c.sla?.nextResponseDue).toBe(new Date(rt.manual.now() + 10 * MIN).toISOString());
    await rt.advance(15 * MIN);
    const end = await figures(rt);
    expect(count(end, 'firstResponse', 'met') - count(start, 'firstResponse', 'met')).toBe(1);
    expect(count(end, 'firstResponse', 'missed')).toBe(count(start, 'firstResponse', 'missed'));
    expect(count(end, 'nextResponse', 'missed') - count(start, 'nextResponse', 'missed')).toBe(1);
  });
});

describe('a merge ends the merged-away conversation’s targets with no outcome', () => {
  const rt = useClockRuntime(options());

  it('nothing counted for the conversation merged away; the kept one counts its own', async () => {
    await rt.whatsapp({ from: '447700900721', id: 'wamid.merge-1', text: 'hello, where is my order' });
    await rt.whatsapp({ from: '447700900722', id: 'wamid.merge-2', text: 'hello, same person other phone' });
    const kept = await customer(rt, '+447700900721');
    const away = await customer(rt, '+447700900722');
    const start = await figures(rt);
    await rt.api('POST', `/api/customers/${kept.id}/merge`, { customerId: away.id });
    await rt.idle();
    expect(await figures(rt)).toEqual(start);
    const merged = await conversation(rt, away.openConversationId as string);
    expect(merged.status).toBe('resolved');
    expect(merged.sla).toMatchObject({ status: 'active', responded: false, breaches: [] });
    expect(merged.sla?.endedAt).toBeDefined();
    expect(merged.sla?.firstResponseDue).toBeUndefined();

    await rt.advance(2 * MIN);
    await reply(rt, kept.openConversationId as string, 'here it is');
    const end = await figures(rt);
    expect(count(end, 'firstResponse', 'met') - count(start, 'firstResponse', 'met')).toBe(1);
    expect(end.resolution).toEqual(start.resolution);
  });
});
