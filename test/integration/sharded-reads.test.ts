import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { takeNextWaiting } from '#shared/app/take-next-waiting.js';
import type { Channel } from '#shared/domain/envelope.js';
import type { InboxFilter } from '#shared/domain/inbox.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import {
  CUSTOMER_NAME_PARTITION,
  inboxPartition,
  inboxSortKey,
  Keys,
  nameSearchKey,
  nameSortKey,
} from '#shared/store/keys.js';
import { wordSuffixes } from '#shared/store/name-words.js';
import { documentClient } from '#shared/store/sdk-documents.js';

/**
 * The sharded inbox, name index and daily metrics read back exactly what one unsharded partition
 * gave: the same conversations in the same order (by wait, then id), page after page, under every
 * filter; the same customers for a name prefix; the same totals. Items written before sharding (in
 * the unsharded partitions) are read too. Against the real DynamoDB API (dynalite).
 */

const TABLE = 'threadline-sharded';
let dynamo: LocalDynamo;
let repos: ReturnType<typeof dynamoRepositories>;

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: TABLE });
  repos = dynamoRepositories(documentClient(dynamo.client), TABLE);
});
afterAll(async () => {
  await dynamo.close();
});

const CHANNELS: Channel[] = ['whatsapp', 'email', 'sms'];
const minute = (n: number) => new Date(Date.UTC(2025, 5, 9, 8, 0, 0) + n * 60_000).toISOString();

/** A legacy item, as written before sharding: in the one unsharded index partition. */
async function putLegacy(item: Record<string, unknown>): Promise<void> {
  await documentClient(dynamo.client).send(new PutCommand({ TableName: TABLE, Item: item }));
}

/** Every page of the inbox at a page size, and how many pages it took. */
async function allPages(filter: InboxFilter, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await repos.conversations.inbox(filter, { limit, cursor });
    ids.push(...page.items.map((c) => c.id));
    cursor = page.cursor ?? undefined;
    pages += 1;
    expect(page.items.length === limit || cursor === undefined).toBe(true);
  } while (cursor);
  return { ids, pages };
}

describe('sharded inbox', () => {
  const made: Conversation[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 90; i += 1) {
      const id = `cv_${String(i).padStart(3, '0')}`;
      // Waits that tie (same minute) so the id breaks the tie, as it did in one partition.
      const at = minute(Math.floor((i * 37) % 60));
      await repos.conversations.touchConversation({
        conversationId: id,
        customerId: `cu_${i % 30}`,
        channel: CHANNELS[i % 3] as Channel,
        at,
        now: at,
        inbound: true,
        reopen: false,
      });
      if (i % 4 === 0) await repos.conversations.assign(id, { agentId: `agent-${i % 3}` }, 'test', at);
      if (i % 5 === 0)
        await repos.conversations.assign(id, { queue: i % 2 ? 'billing' : 'general' }, 'test', at);
      if (i % 7 === 0) await repos.conversations.resolveConversation(id, 'agent-1', minute(100 + i));
    }
    for (let i = 0; i < 6; i += 1) {
      const id = `cv_legacy${i}`;
      const at = minute(i * 11);
      await putLegacy({
        ...Keys.conversation(id),
        entity: 'conversation',
        id,
        customerId: `cu_${i}`,
        status: 'open',
        createdAt: at,
        waitingSince: at,
        lastMessageAt: at,
        channel: 'whatsapp',
        channels: new Set(['whatsapp']),
        gsi1pk: inboxPartition('open'),
        gsi1sk: inboxSortKey(at, id),
      });
    }
    for (const status of ['open', 'resolved']) {
      made.push(...(await repos.conversations.inbox({ status }, { limit: 200 })).items);
    }
  });

  /** The order one unsharded partition gave: by the index sort key (wait since, then id). */
  const expected = (filter: InboxFilter): string[] =>
    made
      .filter((c) => c.status === filter.status)
      .filter((c) =>
        filter.assignee === 'unassigned' ? !c.assignee : !filter.assignee || c.assignee === filter.assignee,
      )
      .filter((c) => !filter.queue || c.queue === filter.queue)
      .filter((c) => !filter.channel || c.channels.includes(filter.channel))
      .map((c) => {
        const since = c.status === 'open' ? c.waitingSince : c.resolvedAt;
        return { id: c.id, key: inboxSortKey(String(since), c.id) };
      })
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((c) => c.id);

  it('holds every conversation written, the legacy ones too', () => {
    expect(made).toHaveLength(96);
    expect(made.filter((c) => c.id.startsWith('cv_legacy'))).toHaveLength(6);
  });

  it.each<[string, InboxFilter]>([
    ['open', { status: 'open' }],
    ['resolved', { status: 'resolved' }],
    ['unassigned', { status: 'open', assignee: 'unassigned' }],
    ['an agent', { status: 'open', assignee: 'agent-1' }],
    ['a queue', { status: 'open', queue: 'general' }],
    ['a channel', { status: 'open', channel: 'email' }],
    ['a queue, unassigned', { status: 'open', queue: 'billing', assignee: 'unassigned' }],
  ])(
    'pages the %s inbox in the unsharded order at every page size',
    async (_name, filter) => {
      const want = expected(filter);
      expect(want.length).toBeGreaterThan(0);
      for (const limit of [7, 50, 200]) {
        const { ids, pages } = await allPages(filter, limit);
        expect(ids, `limit ${limit}`).toEqual(want);
        expect(pages).toBe(Math.max(1, Math.ceil(want.length / limit)));
      }
    },
    60_000,
  );

  it('pages one conversation at a time in the same order', async () => {
    const filter = { status: 'open', queue: 'billing' };
    expect((await allPages(filter, 1)).ids).toEqual(expected(filter));
  }, 60_000);

  it('keeps the order of waits that moved back to an earlier message', async () => {
    await repos.conversations.touchConversation({
      conversationId: 'cv_001',
      customerId: 'cu_1',
      channel: 'whatsapp',
      at: minute(-30),
      now: minute(200),
      inbound: true,
      reopen: false,
    });
    const first = (await repos.conversations.inbox({ status: 'open' }, { limit: 1 })).items[0];
    expect(first?.id).toBe('cv_001');
  });
});

