import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'queue-hours-meta';
const TOKEN = agentToken('queue-hours-ana');
const MIN = 60_000;

/**
 * The example policy's `spanish` queue keeps Madrid hours, the policy New York's. On a Monday at
 * 10:30 in Madrid (04:30 in New York) a Spanish conversation is in hours: its `chat` target counts
 * in Madrid's hours, and the after-hours acknowledgement (`businessHours: false`) stays quiet.
 */
describe('a queue with its own business hours: the SLA calendar and automations use them', () => {
  const manual = new ManualTimers(Date.parse('2026-12-07T09:30:00Z'));
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      routing: true,
      manualTime: manual,
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${TOKEN}:admin`,
        ROUTING_POLICY_FILE: 'shared/domain/routing/example-sla-policy.json',
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });
  const api = async <T>(path: string) =>
    (await (
      await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as T;

  it('counts the first-response target in Madrid hours and sends no after-hours reply', async () => {
    const at = new Date(manual.now()).toISOString();
    const text = 'Hola, quiero hablar con una persona sobre mi pedido, por favor';
    const payload = whatsappText({ from: '34600000001', messages: [{ id: 'wamid.qh1', at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const customer = (await api<{ items: Customer[] }>('/api/customers?q=%2B34600000001'))
      .items[0] as Customer;
    const conversation = await api<Conversation>(`/api/conversations/${customer.openConversationId}`);
    expect(conversation.queue).toBe('spanish');
    expect(conversation.sla).toMatchObject({ policy: 'chat', firstResponseDue: '2026-12-07T09:45:00.000Z' });
    const timeline = (await api<{ items: TimelineItem[] }>(`/api/customers/${customer.id}/timeline`)).items;
    const closed = timeline.filter((i) => i.direction === 'outbound' && /closed now/.test(i.text ?? ''));
    expect(closed).toEqual([]);
    const fired = timeline.filter((i) => i.event === 'automation').map((i) => i.data?.rule);
    expect(fired).not.toContain('after-hours-acknowledgement');
  });
});

/**
 * A breach's `assign` to an agent nobody registered (or one removed) is not made: the conversation
 * stays in its queue, unassigned, with a note saying why; so is an automation's.
 */
describe('a breach or an automation assigning to an agent who is not registered', () => {
  const rt = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: TOKEN, admin: true },
    policyFile: slaPolicyFile({ onBreach: [{ type: 'assign', agent: 'agent-lead' }] }, (policy) => {
      policy.automations = [
        {
          name: 'breach-to-ghost',
          trigger: 'sla_breached',
          actions: [{ type: 'assign', agent: 'agent-ghost' }],
        },
      ];
    }),
  });

  it('leaves the conversation in its queue, unassigned, with a note and a skipped outcome', async () => {
    await rt.whatsapp({ from: '447700900801', id: 'wamid.qh2', text: 'hello?' });
    const path = '/api/customers?q=%2B447700900801';
    const customer = (await rt.api<{ items: Customer[] }>('GET', path)).items[0] as Customer;
    const before = await rt.api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);
    await rt.advance(11 * MIN);
    await rt.advance(MIN);
    const after = await rt.api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);
    expect(after.assignee).toBeUndefined();
    expect(after.queue).toBe(before.queue);
    expect(after.sla?.breaches.map((b) => b.metric)).toContain('firstResponse');
    const unassigned = await rt.api<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?assignee=unassigned',
    );
    expect(unassigned.items.map((c) => c.id)).toContain(after.id);
    const timeline = (
      await rt.api<{ items: TimelineItem[] }>('GET', `/api/customers/${customer.id}/timeline`)
    ).items;
    expect(timeline.filter((i) => i.event === 'assigned')).toEqual([]);
    const notes = timeline.filter((i) => i.type === 'note' && /agent-lead/.test(i.text ?? ''));
    expect(notes).toHaveLength(1);
    const rule = timeline.find((i) => i.event === 'automation' && i.data?.rule === 'breach-to-ghost');
    expect(rule?.data?.actions).toEqual([
      expect.objectContaining({ type: 'assign', outcome: 'skipped', reason: 'unknown_agent' }),
    ]);
  });
});
