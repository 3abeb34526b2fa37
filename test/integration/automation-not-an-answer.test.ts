import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'not-answer-meta-secret';
const ANA = 'not-answer-ana-token';
const MINUTE = 60_000;

/**
 * A target the AI's answers meet (`aiRepliesCount`), auto-resolve after an hour of silence, and a
 * follow-up rule that writes "Sorry for the wait" ten minutes after an unanswered message.
 */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.sla = {
      calendars: {},
      policies: [
        {
          name: 'chat',
          match: {},
          firstResponse: 'PT30M',
          nextResponse: 'PT30M',
          resolution: 'PT10H',
          calendar: false,
          aiRepliesCount: true,
          onBreach: [],
        },
      ],
    };
    policy.autoResolve = { after: 'PT1H' };
    policy.automations = [
      {
        name: 'follow-up',
        trigger: 'message_received',
        delay: 'PT10M',
        conditions: { status: 'open', waitingOn: 'agent' },
        actions: [{ type: 'reply', channel: 'last', text: 'Sorry for the wait: we are on it.' }],
      },
    ];
  });
}

/**
 * Time moves only when the test says so. An automation's message is not an answer: it meets no
 * response target, ends no wait and starts no auto-resolve silence; an agent's reply does.
 */
describe('local runtime: an automation does not answer the customer', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ANA}:admin`,
        ROUTING_POLICY_FILE: policyFile(),
      },
      manualTime: manual,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { method, headers: { Authorization: `Bearer ${ANA}` } });
    expect(res.status, `${method} ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  const find = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`))
      .items[0] as Customer;
  const conversation = (id: string) =>
    api<Conversation & { sla?: SlaState; waiting?: boolean }>('GET', `/api/conversations/${id}`);

  it('leaves the target running and the customer waiting after a follow-up, and never auto-resolves on it', async () => {
    const payload = whatsappText({
      from: '447700900571',
      messages: [
        { id: 'wamid.not-answer-1', at: new Date(manual.now()).toISOString(), text: 'Where is my parcel?' },
      ],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const conversationId = (await find('+447700900571')).openConversationId as string;
    const firstResponseDue = (await conversation(conversationId)).sla?.firstResponseDue;
    expect(firstResponseDue).toBeDefined();

    manual.advance(10 * MINUTE);
    await runtime.idle();
    const followUps = runtime.outbox.entries().filter((e) => e.message.author.id === 'automation');
    expect(followUps.map((e) => e.message.text)).toEqual(['Sorry for the wait: we are on it.']);
    const after = await conversation(conversationId);
    expect(after.sla).toMatchObject({ responded: false, waitingOn: 'agent', firstResponseDue });
    expect(after.waiting).toBe(true);
    expect(after.awaitingCustomerSince).toBeUndefined();

    // The target is missed at its time, and an hour of "silence" after the follow-up resolves nothing.
    manual.advance(2 * 60 * MINUTE);
    await runtime.idle();
    const later = await conversation(conversationId);
    expect(later.status).toBe('open');
    expect(later.sla?.breaches.map((b) => b.metric)).toContain('firstResponse');
  });

  it("resolves the merged-away customer's open conversation quietly: no follow-up, breach, auto-resolve or survey on it", async () => {
    const write = async (from: string, id: string, text: string) => {
      const at = new Date(manual.now()).toISOString();
      const payload = whatsappText({ from, messages: [{ id, at, text }] });
      const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
      expect(res.status).toBe(200);
      await runtime.idle();
    };
    await write('447700900591', 'wamid.merge-kept-1', 'My parcel is late');
    await write('447700900592', 'wamid.merge-gone-1', 'It is me again, from my other phone');
    const kept = await find('+447700900591');
    const gone = await find('+447700900592');
    const goneConversation = gone.openConversationId as string;
    manual.advance(MINUTE);
    const res = await fetch(`${runtime.url}/api/customers/${kept.id}/merge`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ANA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: gone.id }),
    });
    expect(res.status).toBe(200);
    await runtime.idle();
    const closed = await conversation(goneConversation);
    expect(closed.status).toBe('resolved');
    const stored = await runtime.store.conversations.getConversation(goneConversation);
    expect(stored?.sla, JSON.stringify(stored)).toMatchObject({ endedAt: expect.any(String) });

    manual.advance(3 * 60 * MINUTE);
    await runtime.idle();
    const onIt = runtime.outbox.entries().filter((e) => e.message.conversationId === goneConversation);
    expect(onIt).toEqual([]);
    expect((await conversation(goneConversation)).sla?.breaches).toEqual([]);
    expect((await conversation(kept.openConversationId as string)).status).toBe('open');
  });

  it("leaves the merged-in customer's conversation open when the kept one cannot carry it: none open, or answered while it waits", async () => {
    const write = async (from: string, id: string, text: string) => {
      const at = new Date(manual.now()).toISOString();
      const payload = whatsappText({ from, messages: [{ id, at, text }] });
      expect(
        (await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status,
      ).toBe(200);
      await runtime.idle();
    };
    const merge = async (targetId: string, sourceId: string) => {
      const res = await fetch(`${runtime.url}/api/customers/${targetId}/merge`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ANA}`, 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: sourceId }),
      });
      expect(res.status).toBe(200);
      await runtime.idle();
    };
    // Kept customer with no open conversation (resolved by hand).
    await write('447700900593', 'wamid.merge-none-1', 'Thanks, all sorted');
    const resolvedKept = await find('+447700900593');
    await api('POST', `/api/conversations/${resolvedKept.openConversationId}/resolve`);
    await write('447700900594', 'wamid.merge-none-2', 'Another question from my other phone');
    const onlyOpen = (await find('+447700900594')).openConversationId as string;
    await merge(resolvedKept.id, (await find('+447700900594')).id);
    expect((await conversation(onlyOpen)).status).toBe('open');

    // Kept customer answered, merged-in one still waiting: its unanswered message stays in the inbox.
    await write('447700900595', 'wamid.merge-answered-1', 'Where is my parcel?');
    const answered = await find('+447700900595');
    const reply = await fetch(`${runtime.url}/api/conversations/${answered.openConversationId}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ANA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'It is on its way.' }),
    });
    expect(reply.status).toBeLessThan(300);
    await runtime.idle();
    expect((await conversation(answered.openConversationId as string)).waiting).toBe(false);
    await write('447700900596', 'wamid.merge-answered-2', 'And can I change the address?');
    const waitingOne = (await find('+447700900596')).openConversationId as string;
    await merge(answered.id, (await find('+447700900596')).id);
    const kept = await conversation(waitingOne);
    expect(kept.status).toBe('open');
    expect(kept.waiting).toBe(true);
  });
});
