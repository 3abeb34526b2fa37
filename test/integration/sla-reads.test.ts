import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel } from '#shared/domain/envelope.js';
import type { InboxFilter } from '#shared/domain/inbox.js';
import { type SlaState, SlaStateSchema } from '#shared/domain/sla/state.js';
import { slaNextDue } from '#shared/domain/sla/timers.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { inboxDueSortKey, SHARDS, shardOf } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { countKeyWrites } from '../support/key-writes.js';
import { useLocalStore } from '../support/local-store.js';

/**
 * The inbox sorted by due (the sparse deadline index gsi2, sharded like the inbox) answers exactly what
 * sorting every conversation by its soonest pending deadline gives, page after page at every page size,
 * under the inbox's filters; conversations without a pending deadline are not listed. Against dynalite.
 */

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
const local = useLocalStore('threadline-sla-reads');

const CHANNELS: Channel[] = ['whatsapp', 'email', 'sms'];
const minute = (n: number) => new Date(Date.UTC(2026, 5, 9, 8, 0, 0) + n * 60_000).toISOString();

function sla(i: number, version: number): SlaState {
  const state = SlaStateSchema.parse({ policy: 'p', status: 'active', version, updatedAt: minute(0) });
  // Deadlines that tie across conversations (the id breaks the tie) and differ by target.
  if (i % 3 !== 2) state.firstResponseDue = minute(30 + ((i * 17) % 40));
  if (i % 2 === 0) state.resolutionDue = minute(20 + ((i * 13) % 90));
  if (i % 5 === 0) state.nextResponseDue = minute(25 + (i % 11));
  return state;
}

/** Every page of the due-sorted inbox at a page size. */
async function allPages(filter: InboxFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await local.repos.conversations.inbox({ ...filter, sort: 'due' }, { limit, cursor });
    ids.push(...page.items.map((c) => c.id));
    cursor = page.cursor ?? undefined;
    expect(page.items.length === limit || cursor === undefined).toBe(true);
  } while (cursor);
  return ids;
}