describe('sharded name index', () => {
  const NAMES = ['Maria Lopez', 'María López', 'Mario Rossi', 'Marc Dubois', 'Ana Silva', 'Anaïs Martin'];
  const all: Array<{ id: string; name: string; legacy?: boolean }> = [];
  /**
   * Where a search answers a customer: at the shortest text of their name indexed (the whole name, and
   * from each of its last words on; a customer written before words were indexed, the whole name only)
   * that starts with the prefix.
   */
  const matchKey = (c: (typeof all)[number], prefix: string) => {
    const folded = nameSearchKey(c.name);
    const texts = [...(c.legacy ? [] : wordSuffixes(folded)), folded];
    const text = texts.find((t) => t.startsWith(prefix));
    return text === undefined ? undefined : `${text}#${c.id}`;
  };

  beforeAll(async () => {
    for (let i = 0; i < 60; i += 1) {
      const id = `cu_name${String(i).padStart(2, '0')}`;
      const name = `${NAMES[i % NAMES.length]} ${i % 7}`;
      const at = minute(i);
      await repos.customers.touchProfile({
        customerId: id,
        identities: [{ kind: 'phone', value: `+4477009${String(i).padStart(5, '0')}` }],
        channel: 'sms',
        at,
        now: at,
        conversationId: `cv_n${i}`,
        inbound: true,
        name: { value: name, at },
      });
      all.push({ id, name });
    }
    for (let i = 0; i < 4; i += 1) {
      const id = `cu_oldname${i}`;
      const name = `Maria Legacy ${i}`;
      await putLegacy({
        ...Keys.customer(id),
        entity: 'customer',
        id,
        name,
        createdAt: minute(i),
        gsi1pk: CUSTOMER_NAME_PARTITION,
        gsi1sk: nameSortKey(name, id),
      });
      all.push({ id, name, legacy: true });
    }
  });

  it.each(['mar', 'María', 'MARIA L', 'ana', 'anaïs', 'Mario Rossi 3', 'zed', 'lóp', 'silva 2'])(
    'finds for %s what the one partition found, in its order',
    async (q) => {
      const prefix = nameSearchKey(q);
      const want = all
        .map((c) => ({ id: c.id, key: matchKey(c, prefix) }))
        .filter((c) => c.key !== undefined)
        .sort((a, b) => ((a.key as string) < (b.key as string) ? -1 : 1))
        .slice(0, 25)
        .map((c) => c.id);
      const found = await repos.customers.findCustomersByName(q, { limit: 25 });
      expect(found.items.map((c) => c.id)).toEqual(want);
    },
  );

  it.each(['mar', 'María', 'ana', 'zed', 'lop'])(
    'pages %s across the shards as one partition would, 7 and 3 at a time',
    async (q) => {
      const prefix = nameSearchKey(q);
      const want = all
        .map((c) => ({ id: c.id, key: matchKey(c, prefix) }))
        .filter((c) => c.key !== undefined)
        .sort((a, b) => ((a.key as string) < (b.key as string) ? -1 : 1))
        .map((c) => c.id);
      for (const limit of [7, 3]) {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repos.customers.findCustomersByName(q, { limit, cursor });
          expect(page.items.length === limit || page.cursor === null).toBe(true);
          ids.push(...page.items.map((c) => c.id));
          cursor = page.cursor ?? undefined;
        } while (cursor);
        expect(ids).toEqual(want);
      }
    },
    // 129 partitions a page (names, the partition before them, words), a page of 3 at a time.
    90_000,
  );
});

