import { describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { clockSteps } from '../support/clock-steps.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const MINUTE = 60_000;

/**
 * QA: Xan writes on WhatsApp, Yuri texts about his delivery slot; both wait. Yuri is merged into Xan by
 * mistake and the merge undone at once: Yuri's conversation stayed resolved by the merge, its target
 * ended with no outcome, and nobody would answer him. The unmerge now reopens it, waiting since his
 * message, with a fresh SLA from the reopen; once, however often the unmerge is asked.
 */
describe('local runtime: an unmerge reopens the conversation the merge closed on an unanswered message', () => {
  const clock = useClockRuntime({
    metaSecret: 'unmerge-reopen-secret',
    agent: { token: agentToken('unmerge-reopen-token'), admin: true },
    policyFile: slaPolicyFile(),
    routing: false,
  });
  const { advance, whatsapp, api } = clock;
  const { iso, sms, find, conversation } = clockSteps(clock);
  const customer = (id: string) => api<Customer>('GET', `/api/customers/${id}`);
  const reopenedEvents = async (customerId: string) =>
    (
      await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline?limit=200`)
    ).items.filter((item) => item.type === 'event' && item.event === 'reopened');

  /** Xan on WhatsApp, then Yuri by SMS, both waiting; Yuri merged into Xan (his conversation resolved by it). */
  const mergedByMistake = async (n: number) => {
    const nn = String(n).padStart(2, '0');
    const xanPhone = `44770090${nn}71`;
    await whatsapp({ from: xanPhone, id: `wamid.xan-${n}`, text: 'The zip on my jacket broke' });
    await advance(MINUTE);
    const yuriAt = await sms(`+44770090${nn}72`, `SMyuri${n}`, 'Change my delivery slot for 4004');
    const [xan, yuri] = await Promise.all([find(`+${xanPhone}`), find(`+44770090${nn}72`)]);
    const yuriConversation = yuri.openConversationId as string;
    expect((await conversation(yuriConversation)).waitingSince).toBe(yuriAt);
    await advance(MINUTE);
    await api('POST', `/api/customers/${xan.id}/merge`, { customerId: yuri.id });
    await clock.idle();
    expect(await conversation(yuriConversation)).toMatchObject({ status: 'resolved' });
    await advance(MINUTE);
    return { xan: xan.id, yuri: yuri.id, yuriConversation, yuriAt };
  };

  it('reopens it waiting since his message, in the inbox, with a fresh SLA; once', async () => {
    const ids = await mergedByMistake(1);
    const unmergedAt = iso();
    await api('POST', `/api/customers/${ids.xan}/unmerge`, { customerId: ids.yuri });
    await clock.idle();
    const reopened = await conversation(ids.yuriConversation);
    expect(reopened).toMatchObject({ status: 'open', waitingSince: ids.yuriAt });
    // The SLA the merge ended starts afresh from the reopen.
    expect(reopened.sla?.endedAt).toBeUndefined();
    expect(reopened.sla).toMatchObject({
      waitingOn: 'agent',
      nextResponseDue: new Date(Date.parse(unmergedAt) + 10 * MINUTE).toISOString(),
    });
    expect((await customer(ids.yuri)).openConversationId).toBe(ids.yuriConversation);
    const inbox = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200');
    expect(inbox.items.map((c) => c.id)).toContain(ids.yuriConversation);
    expect(await reopenedEvents(ids.yuri)).toMatchObject([{ data: { by: 'unmerge' } }]);

    // Asked again: nothing more.
    await advance(MINUTE);
    await api('POST', `/api/customers/${ids.xan}/unmerge`, { customerId: ids.yuri });
    await clock.idle();
    expect(await reopenedEvents(ids.yuri)).toHaveLength(1);
    expect((await conversation(ids.yuriConversation)).sla?.version).toBe(reopened.sla?.version);
  });

  it('leaves it resolved when an agent reopened and resolved it since', async () => {
    const ids = await mergedByMistake(2);
    // An agent reopened Yuri's conversation and resolved it again while they were merged.
    await api('POST', `/api/conversations/${ids.yuriConversation}/reopen`);
    await api('POST', `/api/conversations/${ids.yuriConversation}/resolve`, { csat: false });
    await advance(MINUTE);
    await api('POST', `/api/customers/${ids.xan}/unmerge`, { customerId: ids.yuri });
    await clock.idle();
    expect(await conversation(ids.yuriConversation)).toMatchObject({ status: 'resolved' });
    expect((await reopenedEvents(ids.yuri)).map((item) => item.data?.by)).toEqual(['agent-ana']);
  });

  it('leaves it resolved when an agent answered him while they were merged', async () => {
    const ids = await mergedByMistake(9);
    // Answered in his own conversation (resolved by the merge, which records no answer then).
    const answer = { text: 'Slot moved to Friday' };
    const sent = await clock.call('POST', `/api/conversations/${ids.yuriConversation}/replies`, answer);
    expect(sent.status).toBe(202);
    await clock.idle();
    await advance(MINUTE);
    await api('POST', `/api/customers/${ids.xan}/unmerge`, { customerId: ids.yuri });
    await clock.idle();
    expect(await conversation(ids.yuriConversation)).toMatchObject({ status: 'resolved' });
    expect(await reopenedEvents(ids.yuri)).toEqual([]);
  });

  it('converges when the reopen crashes after any of its writes and the unmerge is asked again', async () => {
    let crashes = 0;
    for (let k = 1; k < 12; k++) {
      const ids = await mergedByMistake(k + 10);
      // The unmerge itself done, its reopen crashing after its k-th write.
      await clock.runtime.store.merges.unmerge(ids.xan, ids.yuri, 'agent-ana', iso());
      const faults = new DynamoFaults({ crashAfterWrite: k });
      const crashing = dynamoRepositories(
        documentClient(faults.attach(inspectionClient(clock.runtime.dynamoEndpoint))),
        'threadline',
      );
      const done = await crashing.unmergeReopen.reopenAfterUnmerge(ids.yuri, iso()).catch((error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return undefined;
      });
      if (done) expect(faults.crashed).toBe(false);
      else crashes += 1;
      await advance(MINUTE);
      await api('POST', `/api/customers/${ids.xan}/unmerge`, { customerId: ids.yuri });
      await clock.idle();
      expect(await conversation(ids.yuriConversation)).toMatchObject({
        status: 'open',
        waitingSince: ids.yuriAt,
      });
      expect((await customer(ids.yuri)).openConversationId).toBe(ids.yuriConversation);
      expect(await reopenedEvents(ids.yuri)).toHaveLength(1);
      if (done) break;
    }
    expect(crashes).toBeGreaterThan(0);
  }, 120_000);
});
