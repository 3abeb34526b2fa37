import { describe, expect, it } from 'vitest';
import type { EventsPage } from '#shared/domain/live/events.js';
import { seqAt } from '#shared/domain/live/seq.js';
import type { OutboxEntry } from '#shared/domain/outbox.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, IG_ACCOUNT, signedMeta } from '../support/webhooks.js';

const SECRET = 'watermark-secret';
const TOKEN = agentToken('watermark-token');
const PAGE = '1234567890';

type Channel = 'messenger' | 'instagram';

/** A Messenger (`page`) or Instagram body with one `messaging[]` event between a person and our account. */
function metaEvent(channel: Channel, person: string, ms: number, event: Record<string, unknown>): unknown {
  const account = channel === 'messenger' ? PAGE : IG_ACCOUNT;
  return {
    object: channel === 'messenger' ? 'page' : 'instagram',
    entry: [
      {
        id: account,
        time: ms,
        messaging: [{ sender: { id: person }, recipient: { id: account }, timestamp: ms, ...event }],
      },
    ],
  };
}

/**
 * Messenger's `message_reads` (and a `delivery` without `mids`) carry only a watermark: everything sent
 * before it was read (delivered). The resolver applies one to the customer's outbound messages on that
 * channel at or before it, reading a bounded page of their timeline, forward only, and writes no
 * reference item for it. Counted on the real DynamoDB API (dynalite) through the local runtime.
 */
