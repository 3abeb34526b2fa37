import { describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { type ClockRuntime, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

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
  agent: { token: agentToken('sla-lifecycle-ana'), admin: true },
  policyFile: slaPolicyFile({}, edit),
});

type Sla = NonNullable<Conversation['sla']>;
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
const dueIds = async (rt: ClockRuntime) =>
  (await rt.api<{ items: Conversation[] }>('GET', '/api/conversations?sort=due')).items.map((c) => c.id);

/** A WhatsApp message timed `at` (its whole second, as WhatsApp times it), delivered now. */
async function deliverTimed(rt: ClockRuntime, from: string, id: string, at: string, text: string) {
  const second = new Date(Math.floor(Date.parse(at) / 1000) * 1000).toISOString();
  const payload = whatsappText({ from, messages: [{ id, at: second, text }] });
  const answer = await deliver(signedMeta(rt.runtime.url, '/webhooks/whatsapp', payload, SECRET));
  expect(answer.status).toBe(200);
  await rt.idle();
}

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

/**
 * The conversation waits on the agent from `since` (the message's time, or our receipt of one an answer
 * overtook), with a next-response target from the same time, and nothing breached.
 */
async function expectWaitingAgain(rt: ClockRuntime, conversationId: string, since: string) {
  const c = await conversation(rt, conversationId);
  expect(c.waiting).toBe(true);
  expect(c.waitingSince).toBe(since);
  expect(c.awaitingCustomerSince).toBeUndefined();
  expect(c.sla).toMatchObject({ waitingOn: 'agent', responded: true, waitFrom: since, breaches: [] });
  expect((c.sla as Sla).nextResponseDue).toBe(new Date(Date.parse(since) + 10 * MIN).toISOString());
  expect(await dueIds(rt)).toContain(conversationId);
}

describe('a customer message that crosses the reply waits again', () => {
  const calls: RecordedCall[] = [];
  const rt = useClockRuntime({
    ...options((p) => {
      p.autoResolve = { after: 'PT1H' };
      p.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
    }),
    dynamoClient: (client) => {
      recordCalls(client, calls);
      return client;
    },
  });
  /** The DynamoDB calls `act` made, as `<command> <read|write>` counts, and their units. */
  const measured = async (act: () => Promise<void>) => {
    await rt.idle();
    const from = calls.length;
    await act();
    const made = calls.slice(from);
    const counts: Record<string, number> = {};
    for (const c of made) {
      const key = `${c.command} ${isRead(c) ? 'read' : 'write'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return { counts, units: made.reduce((sum, c) => sum + c.units, 0) };
  };

  it('sent 3 s before the reply, received 2 s after it: it waits, is never auto-resolved nor surveyed', async () => {
    const phone = '+447700900701';
    const { conversationId, replied } = await answered(rt, phone, 'wamid.cross-1');
    await rt.advance(2000);
    const sent = new Date(Date.parse(replied) - 3000).toISOString();
    // Overtaken by the reply, it waits from when it reached us, not from its own time (before the reply),
    // and its next-response target runs from then too.
    const received = new Date(rt.manual.now()).toISOString();
    await deliverTimed(rt, phone.slice(1), 'wamid.cross-2', sent, 'Also, can I change the address?');
    await expectWaitingAgain(rt, conversationId, received);
    // Delivered again (the provider's retry, the queue's redelivery): nothing moves.
    const before = await conversation(rt, conversationId);
    await deliverTimed(rt, phone.slice(1), 'wamid.cross-2', sent, 'Also, can I change the address?');
    expect(await conversation(rt, conversationId)).toMatchObject({ sla: before.sla, waitingSince: received });

    await rt.advance(61 * MIN);
    const later = await conversation(rt, conversationId);
    expect(later.status).toBe('open');
    expect(later.sla?.breaches.map((b) => b.metric)).toEqual(['nextResponse']);
    const cid = (await customer(rt, phone)).id;
    const timeline = await rt.api<{ items: Array<{ direction?: string; text?: string }> }>(
      'GET',
      `/api/customers/${cid}/timeline`,
    );
    expect(timeline.items.filter((i) => i.direction === 'outbound').map((i) => i.text)).toEqual([
      'What is the order number?',
    ]);
  });

  it('in the same whole second as the reply, received after it: it waits', async () => {
    const phone = '+447700900702';
    const { conversationId, replied } = await answered(rt, phone, 'wamid.same-1');
    rt.manual.advance(400);
    await deliverTimed(rt, phone.slice(1), 'wamid.same-2', replied, 'Also, can I change the address?');
    const second = new Date(Math.floor(Date.parse(replied) / 1000) * 1000).toISOString();
    await expectWaitingAgain(rt, conversationId, second);
  });

  it('dated 3 days ago, received now: its wait and next-response target run from our receipt, no breach at once', async () => {
    const phone = '+447700900706';
    const { conversationId } = await answered(rt, phone, 'wamid.old-1');
    await rt.advance(2000);
    const received = new Date(rt.manual.now()).toISOString();
    const sent = new Date(rt.manual.now() - 3 * 24 * 60 * MIN).toISOString();
    await deliverTimed(rt, phone.slice(1), 'wamid.old-2', sent, 'Any news since my message on Friday?');
    // Before, the target ran from the message's own time: due 3 days ago, breached as its timer ran.
    await expectWaitingAgain(rt, conversationId, received);
    await rt.advance(MIN);
    expect((await conversation(rt, conversationId)).sla?.breaches).toEqual([]);
  });

  it('costs what a message after the reply costs: the same calls, no read more', async () => {
    const crossing = await answered(rt, '+447700900704', 'wamid.cost-1');
    await rt.advance(2000);
    const sent = new Date(Math.floor(Date.parse(crossing.replied) / 1000) * 1000 - 3000).toISOString();
    const received = new Date(rt.manual.now()).toISOString();
    const crossed = await measured(() =>
      deliverTimed(rt, '447700900704', 'wamid.cost-2', sent, 'And the address?'),
    );
    const after = await answered(rt, '+447700900705', 'wamid.cost-3');
    await rt.advance(2000);
    const now = new Date(rt.manual.now()).toISOString();
    const later = await measured(() =>
      deliverTimed(rt, '447700900705', 'wamid.cost-4', now, 'And the address?'),
    );
    await expectWaitingAgain(rt, crossing.conversationId, received);
    expect((await conversation(rt, after.conversationId)).waiting).toBe(true);
    console.info(
      'crossing message',
      JSON.stringify(crossed),
      'message after the reply',
      JSON.stringify(later),
    );
    expect(crossed.counts).toEqual(later.counts);
  });

  it('received before the reply: the reply answered it', async () => {
    const phone = '+447700900703';
    await rt.whatsapp({ from: phone.slice(1), id: 'wamid.seen-1', text: 'hello I need help with my order' });
    const conversationId = (await customer(rt, phone)).openConversationId as string;
    await rt.advance(MIN);
    await rt.whatsapp({ from: phone.slice(1), id: 'wamid.seen-2', text: 'Also, can I change the address?' });
    rt.manual.advance(500);
    await reply(rt, conversationId, 'Yes to both');
    const c = await conversation(rt, conversationId);
    expect(c.waiting).toBe(false);
    expect(c.sla).toMatchObject({ waitingOn: 'customer' });
    expect(c.sla?.nextResponseDue).toBeUndefined();
  });
});

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