describe('inbox sorted by due', () => {
  const due = new Map<string, string>();
  const meta = new Map<string, { status: string; channel: Channel; assignee?: string; queue?: string }>();

  beforeAll(async () => {
    for (let i = 0; i < 80; i += 1) {
      const id = `cv_${String(i).padStart(3, '0')}`;
      const channel = CHANNELS[i % 3] as Channel;
      const at = minute(i % 13);
      await local.repos.conversations.touchConversation({
        conversationId: id,
        customerId: `cu_${i % 20}`,
        channel,
        at,
        now: at,
        inbound: true,
        reopen: false,
      });
      const info: { status: string; channel: Channel; assignee?: string; queue?: string } = {
        status: 'open',
        channel,
      };
      if (i % 4 === 0) {
        await local.repos.conversations.assign(id, { agentId: 'agent-1' }, 'test', at);
        info.assignee = 'agent-1';
      }
      if (i % 6 === 0) {
        await local.repos.conversations.assign(id, { queue: 'billing' }, 'test', at);
        info.queue = 'billing';
      }
      meta.set(id, info);
      if (i % 9 === 8) continue; // no SLA at all
      let state = sla(i, 0);
      expect(await local.repos.clock.saveSla(id, state, undefined)).toBe(true);
      if (i % 7 === 3) {
        // A deadline moved: the index follows the newest write.
        state = { ...state, firstResponseDue: minute(5 + i), version: 1 };
        expect(await local.repos.clock.saveSla(id, state, 0)).toBe(true);
      }
      if (i % 11 === 4) {
        // Every target met: out of the deadline index.
        const { firstResponseDue: _f, nextResponseDue: _n, resolutionDue: _r, ...rest } = state;
        const next = { ...rest, status: 'hit' as const, endedAt: minute(60), version: state.version + 1 };
        expect(await local.repos.clock.saveSla(id, next, state.version)).toBe(true);
        state = next;
      }
      const next = slaNextDue(state);
      if (next) due.set(id, next);
      if (i % 10 === 1) {
        await local.repos.conversations.resolveConversation(id, 'agent-1', minute(70));
        info.status = 'resolved';
      }
    }
  });

  const expected = (filter: InboxFilter): string[] =>
    [...due.entries()]
      .filter(([id]) => meta.get(id)?.status === filter.status)
      .filter(([id]) => !filter.assignee || meta.get(id)?.assignee === filter.assignee)
      .filter(([id]) => !filter.queue || meta.get(id)?.queue === filter.queue)
      .filter(([id]) => !filter.channel || meta.get(id)?.channel === filter.channel)
      .map(([id, at]) => ({ id, key: inboxDueSortKey(at, id) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((c) => c.id);

  it('spreads the deadlines over many shards', () => {
    const shards = new Set([...due.keys()].map((id) => shardOf(id, SHARDS.inbox)));
    expect(shards.size).toBeGreaterThan(30);
  });

  it.each<[string, InboxFilter]>([
    ['open', { status: 'open' }],
    ['resolved', { status: 'resolved' }],
    ['an agent', { status: 'open', assignee: 'agent-1' }],
    ['a queue', { status: 'open', queue: 'billing' }],
    ['a channel', { status: 'open', channel: 'email' }],
  ])('pages the %s inbox soonest due first at every page size', async (_name, filter) => {
    const want = expected(filter);
    expect(want.length).toBeGreaterThan(0);
    for (const limit of [1, 4, 9, 200]) {
      expect(await allPages(filter, limit), `limit ${limit}`).toEqual(want);
    }
  });

  it('lists only conversations with a pending deadline', async () => {
    const ids = await allPages({ status: 'open' }, 200);
    expect(ids).not.toContain('cv_008');
    expect(ids).not.toContain('cv_004');
    expect(ids.length).toBeLessThan([...meta.values()].filter((m) => m.status === 'open').length);
  });

  it('follows the conversation into the snoozed partition and back', async () => {
    const id = expected({ status: 'open' })[0] ?? '';
    expect(await local.repos.clock.snooze(id, minute(500))).toBe(true);
    expect(await allPages({ status: 'open' }, 50)).not.toContain(id);
    expect(await allPages({ status: 'snoozed' }, 50)).toEqual([id]);
    expect(await local.repos.clock.wake(id, minute(500))).toBe(true);
    expect((await allPages({ status: 'open' }, 50))[0]).toBe(id);
  });
});

/** A line of SLA figures: every target, the first response's and the resolution's as given, zeros else. */
function targets(
  firstResponse = { met: 0, missed: 0, share: null as number | null },
  resolution = { met: 0, missed: 0, share: null as number | null },
) {
  const none = { met: 0, missed: 0, share: null, resolvedUnanswered: 0 };
  return { firstResponse: { ...firstResponse, resolvedUnanswered: 0 }, nextResponse: none, resolution };
}

describe('SLA metrics', () => {
  const day = '2026-07-01';
  const at = (hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

  it('adds up met and missed targets over the shards, overall and by queue, channel, agent and AI', async () => {
    const tallies = [
      { id: 'cv_m1', met: true, queue: 'billing', channel: 'sms' as Channel, agent: 'agent-1', ai: false },
      { id: 'cv_m2', met: true, queue: 'billing', channel: 'whatsapp' as Channel, ai: true },
      { id: 'cv_m3', met: false, queue: 'general', channel: 'sms' as Channel, agent: 'agent-1', ai: false },
      { id: 'cv_m4', met: false, queue: 'billing', channel: 'sms' as Channel, ai: true },
    ];
    expect(new Set(tallies.map((t) => shardOf(t.id, SHARDS.metrics))).size).toBe(4);
    for (const [i, t] of tallies.entries()) {
      await local.repos.clock.countSlaOutcomes({
        conversationId: t.id,
        at: at(i + 1),
        outcomes: [{ metric: 'firstResponse', met: t.met }],
        queue: t.queue,
        channel: t.channel,
        agent: t.agent,
        ai: t.ai,
      });
    }
    await local.repos.clock.countSlaOutcomes({
      conversationId: 'cv_m1',
      at: at(9),
      outcomes: [{ metric: 'resolution', met: true }],
      queue: 'billing',
      ai: false,
    });
    const metrics = await local.repos.metrics.overallMetrics({ from: day, to: day });
    expect(metrics.sla).toEqual({
      ...targets({ met: 2, missed: 2, share: 0.5 }, { met: 1, missed: 0, share: 1 }),
      byQueue: {
        billing: targets({ met: 2, missed: 1, share: 2 / 3 }, { met: 1, missed: 0, share: 1 }),
        general: targets({ met: 0, missed: 1, share: 0 }),
      },
      byChannel: {
        sms: targets({ met: 1, missed: 2, share: 1 / 3 }),
        whatsapp: targets({ met: 1, missed: 0, share: 1 }),
      },
      byAgent: { 'agent-1': targets({ met: 1, missed: 1, share: 0.5 }) },
      byAi: {
        ai: targets({ met: 1, missed: 1, share: 0.5 }),
        human: targets({ met: 1, missed: 1, share: 0.5 }, { met: 1, missed: 0, share: 1 }),
      },
    });
    expect(metrics.routed).toBe(0);
    const before = await local.repos.metrics.overallMetrics({ from: '2026-06-30', to: '2026-06-30' });
    // Every target, with nothing ended: zeros and no share.
    expect(before.sla).toEqual({ ...targets(), byQueue: {}, byChannel: {}, byAgent: {}, byAi: {} });
  });
});

describe('deadline index writes', () => {
  let writes = new Map<string, number>();
  let repos: ReturnType<typeof dynamoRepositories>;
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: 'threadline-due-writes' });
    writes = countKeyWrites(dynamo.client);
    repos = dynamoRepositories(documentClient(dynamo.client), 'threadline-due-writes');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const dueWrites = () =>
    [...writes.entries()].filter(([key]) => key.startsWith('gsi2pk=')).reduce((n, [, count]) => n + count, 0);

  it('takes one write per SLA change that moves the soonest deadline, none per message', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `cv_w${i}`);
    for (const [i, id] of ids.entries()) {
      const touch = { conversationId: id, customerId: `cu_${i}`, channel: 'whatsapp' as Channel };
      await repos.conversations.touchConversation({
        ...touch,
        at: minute(0),
        now: minute(0),
        inbound: true,
        reopen: false,
      });
      await repos.clock.saveSla(id, sla(0, 0), undefined);
    }
    expect(dueWrites()).toBe(20);
    for (const [i, id] of ids.entries()) {
      for (const n of [1, 2, 3]) {
        const touch = { conversationId: id, customerId: `cu_${i}`, channel: 'whatsapp' as Channel };
        await repos.conversations.touchConversation({
          ...touch,
          at: minute(n),
          now: minute(n),
          inbound: n !== 2,
          reopen: false,
        });
      }
    }
    expect(dueWrites()).toBe(20);
    const shards = new Set([...writes.keys()].filter((key) => key.startsWith('gsi2pk=')));
    expect(shards.size).toBeGreaterThan(10);
    // A target met behind the soonest deadline moves nothing; the soonest one met moves the entry.
    const { firstResponseDue: _f, ...later } = sla(0, 1);
    for (const id of ids) await repos.clock.saveSla(id, later, 0);
    expect(dueWrites()).toBe(20);
    const { resolutionDue: _r, ...sooner } = { ...later, version: 2 };
    for (const id of ids) await repos.clock.saveSla(id, sooner, 1);
    expect(dueWrites()).toBe(40);
  });
});
