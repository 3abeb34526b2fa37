import { describe, expect, it } from 'vitest';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
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
 * QA: Zed writes on WhatsApp and is answered; Uma texts about her refund and waits. Uma is merged into
 * Zed by mistake: her conversation is joined into Zed's, which now waits on her message with a
 * 10-minute response target. The admin unmerges at once. Zed's conversation kept waiting (on a
 * message that is Uma's again, top of the inbox) and its target breached 10 minutes later, though
 * Zed had nothing unanswered. It now waits on what is still Zed's, or not at all.
 */
describe('local runtime: an unmerge recomputes the kept conversation’s wait', () => {
  const clock = useClockRuntime({
    metaSecret: 'unmerge-kept-wait-secret',
    agent: { token: agentToken('unmerge-kept-wait-token'), admin: true },
    policyFile: slaPolicyFile(),
    routing: false,
  });
  const { advance, whatsapp, api } = clock;
  const { iso, sms, find, conversation } = clockSteps(clock);
  const breaches = async (customerId: string) =>
    (
      await api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline?limit=200`)
    ).items.filter((item) => item.type === 'event' && String(item.event).startsWith('sla_'));

  /** Zed answered on WhatsApp, Uma waiting by SMS, Uma merged into Zed: Zed's conversation waits on her message. */
  const mergedByMistake = async (n: number, zedWritesAgain = false) => {
    const nn = String(n).padStart(2, '0');
    const zedPhone = `44770092${nn}81`;
    await whatsapp({ from: zedPhone, id: `wamid.zed-${n}`, text: 'Is my order packed?' });
    const zed = await find(`+${zedPhone}`);
    const kept = zed.openConversationId as string;
    await advance(MINUTE);
    const answer = { text: 'Yes, packed', channel: 'whatsapp' };
    expect((await clock.call('POST', `/api/conversations/${kept}/replies`, answer)).status).toBe(202);
    await clock.idle();
    expect((await conversation(kept)).waitingSince).toBeUndefined();
    await advance(MINUTE);
    const umaAt = await sms(`+44770092${nn}82`, `SMuma${n}`, 'Where is my refund for 5005?');
    const uma = await find(`+44770092${nn}82`);
    await advance(MINUTE);
    await api('POST', `/api/customers/${zed.id}/merge`, { customerId: uma.id });
    await clock.idle();
    expect(await conversation(kept)).toMatchObject({ status: 'open', waitingSince: umaAt });
    let zedAt: string | undefined;
    if (zedWritesAgain) {
      await advance(MINUTE);
      zedAt = iso();
      await whatsapp({ from: zedPhone, id: `wamid.zed-${n}-again`, text: 'And the invoice?' });
      expect((await conversation(kept)).waitingSince).toBe(umaAt);
    }
    await advance(MINUTE);
    return { zed: zed.id, uma: uma.id, kept, umaAt, zedAt };
  };

  it('waits no more when nothing of the kept customer’s is unanswered; no breach for the wait that left', async () => {
    const ids = await mergedByMistake(1);
    await api('POST', `/api/customers/${ids.zed}/unmerge`, { customerId: ids.uma });
    await clock.idle();
    const after = await conversation(ids.kept);
    expect(after.waitingSince).toBeUndefined();
    expect(after.sla).toMatchObject({ waitingOn: 'customer' });
    expect(after.sla?.nextResponseDue).toBeUndefined();
    // Past the target the wait would have had: nothing breaches.
    await advance(15 * MINUTE);
    expect((await conversation(ids.kept)).sla).toMatchObject({ status: 'active', breaches: [] });
    expect(await breaches(ids.zed)).toEqual([]);
    // The inbox lists it among the answered ones, after the waiting.
    const inbox = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200');
    expect(inbox.items.find((c) => c.id === ids.kept)?.waitingSince).toBeUndefined();

    // Asked again: nothing more.
    const version = (await conversation(ids.kept)).sla?.version;
    await api('POST', `/api/customers/${ids.zed}/unmerge`, { customerId: ids.uma });
    await clock.idle();
    expect((await conversation(ids.kept)).sla?.version).toBe(version);
  });

  it('waits from the kept customer’s own unanswered message, its target from then', async () => {
    const ids = await mergedByMistake(2, true);
    await api('POST', `/api/customers/${ids.zed}/unmerge`, { customerId: ids.uma });
    await clock.idle();
    const after = await conversation(ids.kept);
    expect(after.waitingSince).toBe(ids.zedAt);
    expect(after.sla).toMatchObject({
      waitingOn: 'agent',
      nextResponseDue: new Date(Date.parse(ids.zedAt as string) + 10 * MINUTE).toISOString(),
    });
  });

  it('converges when the settling crashes after its write and the unmerge is asked again', async () => {
    const ids = await mergedByMistake(3);
    await clock.runtime.store.merges.unmerge(ids.zed, ids.uma, 'agent-ana', iso());
    const faults = new DynamoFaults({ crashAfterWrite: 1 });
    const crashing = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(clock.runtime.dynamoEndpoint))),
      'threadline',
    );
    await expect(
      crashing.unmergeWait.keptWaitAfterUnmerge(ids.zed, ids.uma, iso()).catch((error) => {
        throw error.cause instanceof SimulatedCrash ? new Error('crashed') : error;
      }),
    ).rejects.toThrow('crashed');
    // The wait is gone, the clock not told yet: the unmerge asked again tells it.
    expect((await conversation(ids.kept)).waitingSince).toBeUndefined();
    expect((await conversation(ids.kept)).sla).toMatchObject({ waitingOn: 'agent' });
    await advance(MINUTE);
    await api('POST', `/api/customers/${ids.zed}/unmerge`, { customerId: ids.uma });
    await clock.idle();
    expect((await conversation(ids.kept)).sla).toMatchObject({ waitingOn: 'customer' });
    await advance(15 * MINUTE);
    expect(await breaches(ids.zed)).toEqual([]);
  });
});
