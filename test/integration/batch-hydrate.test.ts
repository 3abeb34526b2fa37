import { describe, expect, it } from 'vitest';
import { takeNextWaiting } from '#shared/app/take-next-waiting.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'batch-hydrate';
const WAITING = 150;
const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/**
 * The list reads hydrate the index's entries (keys and filters only) with BatchGetItem, 100 keys a
 * call, instead of one GetItem each: the same conversations, customers and subscriptions in the same
 * order, counted on the real DynamoDB API (dynalite).
 */
describe('list reads hydrate a page with BatchGetItem', () => {
  const local = useLocalStore(TABLE);
  let calls: RecordedCall[] | undefined;
  /** The calls `run` made, by command. */
  const counted = async (run: () => Promise<unknown>): Promise<Record<string, number>> => {
    calls ??= recordCalls(local.dynamo.client);
    const from = calls.length;
    await run();
    const made: Record<string, number> = {};
    for (const call of calls.slice(from)) made[call.command] = (made[call.command] ?? 0) + 1;
    return made;
  };

  const seed = async () => {
    for (let i = 0; i < WAITING; i += 1) {
      const id = `cv_wait${String(i).padStart(3, '0')}`;
      await local.repos.conversations.touchConversation({
        conversationId: id,
        customerId: `cu_wait${i}`,
        channel: 'sms',
        at: at(i),
        now: at(i),
        inbound: true,
        reopen: false,
      });
      await local.repos.conversations.assign(id, { queue: 'general' }, 'routing', at(i));
    }
  };

  it('reads the 150 waiting conversations of a 200 page in 2 BatchGetItems, in the inbox order', async () => {
    await seed();
    let page: Awaited<ReturnType<typeof local.repos.conversations.inbox>> | undefined;
    const made = await counted(async () => {
      page = await local.repos.conversations.inbox(
        { status: 'open', assignee: 'unassigned' },
        { limit: 200 },
      );
    });
    expect(made.BatchGetItem).toBe(2);
    expect(made.GetItem).toBeUndefined();
    // The same read units as 150 eventually consistent GetItems of small items: half a unit each.
    const batches = (calls ?? []).filter((call) => call.command === 'BatchGetItem');
    expect(batches.reduce((sum, call) => sum + call.units, 0)).toBe(WAITING / 2);
    const ids = page?.items.map((c) => c.id) ?? [];
    expect(ids).toEqual(Array.from({ length: WAITING }, (_, i) => `cv_wait${String(i).padStart(3, '0')}`));
    // Each conversation whole, as a GetItem reads it.
    const one = await local.repos.conversations.getConversation('cv_wait042');
    expect(page?.items[42]).toEqual(one);
    expect(one?.queue).toBe('general');
  });

  it('pages stay stable: every page of 40 one BatchGetItem, together the one-page answer', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      let next: string | null = null;
      const made = await counted(async () => {
        const page = await local.repos.conversations.inbox({ status: 'open' }, { limit: 40, cursor });
        ids.push(...page.items.map((c) => c.id));
        next = page.cursor;
      });
      expect(made.BatchGetItem).toBe(1);
      expect(made.GetItem).toBeUndefined();
      cursor = next ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(ids).toEqual(Array.from({ length: WAITING }, (_, i) => `cv_wait${String(i).padStart(3, '0')}`));
  });

  it("takes the waiting conversations up to the agent's room, its candidates (room + 5 of the 200) read in one BatchGetItem", async () => {
    await local.store.putAgent({
      id: 'ag_batch',
      presence: 'online',
      queues: ['general'],
      languages: ['en'],
      capacity: 5,
      updatedAt: at(0),
    });
    // Their console is open: take-next passes over an online agent who has none.
    await local.repos.consoleLeases.seen('ag_batch', 'console-1', Date.parse(at(500)) + 60_000);
    const deps = {
      store: local.store,
      admin: local.repos.conversations,
      clock: { now: () => new Date(at(500)) },
    };
    const made = await counted(() => takeNextWaiting(deps, 'ag_batch'));
    expect(made.BatchGetItem).toBe(1);
    // The agent's strong read and their console lease's, and the conditional assignment's own two reads
    // of each of the five conversations it takes (capacity 5).
    expect(made.GetItem).toBe(2 + 2 * 5);
    for (let i = 0; i < 5; i += 1) {
      const id = `cv_wait${String(i).padStart(3, '0')}`;
      expect((await local.repos.conversations.getConversation(id))?.assignee).toBe('ag_batch');
    }
    expect((await local.repos.conversations.getConversation('cv_wait005'))?.assignee).toBeUndefined();
  });

  it('finds customers by name, reads profiles by id and lists webhook subscriptions with one BatchGetItem each', async () => {
    for (let i = 0; i < 30; i += 1) {
      await local.repos.customers.touchProfile({
        customerId: `cu_name${i}`,
        identities: [{ kind: 'phone', value: `+4477008${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at: at(i),
        now: at(i),
        conversationId: `cv_name${i}`,
        inbound: true,
        name: { value: `Batch Person ${String(i).padStart(2, '0')}`, at: at(i) },
      });
    }
    let names: string[] = [];
    const byName = await counted(async () => {
      names = (await local.repos.customers.findCustomersByName('batch person', { limit: 25 })).items.map(
        (c) => c.name ?? '',
      );
    });
    expect(byName.BatchGetItem).toBe(1);
    expect(byName.GetItem).toBeUndefined();
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `Batch Person ${String(i).padStart(2, '0')}`));

    let profiles: string[] = [];
    const byId = await counted(async () => {
      profiles = (
        await local.repos.customers.getCustomers(['cu_name7', 'cu_nobody', 'cu_name2', 'cu_name7'])
      ).map((c) => c.id);
    });
    expect(byId).toEqual({ BatchGetItem: 1 });
    expect(profiles).toEqual(['cu_name7', 'cu_name2', 'cu_name7']);

    // A profile item that is no whole customer (a hand reopen's bare hold) is left out, not a failed inbox.
    await documentClient(local.dynamo.client).put({
      TableName: TABLE,
      Item: { pk: 'CUSTOMER#cu_bare', sk: 'PROFILE', openConversationId: 'cv_bare' },
    });
    const readable = await local.repos.customers.getCustomers(['cu_bare', 'cu_name2']);
    expect(readable.map((c) => c.id)).toEqual(['cu_name2']);

    for (const id of ['wh_b', 'wh_a', 'wh_c']) {
      await local.repos.webhooks.putSubscription({
        id,
        url: `https://hooks.example.com/${id}`,
        events: ['message.received'],
        createdAt: at(0),
        createdBy: 'ag_batch',
        secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
        consecutiveFailures: 0,
      } as never);
    }
    let listed: string[] = [];
    const subscriptions = await counted(async () => {
      listed = (await local.repos.webhooks.listSubscriptions()).map((s) => s.id);
    });
    expect(subscriptions).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(listed.sort()).toEqual(['wh_a', 'wh_b', 'wh_c']);
  });
});
