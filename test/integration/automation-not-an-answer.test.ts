import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';

const MINUTE = 60_000;

/**
 * A target the AI's answers meet (`aiRepliesCount`), auto-resolve after an hour of silence, and a
 * follow-up rule that writes "Sorry for the wait" ten minutes after an unanswered message.
 */
function policyFile(): string {
  const chat = { firstResponse: 'PT30M', nextResponse: 'PT30M', aiRepliesCount: true };
  return slaPolicyFile(chat, (policy) => {
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
  const clock = useClockRuntime({
    metaSecret: 'not-answer-meta-secret',
    agent: { token: agentToken('not-answer-ana-token'), admin: true },
    policyFile: policyFile(),
  });
  const { manual, idle, advance, whatsapp, call, api } = clock;
  const { find } = customerReads(api);
  const conversation = (id: string) =>
    api<Conversation & { sla?: SlaState; waiting?: boolean }>('GET', `/api/conversations/${id}`);

  it('leaves the target running and the customer waiting after a follow-up, and never auto-resolves on it', async () => {
    await whatsapp({ from: '447700900571', id: 'wamid.not-answer-1', text: 'Where is my parcel?' });
    const conversationId = (await find('+447700900571')).openConversationId as string;
    const firstResponseDue = (await conversation(conversationId)).sla?.firstResponseDue;
    expect(firstResponseDue).toBeDefined();

    await advance(10 * MINUTE);
    const followUps = clock.runtime.outbox.entries().filter((e) => e.message.author.id === 'automation');
    expect(followUps.map((e) => e.message.text)).toEqual(['Sorry for the wait: we are on it.']);
    const after = await conversation(conversationId);
    expect(after.sla).toMatchObject({ responded: false, waitingOn: 'agent', firstResponseDue });
    expect(after.waiting).toBe(true);
    expect(after.awaitingCustomerSince).toBeUndefined();

    // The target is missed at its time, and an hour of "silence" after the follow-up resolves nothing.
    await advance(2 * 60 * MINUTE);
    const later = await conversation(conversationId);
    expect(later.status).toBe('open');
    expect(later.sla?.breaches.map((b) => b.metric)).toContain('firstResponse');
  });

  it("resolves the merged-away customer's open conversation quietly: no follow-up, breach, auto-resolve or survey on it", async () => {
    const write = (from: string, id: string, text: string) => whatsapp({ from, id, text });
    await write('447700900591', 'wamid.merge-kept-1', 'My parcel is late');
    await write('447700900592', 'wamid.merge-gone-1', 'It is me again, from my other phone');
    const kept = await find('+447700900591');
    const gone = await find('+447700900592');
    const goneConversation = gone.openConversationId as string;
    manual.advance(MINUTE);
    await api('POST', `/api/customers/${kept.id}/merge`, { customerId: gone.id });
    await idle();
    const closed = await conversation(goneConversation);
    expect(closed.status).toBe('resolved');
    const stored = await clock.runtime.store.conversations.getConversation(goneConversation);
    expect(stored?.sla, JSON.stringify(stored)).toMatchObject({ endedAt: expect.any(String) });

    await advance(3 * 60 * MINUTE);
    const onIt = clock.runtime.outbox.entries().filter((e) => e.message.conversationId === goneConversation);
    expect(onIt).toEqual([]);
    expect((await conversation(goneConversation)).sla?.breaches).toEqual([]);
    expect((await conversation(kept.openConversationId as string)).status).toBe('open');
  });

  it('gives the kept customer the merged-in conversation when none is open, and joins a waiting one into an answered one, its target met by the answer there', async () => {
    const write = (from: string, id: string, text: string) => whatsapp({ from, id, text });
    const merge = async (targetId: string, sourceId: string) => {
      await api('POST', `/api/customers/${targetId}/merge`, { customerId: sourceId });
      await idle();
    };
    // Kept customer with no open conversation (resolved by hand): the merged-in one becomes theirs.
    await write('447700900593', 'wamid.merge-none-1', 'Thanks, all sorted');
    const resolvedKept = await find('+447700900593');
    await api('POST', `/api/conversations/${resolvedKept.openConversationId}/resolve`);
    await write('447700900594', 'wamid.merge-none-2', 'Another question from my other phone');
    const onlyOpen = (await find('+447700900594')).openConversationId as string;
    await merge(resolvedKept.id, (await find('+447700900594')).id);
    expect((await conversation(onlyOpen)).status).toBe('open');
    expect((await find('+447700900593')).openConversationId).toBe(onlyOpen);

    // Kept customer answered, merged-in one still waiting: the kept conversation waits on it now.
    await write('447700900595', 'wamid.merge-answered-1', 'Where is my parcel?');
    const answered = await find('+447700900595');
    const keptId = answered.openConversationId as string;
    const reply = await call('POST', `/api/conversations/${keptId}/replies`, { text: 'It is on its way.' });
    expect(reply.status).toBeLessThan(300);
    await idle();
    expect((await conversation(keptId)).waiting).toBe(false);
    manual.advance(MINUTE);
    await write('447700900596', 'wamid.merge-answered-2', 'And can I change the address?');
    const waitingOne = (await find('+447700900596')).openConversationId as string;
    const waitFrom = (await conversation(waitingOne)).waitingSince as string;
    await merge(answered.id, (await find('+447700900596')).id);
    expect((await conversation(waitingOne)).status).toBe('resolved');
    const kept = await conversation(keptId);
    expect(kept.waiting).toBe(true);
    expect(kept.waitingSince).toBe(waitFrom);
    // Its next response is due 30 minutes after the merged-in message, and the answer there meets it.
    expect(kept.sla).toMatchObject({
      waitingOn: 'agent',
      nextResponseDue: new Date(Date.parse(waitFrom) + 30 * MINUTE).toISOString(),
    });
    manual.advance(5 * MINUTE);
    const answer = await call('POST', `/api/conversations/${keptId}/replies`, { text: 'Yes, send it.' });
    expect(answer.status).toBeLessThan(300);
    await idle();
    await advance(60 * MINUTE);
    const after = await conversation(keptId);
    expect(after.waiting).toBe(false);
    expect(after.sla?.breaches).toEqual([]);
  });
});