describe('local runtime: Messenger and Instagram watermark receipts', () => {
  const calls: RecordedCall[] = [];
  let person = 5550001000;
  /** The runtime's time: it moves a second at a time, when the test says so. */
  let now = Date.now();
  const tick = () => {
    now += 1_000;
    return now;
  };

  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-wm:${TOKEN}` },
    clock: { now: () => new Date(now) },
    live: true,
    timers: stillTimers(),
    dynamoClient: (c) => {
      recordCalls(c, calls);
      return c;
    },
  });

  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/meta', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const api = agentCaller(() => runtime.url, TOKEN);

  /** A new person writes; an agent answers `replies` times: the outbox entries, in order. */
  const conversation = async (channel: Channel, replies: string[]) => {
    person += 1;
    const psid = String(person);
    const account = channel === 'messenger' ? PAGE : IG_ACCOUNT;
    await post(metaEvent(channel, psid, tick(), { message: { mid: `m_in_${psid}`, text: 'Hi?' } }));
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: channel, value: `${account}:${psid}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const profile = await api<{ openConversationId: string }>('GET', `/api/customers/${customerId}`);
    const sent: OutboxEntry[] = [];
    for (const text of replies) {
      const before = runtime.outbox.entries().length;
      tick();
      await api('POST', `/api/conversations/${profile.openConversationId}/replies`, { text });
      await runtime.idle();
      const entry = runtime.outbox.entries()[before];
      if (!entry) throw new Error('the reply was not sent');
      sent.push(entry);
    }
    return { psid, customerId, sent };
  };
  const outbound = async (customerId: string): Promise<TimelineItem[]> =>
    (await runtime.store.timeline.timeline(customerId, { limit: 50 })).items.filter(
      (i) => i.direction === 'outbound',
    );
  const statuses = async (customerId: string) => (await outbound(customerId)).map((i) => i.status);

  it('moves every reply sent before a read watermark to read, in one query and one write each', async () => {
    const { psid, customerId } = await conversation('messenger', ['It shipped today', 'Tracking: 123']);
    expect(await statuses(customerId)).toEqual(['sent', 'sent']);
    calls.length = 0;
    const watermark = tick();
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    // What the resolver spent (the live log's own writes, made by the change feed, left out).
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#'));
    expect(await statuses(customerId)).toEqual(['read', 'read']);
    // The identity, the profile (for partitions merged into it), one page of the timeline, a write to
    // each reply; no message reference.
    expect(spent.map((c) => [c.command, c.failed])).toEqual([
      ['GetItem', false],
      ['GetItem', false],
      ['Query', false],
      ['UpdateItem', false],
      ['UpdateItem', false],
    ]);
    expect(spent.some((c) => c.pk.startsWith('MESSAGE#'))).toBe(false);
    // Half a read unit each here (small items); a page of the query reads 20 items at most.
    expect(spent.filter((c) => c.command !== 'UpdateItem').map((c) => c.units)).toEqual([0.5, 0.5, 0.5]);
    expect(spent.filter((c) => c.command === 'UpdateItem').map((c) => c.units)).toEqual([1, 1]);
  });

  it('changes nothing when the same read comes again, or an older watermark after it', async () => {
    const { psid, customerId } = await conversation('messenger', ['Yes, in blue']);
    const watermark = tick();
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    const read = await outbound(customerId);
    calls.length = 0;
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    await post(metaEvent('messenger', psid, watermark - 1, { delivery: { watermark: watermark - 1 } }));
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#')).map((c) => c.command);
    expect(await outbound(customerId)).toEqual(read);
    // Reads only: the newest reply stands at read already, so the walk stops there and nothing is
    // written (nor billed as a failed write).
    expect(spent).toEqual(['GetItem', 'GetItem', 'Query', 'GetItem', 'GetItem', 'Query']);
  });

  it('leaves a reply written after the watermark as it is, and moves it with the next one', async () => {
    const { psid, customerId } = await conversation('messenger', ['First answer']);
    const between = tick();
    const profile = await api<{ openConversationId: string }>('GET', `/api/customers/${customerId}`);
    tick();
    await api('POST', `/api/conversations/${profile.openConversationId}/replies`, { text: 'Second answer' });
    await runtime.idle();
    await post(metaEvent('messenger', psid, tick(), { delivery: { watermark: between } }));
    expect(await statuses(customerId)).toEqual(['delivered', 'sent']);
    const watermark = tick();
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    expect(await statuses(customerId)).toEqual(['read', 'read']);
  });

  it('applies a delivery that carries only a watermark, and never touches another customer', async () => {
    const one = await conversation('messenger', ['For you']);
    const other = await conversation('messenger', ['For someone else']);
    const watermark = tick();
    await post(metaEvent('messenger', one.psid, watermark, { delivery: { watermark } }));
    expect(await statuses(one.customerId)).toEqual(['delivered']);
    expect(await statuses(other.customerId)).toEqual(['sent']);
  });

  it('applies an Instagram watermark the same way, and leaves no item behind for any receipt', async () => {
    const { psid, customerId } = await conversation('instagram', ['On its way']);
    const watermark = tick();
    await post(metaEvent('instagram', psid, watermark, { read: { watermark } }));
    expect(await statuses(customerId)).toEqual(['read']);
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    expect(items.filter((i) => String(i.pk).includes('watermark:'))).toEqual([]);
  });

  it('moves an Instagram read of one message to every reply before it (seen up to), not those after', async () => {
    const { psid, customerId } = await conversation('instagram', ['First', 'Second', 'Third']);
    const [, second] = await outbound(customerId);
    if (!second?.providerMessageId) throw new Error('the reply has no provider id');
    calls.length = 0;
    await post(metaEvent('instagram', psid, tick(), { read: { mid: second.providerMessageId } }));
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#'));
    // Oldest first: the third, sent after the message read, stays as it was.
    expect(await statuses(customerId)).toEqual(['read', 'read', 'sent']);
    // The message's reference (its time), the identity, the profile, one page of the timeline, a write
    // to each reply behind it, then the named message's own status (its reference; its item is there).
    // (whose conditional write fails: the walk moved it already).
    expect(spent.map((c) => [c.command, c.failed])).toEqual([
      ['GetItem', false],
      ['GetItem', false],
      ['GetItem', false],
      ['Query', false],
      ['UpdateItem', false],
      ['UpdateItem', false],
      ['UpdateItem', false],
      ['UpdateItem', true],
    ]);
    calls.length = 0;
    await post(metaEvent('instagram', psid, tick(), { read: { mid: second.providerMessageId } }));
    // Again: the walk stops at the message read, nothing moves.
    expect(await statuses(customerId)).toEqual(['read', 'read', 'sent']);
    const again = calls.filter((c) => !c.pk.startsWith('LIVE#'));
    expect(again.slice(0, 4).map((c) => c.command)).toEqual(['GetItem', 'GetItem', 'GetItem', 'Query']);
    expect(again.filter((c) => c.command === 'UpdateItem' && !c.failed)).toEqual([]);
  });

  it('reads on past the latest 20 items, page by page, to a reply the customer wrote 30 times after', async () => {
    const { psid, customerId } = await conversation('messenger', ['Anything else?']);
    for (let i = 0; i < 30; i++) {
      await post(
        metaEvent('messenger', psid, tick(), { message: { mid: `m_more_${psid}_${i}`, text: `and ${i}` } }),
      );
    }
    calls.length = 0;
    const watermark = tick();
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#')).map((c) => c.command);
    expect(await statuses(customerId)).toEqual(['read']);
    // The identity, the profile (for merged partitions), two pages of 20 items, the write.
    expect(spent).toEqual(['GetItem', 'GetItem', 'Query', 'Query', 'UpdateItem']);
  });

  it('stops at the first reply the status already covers, however long the history behind it', async () => {
    const { psid, customerId } = await conversation('messenger', ['One', 'Two']);
    const first = tick();
    await post(metaEvent('messenger', psid, first, { read: { watermark: first } }));
    const profile = await api<{ openConversationId: string }>('GET', `/api/customers/${customerId}`);
    tick();
    await api('POST', `/api/conversations/${profile.openConversationId}/replies`, { text: 'Three' });
    await runtime.idle();
    calls.length = 0;
    const second = tick();
    await post(metaEvent('messenger', psid, second, { read: { watermark: second } }));
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#')).map((c) => c.command);
    expect(await statuses(customerId)).toEqual(['read', 'read', 'read']);
    expect(spent).toEqual(['GetItem', 'GetItem', 'Query', 'UpdateItem']);
  });

  it("moves a reply that stands in the partition of a customer merged into the receipt's customer", async () => {
    const source = await conversation('messenger', ['Before the merge']);
    const target = await conversation('instagram', ['Other channel']);
    await runtime.store.merges.merge(
      target.customerId,
      source.customerId,
      'agent-wm',
      new Date(tick()).toISOString(),
    );
    await runtime.idle();
    const watermark = tick();
    await post(metaEvent('messenger', source.psid, watermark, { read: { watermark } }));
    // The merged timeline shows both replies; only the receipt's channel moved.
    const byChannel = (await outbound(target.customerId)).map((i) => [i.channel, i.status]);
    expect(byChannel.sort()).toEqual([
      ['instagram', 'sent'],
      ['messenger', 'read'],
    ]);
  });

  it('moves a reply two merges deep (merged into a customer since merged on), one profile read a merge', async () => {
    const first = await conversation('messenger', ['Before both merges']);
    const middle = await conversation('instagram', ['In between']);
    const kept = await conversation('instagram', ['Kept']);
    const merge = (target: string, source: string) =>
      runtime.store.merges.merge(target, source, 'agent-wm', new Date(tick()).toISOString());
    await merge(middle.customerId, first.customerId);
    await merge(kept.customerId, middle.customerId);
    await runtime.idle();
    calls.length = 0;
    const watermark = tick();
    await post(metaEvent('messenger', first.psid, watermark, { read: { watermark } }));
    const spent = calls.filter((c) => !c.pk.startsWith('LIVE#'));
    // The merged timeline shows all three replies; only the receipt's channel moved.
    const byChannel = (await outbound(kept.customerId)).map((i) => [i.channel, i.status]);
    expect(byChannel.sort()).toEqual([
      ['instagram', 'sent'],
      ['instagram', 'sent'],
      ['messenger', 'read'],
    ]);
    // The identity (now the kept customer's), the kept profile, the profile of each customer merged
    // into the group (for its own merges), a page of each partition, the write.
    // (The recorder names no key for a Query.)
    expect(spent.map((c) => [c.command, c.command === 'Query' ? '' : c.pk])).toEqual([
      ['GetItem', `IDENTITY#messenger#${PAGE}:${first.psid}`],
      ['GetItem', `CUSTOMER#${kept.customerId}`],
      ['GetItem', `CUSTOMER#${middle.customerId}`],
      ['GetItem', `CUSTOMER#${first.customerId}`],
      ['Query', ''],
      ['Query', ''],
      ['Query', ''],
      ['UpdateItem', `CUSTOMER#${first.customerId}`],
    ]);
  });

  it('tells live clients the reply was read', async () => {
    const { psid, customerId, sent } = await conversation('messenger', ['Seen?']);
    const started = Math.min(Date.now(), now) - 60_000;
    const watermark = tick();
    await post(metaEvent('messenger', psid, watermark, { read: { watermark } }));
    const events: EventsPage['events'] = [];
    for (let since = seqAt(started), more = true; more; ) {
      const page = await api<EventsPage>('GET', `/api/events?since=${since}`);
      events.push(...page.events);
      [since, more] = [page.seq, page.more];
    }
    const replyId = `reply:${sent[0]?.message.id}`;
    const live = events.flatMap((e) =>
      e.type === 'timeline.item' && e.customerId === customerId && e.item.id === replyId ? [e.item] : [],
    );
    expect(live.map((i) => i.status)).toContain('read');
  });
});