describe('daily metrics', () => {
  it('adds up every shard of the days asked for, and nothing outside them', async () => {
    const reasons = ['asked_for_person', 'negative_sentiment'] as const;
    const want = { routed: 0, answeredByAi: 0, switches: 0, handoffs: {} as Record<string, number> };
    for (let i = 0; i < 300; i += 1) {
      const day = 1 + (i % 12);
      const at = `2025-06-${String(day).padStart(2, '0')}T23:59:59.000Z`;
      const human = i % 3 === 0;
      const reason = reasons[i % 2] as (typeof reasons)[number];
      const decision = {
        at,
        itemId: `whatsapp:wamid.M${i}`,
        target: human ? ('human' as const) : ('ai' as const),
        reason: human ? reason : ('routine' as const),
        answeredByAi: !human,
        channelSwitch: i % 10 === 0,
      };
      await repos.metrics.countDecision(decision);
      if (day >= 3 && day <= 9) {
        want.routed += 1;
        if (!human) want.answeredByAi += 1;
        if (i % 10 === 0) want.switches += 1;
        if (human) want.handoffs[reason] = (want.handoffs[reason] ?? 0) + 1;
      }
    }
    const got = await repos.metrics.overallMetrics({ from: '2025-06-03', to: '2025-06-09' });
    expect(got).toEqual({
      routed: want.routed,
      aiResolutionRate: want.answeredByAi / want.routed,
      handoffReasons: want.handoffs,
      firstResponseMs: { median: null, mean: null, conversations: 0 },
      firstHumanResponseMs: { median: null, mean: null, conversations: 0 },
      channelSwitchRate: want.switches / want.routed,
      sla: {
        firstResponse: { met: 0, missed: 0, share: null, resolvedUnanswered: 0 },
        nextResponse: { met: 0, missed: 0, share: null, resolvedUnanswered: 0 },
        resolution: { met: 0, missed: 0, share: null },
        byQueue: {},
        byChannel: {},
        byAgent: {},
        byAi: {},
      },
      csat: {
        count: 0,
        average: null,
        distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
        // No survey went out in these days: none sent, none skipped, no rate.
        sent: 0,
        skipped: {},
        responseRate: null,
        byAgent: {},
        byChannel: {},
        byQueue: {},
        byAi: {},
      },
    });
    expect((await repos.metrics.overallMetrics({ from: '2025-07-01', to: '2025-07-02' })).routed).toBe(0);
  });
});

describe('take next waiting across shards', () => {
  it("gives two agents racing for the waiting conversations each one once, every agent's load what it holds", async () => {
    const store = storePorts(repos);
    const now = new Date('2025-06-10T09:00:00.000Z');
    for (const id of ['agent-r1', 'agent-r2']) {
      await store.putAgent({
        id,
        presence: 'online',
        queues: ['race'],
        languages: ['en'],
        capacity: 5,
        updatedAt: now.toISOString(),
      });
      // Their consoles are open: routing and take-next pass over an online agent who has none.
      await repos.consoleLeases.seen(id, `console-${id}`, now.getTime() + 60_000);
    }
    const waiting = ['cv_race3', 'cv_race1', 'cv_race2', 'cv_race0'];
    for (const [i, id] of waiting.entries()) {
      const at = minute(-1000 + Number(id.slice(-1)));
      await repos.conversations.touchConversation({
        conversationId: id,
        customerId: `cu_race${i}`,
        channel: 'whatsapp',
        at,
        now: at,
        inbound: true,
        reopen: false,
      });
      await repos.conversations.assign(id, { queue: 'race' }, 'routing', at);
    }
    // Both agents read the inbox before either assigns: they both see cv_race0 first.
    let arrived = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const racingStore = {
      ...store,
      inbox: async (...args: Parameters<typeof store.inbox>) => {
        const page = await store.inbox(...args);
        arrived += 1;
        if (arrived === 2) release();
        await bothRead;
        return page;
      },
    };
    const deps = { store: racingStore, admin: repos.conversations, clock: { now: () => now } };
    // Each takes up to their room (5): the four are shared out, none given twice nor counted twice.
    const counts = await Promise.all([takeNextWaiting(deps, 'agent-r1'), takeNextWaiting(deps, 'agent-r2')]);
    const assignees = await Promise.all(
      waiting.map(async (id) => [id, (await repos.conversations.getConversation(id))?.assignee]),
    );
    const taken = assignees.filter(([, agent]) => agent !== undefined);
    expect(taken.map(([id]) => id).sort()).toEqual(['cv_race0', 'cv_race1', 'cv_race2', 'cv_race3']);
    expect(counts[0] + counts[1]).toBe(4);
    // Whoever lost a conversation to the other let its slot go: each agent's load is what they hold.
    for (const [i, id] of ['agent-r1', 'agent-r2'].entries()) {
      expect((await store.getAgentNow(id))?.openConversations).toBe(counts[i]);
      expect(taken.filter(([, agent]) => agent === id)).toHaveLength(counts[i] ?? -1);
    }
  });
});
