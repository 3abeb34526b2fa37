import { describe, expect, it } from 'vitest';
import { dryRunAutomations } from '#shared/app/dry-run-automations.js';
import { fireTimer } from '#shared/app/fire-timer.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import type { AutomationPorts } from '#shared/domain/automation-ports.js';
import type { ClockStore, ConversationClockDeps } from '#shared/domain/clock-ports.js';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import type { ReplyStore } from '#shared/domain/reply-ports.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { Timer } from '#shared/domain/timer-ports.js';

const T0 = '2026-06-10T10:00:00.000Z';
const HOUR = 3_600_000;
const plus = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

/** One WhatsApp conversation of a customer also known by email, in memory, with every port recorded. */
function world(automations: unknown[], options: { suppressed?: boolean } = {}) {
  let now = T0;
  const conversation: Conversation = {
    id: 'cv_1',
    customerId: 'cu_1',
    status: 'open',
    channel: 'whatsapp',
    createdAt: T0,
    lastMessageAt: T0,
    channels: ['whatsapp'],
    channelSwitch: false,
    queue: 'general',
  };
  const customer: Customer = {
    id: 'cu_1',
    identities: [
      { kind: 'phone', value: '+447700900555' },
      { kind: 'email', value: 'sam@example.com' },
    ],
    channels: ['whatsapp', 'email'],
    createdAt: T0,
    tags: ['vip'],
    mergedFrom: [],
    lastInboundChannel: 'whatsapp',
    lastInboundByChannel: { whatsapp: T0, email: '2026-06-01T00:00:00.000Z' },
  };
  const timeline = new Map<string, TimelineItem>();
  const sent: OutboundMessage[] = [];
  const timers: Timer[] = [];
  const calls: string[] = [];
  const putTimelineItem = async (item: TimelineItem) => {
    if (timeline.has(item.id)) return false;
    timeline.set(item.id, item);
    return true;
  };
  const store: ClockStore = {
    getConversation: async (id) => (id === 'cv_1' ? structuredClone(conversation) : undefined),
    getCustomer: async () => structuredClone(customer),
    getAgent: async (id) =>
      id === 'agent-ana'
        ? { id, queues: ['general'], languages: [], capacity: 3, presence: 'online', updatedAt: T0 }
        : undefined,
    putTimelineItem,
    saveSla: async () => true,
    setPriority: async () => {},
    setAwaitingCustomer: async (_id, since) => {
      if (since) conversation.awaitingCustomerSince = since;
      else delete conversation.awaitingCustomerSince;
    },
    snooze: async (_id, until) => {
      conversation.snoozedUntil = until;
      return true;
    },
    wake: async () => true,
    countSlaOutcomes: async () => {},
  };
  const replies: ReplyStore = {
    getConversation: store.getConversation,
    mergedCustomers: async () => ({ partitions: ['cu_1'], customers: [structuredClone(customer)] }),
    getContactState: async (identity) =>
      options.suppressed && identity.kind === 'email'
        ? { blocked: true, reason: 'bounce', at: T0, envelopeId: 'e' }
        : undefined,
    lastInbound: async () => undefined,
    putReply: async (message) => {
      const first = sent.find((m) => m.id === message.id);
      if (!first) sent.push(message);
      return { message: first ?? message, created: !first };
    },
    putTimelineItem,
    hasReply: async (id) => sent.some((m) => m.id === id),
    setLastAgent: async () => {},
    placeReply: async () => {
      throw new Error('automations place no AI reply');
    },
  };
  const ports: AutomationPorts = {
    replies: {
      store: replies,
      queue: { enqueue: async () => {} },
      clock: { now: () => new Date(now) },
      newId: () => 'rp_x',
    },
    setTags: async (_id, tags) => {
      customer.tags = [...tags];
    },
    getTimelineItem: async (_c, _at, id) => timeline.get(id),
    recentTimeline: async (_p, limit) =>
      [...timeline.values()].sort((a, b) => (a.at < b.at ? -1 : 1)).slice(-limit),
  };
  const deps: ConversationClockDeps = {
    store,
    admin: {
      assign: async (_id, target) => {
        calls.push(`assign:${target.agentId ?? target.queue}`);
        if (target.queue) conversation.queue = target.queue;
      },
      addNote: async (_id, text, _by, _at, noteId) => {
        await putTimelineItem({ id: `note:${noteId}`, type: 'note', text, at: now, customerId: 'cu_1' });
      },
      resolveConversation: async (_id, _by, at) => {
        conversation.status = 'resolved';
        return at;
      },
    },
    timers: { schedule: async (t) => void timers.push(t), cancel: async () => {} },
    policy: parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }, { name: 'billing' }],
        automations,
      }),
    ),
    clock: { now: () => new Date(now) },
    automations: ports,
  };
  ports.replies.track = (event) => trackConversationClock(deps, event);
  const events = () => [...timeline.values()].filter((i) => i.event === 'automation');
  return {
    deps,
    conversation,
    customer,
    sent,
    timers,
    calls,
    timeline,
    events,
    setNow: (at: string) => {
      now = at;
    },
    inbound: (at: string) => trackConversationClock(deps, { type: 'inbound', conversationId: 'cv_1', at }),
  };
}

const rule = (over: Record<string, unknown> & { actions: unknown[] }) => ({
  name: 'r',
  trigger: 'message_received',
  ...over,
});

describe('automations', () => {
  it('refills the agent a rule resolves it of or moves it from, never with it; a failed refill fails nothing', async () => {
    const refilled: unknown[] = [];
    const refill = async (agentId: string, options: { skip: readonly string[] }) => {
      refilled.push([agentId, options.skip]);
      throw new Error('throttled');
    };
    const w = world([
      rule({ name: 'same', actions: [{ type: 'assign', agent: 'agent-ana' }] }),
      rule({ name: 'done', actions: [{ type: 'resolve' }] }),
    ]);
    w.conversation.assignee = 'agent-ana';
    w.deps.refill = refill;
    await w.inbound(T0);
    expect(w.conversation.status).toBe('resolved');
    expect(w.events().map((e) => e.data?.actions)).toEqual([
      [{ type: 'assign', outcome: 'done' }],
      [{ type: 'resolve', outcome: 'done' }],
    ]);
    expect(refilled).toEqual([['agent-ana', ['cv_1']]]);
    // To another agent: the one it leaves takes; to a queue alone (its agent kept), nobody does.
    const moved = world([
      rule({ name: 'queue', actions: [{ type: 'assign', queue: 'billing' }] }),
      rule({ name: 'ana', actions: [{ type: 'assign', agent: 'agent-ana' }] }),
    ]);
    moved.conversation.assignee = 'agent-bo';
    moved.deps.refill = refill;
    await moved.inbound(T0);
    expect(refilled).toEqual([
      ['agent-ana', ['cv_1']],
      ['agent-bo', ['cv_1']],
    ]);
  });

  it("assigns only to a registered agent: another is skipped (unknown_agent), the rule's queue still taken", async () => {
    const w = world([
      rule({ name: 'ghost', actions: [{ type: 'assign', agent: 'agent-ghost' }] }),
      rule({ name: 'ghost-queue', actions: [{ type: 'assign', agent: 'agent-ghost', queue: 'billing' }] }),
      rule({ name: 'ana', actions: [{ type: 'assign', agent: 'agent-ana' }] }),
    ]);
    await w.inbound(T0);
    expect(w.calls).toEqual(['assign:billing', 'assign:agent-ana']);
    expect(Object.fromEntries(w.events().map((e) => [e.data?.rule, e.data?.actions]))).toEqual({
      ghost: [
        {
          type: 'assign',
          outcome: 'skipped',
          reason: 'unknown_agent',
          detail: 'no agent "agent-ghost" is registered (GET /api/agents)',
        },
      ],
      'ghost-queue': [
        {
          type: 'assign',
          outcome: 'skipped',
          reason: 'unknown_agent',
          detail: 'no agent "agent-ghost" is registered (GET /api/agents); moved to the billing queue',
        },
      ],
      ana: [{ type: 'assign', outcome: 'done' }],
    });
  });

  it('runs each action at once, and says on the timeline what each did', async () => {
    const w = world([
      rule({
        actions: [
          { type: 'reply', text: 'Got it, on it.' },
          { type: 'note', text: 'Auto-acknowledged' },
          { type: 'assign', queue: 'billing' },
          { type: 'tag', tags: ['acknowledged'] },
          { type: 'snooze', for: 'PT2H' },
          { type: 'resolve' },
        ],
      }),
    ]);
    await w.inbound(T0);
    expect(w.sent.map((m) => [m.channel, m.text, m.author])).toEqual([
      ['whatsapp', 'Got it, on it.', { kind: 'ai', id: 'automation' }],
    ]);
    expect([...w.timeline.values()].some((i) => i.type === 'note' && i.text === 'Auto-acknowledged')).toBe(
      true,
    );
    expect(w.calls).toEqual(['assign:billing']);
    expect(w.customer.tags).toEqual(['vip', 'acknowledged']);
    expect(w.conversation.snoozedUntil).toBe(plus(2 * HOUR));
    expect(w.timers.map((t) => [t.kind, t.dueAt])).toContainEqual(['snooze_wake', plus(2 * HOUR)]);
    // The snooze is on the timeline as an agent's is (and so sent as conversation.snoozed).
    expect(w.timeline.get(`snoozed:cv_1:${plus(2 * HOUR)}`)).toMatchObject({
      event: 'snoozed',
      at: T0,
      data: { conversationId: 'cv_1', until: plus(2 * HOUR), by: 'automation' },
    });
    expect(w.conversation.status).toBe('resolved');
    expect(w.events().map((e) => e.data)).toEqual([
      {
        conversationId: 'cv_1',
        rule: 'r',
        trigger: 'message_received',
        triggeredAt: T0,
        actions: [
          { type: 'reply', outcome: 'done', channel: 'whatsapp' },
          { type: 'note', outcome: 'done' },
          { type: 'assign', outcome: 'done' },
          { type: 'tag', outcome: 'done' },
          { type: 'snooze', outcome: 'done' },
          { type: 'resolve', outcome: 'done' },
        ],
      },
    ]);
  });

  it('fires once per rule and trigger occurrence: a redelivered message does nothing more', async () => {
    const w = world([
      rule({
        actions: [
          { type: 'reply', text: 'Hi' },
          { type: 'note', text: 'n' },
        ],
      }),
    ]);
    await w.inbound(T0);
    await w.inbound(T0);
    expect(w.sent).toHaveLength(1);
    expect(w.events()).toHaveLength(1);
    // A new message is a new occurrence.
    w.setNow(plus(HOUR));
    await w.inbound(plus(HOUR));
    expect(w.events()).toHaveLength(2);
  });

  it('an agent reply sets it off, and the conversation then waits on the customer', async () => {
    const w = world([
      rule({
        trigger: 'agent_replied',
        conditions: { waitingOn: 'customer' },
        actions: [{ type: 'note', text: 'n' }],
      }),
      rule({
        name: 'r2',
        trigger: 'agent_replied',
        conditions: { waitingOn: 'agent' },
        actions: [{ type: 'note', text: 'n' }],
      }),
    ]);
    await trackConversationClock(w.deps, { type: 'reply', conversationId: 'cv_1', at: T0, author: 'agent' });
    expect(w.events().map((e) => e.data?.rule)).toEqual(['r']);
    await trackConversationClock(w.deps, {
      type: 'reply',
      conversationId: 'cv_1',
      at: plus(1),
      author: 'ai',
    });
    expect(w.events()).toHaveLength(1);
  });

  it('only fires when its conditions hold', async () => {
    const w = world([rule({ conditions: { channels: ['email'] }, actions: [{ type: 'note', text: 'n' }] })]);
    await w.inbound(T0);
    expect(w.events()).toEqual([]);
  });

  it('a reply the rules refuse is skipped with the reason: WhatsApp after its window, with no template', async () => {
    const w = world([
      rule({ trigger: 'sla_breached', actions: [{ type: 'reply', channel: 'whatsapp', text: 'Hi' }] }),
    ]);
    w.setNow(plus(25 * HOUR));
    await expectReplySkipped(w, 'whatsapp', 'whatsapp_window_closed');
  });

  it('an automated reply on Messenger 30 hours on is skipped: the HUMAN_AGENT tag is for a person only', async () => {
    const w = world([
      rule({
        trigger: 'sla_breached',
        actions: [{ type: 'reply', channel: 'messenger', text: 'We are closed' }],
      }),
    ]);
    w.customer.identities.push({ kind: 'messenger', value: '682498302938465:8000000000000001' });
    w.customer.lastInboundByChannel = { messenger: T0 };
    w.conversation.channel = 'messenger';
    w.setNow(plus(30 * HOUR));
    await expectReplySkipped(w, 'messenger', 'messaging_window_closed', 'HUMAN_AGENT');
  });

  it('a template on the last channel, email, is skipped content_not_supported, not queued to fail at send', async () => {
    const template = { name: 'follow_up', language: 'en' };
    const w = world([rule({ trigger: 'sla_breached', actions: [{ type: 'reply', template }] })]);
    w.conversation.channel = 'email';
    await expectReplySkipped(w, 'email', 'content_not_supported', "templates are WhatsApp's");
  });

  it('channel other with a template: only a channel that carries it (WhatsApp) is a candidate', async () => {
    const template = { name: 'follow_up', language: 'en' };
    const w = world([
      rule({ trigger: 'sla_breached', actions: [{ type: 'reply', channel: 'other', template }] }),
    ]);
    await fireAutomationAt(w, 'sla_breached');
    expect(w.sent).toEqual([]);
    expect(w.events()[0]?.data?.actions).toEqual([
      { type: 'reply', outcome: 'skipped', reason: 'no_channel_open' },
    ]);
  });

  it('channel other: email, the other channel the customer wrote on; nothing when its address is suppressed', async () => {
    const follow = [
      rule({ delay: 'PT1H', actions: [{ type: 'reply', channel: 'other', text: 'Following up' }] }),
    ];
    const w = world(follow);
    await w.inbound(T0);
    w.setNow(plus(HOUR));
    await fireTimer(w.deps, w.timers[0] as Timer);
    expect(w.sent.map((m) => [m.channel, m.to.value])).toEqual([['email', 'sam@example.com']]);

    const closed = world(follow, { suppressed: true });
    await closed.inbound(T0);
    closed.setNow(plus(HOUR));
    await fireTimer(closed.deps, closed.timers[0] as Timer);
    expect(closed.sent).toEqual([]);
    expect(closed.events()[0]?.data?.actions).toEqual([
      { type: 'reply', outcome: 'skipped', reason: 'no_channel_open' },
    ]);
  });

  it('channel other: never the chat of a visitor nobody vouched for (merged in on a typed email), though they wrote here', async () => {
    const follow = [
      rule({ delay: 'PT1H', actions: [{ type: 'reply', channel: 'other', text: 'Following up' }] }),
    ];
    const w = world(follow);
    const stranger = { kind: 'webchat_visitor' as const, value: 'eve-browser' };
    w.customer.identities.push(stranger);
    w.customer.channels.push('webchat');
    w.customer.lastInboundByChannel = { whatsapp: T0, webchat: T0, email: '2026-06-01T00:00:00.000Z' };
    const chat: TimelineItem = {
      id: 'webchat:eve.1',
      type: 'message',
      direction: 'inbound',
      channel: 'webchat',
      at: T0,
      customerId: 'cu_1',
      conversationId: 'cv_1',
      from: stranger,
      text: 'hi, what is my order status?',
      data: { typedEmail: 'sam@example.com' },
    };
    (w.deps.automations as AutomationPorts).replies.store.lastInbound = async (_c, channel) =>
      channel === 'webchat' ? chat : undefined;
    await w.inbound(T0);
    w.setNow(plus(HOUR));
    await fireTimer(w.deps, w.timers[0] as Timer);
    expect(w.sent.map((m) => [m.channel, m.to.value])).toEqual([['email', 'sam@example.com']]);
  });

  it('a delayed rule fires after its delay if its conditions still hold, once however often its timer fires', async () => {
    const w = world([
      rule({
        delay: 'PT25H',
        conditions: { waitingOn: 'agent' },
        actions: [{ type: 'reply', channel: 'other', text: 'Still there?' }],
      }),
    ]);
    await w.inbound(T0);
    expect(w.sent).toEqual([]);
    const timer = w.timers.find((t) => t.kind === 'automation') as Timer;
    expect(timer.dueAt).toBe(plus(25 * HOUR));
    w.setNow(plus(25 * HOUR));
    expect(await fireTimer(w.deps, timer)).toBe('fired');
    expect(await fireTimer(w.deps, timer)).toBe('stale');
    expect(w.sent.map((m) => m.channel)).toEqual(['email']);
    expect(w.events()[0]?.at).toBe(plus(25 * HOUR));
  });

  it('a delayed rule is dropped when its conditions no longer hold, or the customer wrote again', async () => {
    const w = world([
      rule({ delay: 'PT25H', conditions: { status: 'open' }, actions: [{ type: 'note', text: 'n' }] }),
    ]);
    await w.inbound(T0);
    const timer = w.timers.find((t) => t.kind === 'automation') as Timer;
    w.conversation.status = 'resolved';
    w.setNow(plus(25 * HOUR));
    expect(await fireTimer(w.deps, timer)).toBe('stale');

    const again = world([rule({ delay: 'PT25H', actions: [{ type: 'note', text: 'n' }] })]);
    await again.inbound(T0);
    again.conversation.lastMessageAt = plus(HOUR);
    again.setNow(plus(25 * HOUR));
    expect(await fireTimer(again.deps, again.timers[0] as Timer)).toBe('stale');
    expect(again.events()).toEqual([]);
  });
});

describe('the automations dry run', () => {
  it('answers which rules would fire now, which condition stops the others, and what already fired', async () => {
    const w = world([
      rule({ name: 'ack', actions: [{ type: 'note', text: 'n' }] }),
      rule({
        name: 'email-only',
        conditions: { channels: ['email'] },
        actions: [{ type: 'note', text: 'n' }],
      }),
      rule({ name: 'later', delay: 'PT1H', actions: [{ type: 'note', text: 'n' }] }),
    ]);
    await w.inbound(T0);
    await w.deps.store.putTimelineItem(
      {
        id: 'm1',
        type: 'message',
        direction: 'inbound',
        channel: 'whatsapp',
        at: T0,
        customerId: 'cu_1',
        conversationId: 'cv_1',
      },
      undefined,
    );
    const run = await dryRunAutomations(w.deps, 'cv_1');
    expect(run.rules).toEqual([
      { rule: 'ack', trigger: 'message_received', wouldFire: false, lastTriggeredAt: T0, firedAt: T0 },
      {
        rule: 'email-only',
        trigger: 'message_received',
        wouldFire: false,
        failed: 'channels',
        lastTriggeredAt: T0,
      },
      { rule: 'later', trigger: 'message_received', delay: 'PT1H', wouldFire: true, lastTriggeredAt: T0 },
    ]);
    await expect(dryRunAutomations(w.deps, 'cv_other')).rejects.toThrow(/no conversation cv_other/);
  });
});

/** Fires a rule on an SLA trigger through its timer path: a breach the conversation's SLA does not hold is stale, so run the rules directly. */
/** Fires the rule's SLA breach and checks its reply was skipped, sending nothing, for `reason`. */
async function expectReplySkipped(
  w: ReturnType<typeof world>,
  channel: string,
  reason: string,
  detail?: string,
) {
  await fireAutomationAt(w, 'sla_breached');
  expect(w.sent).toEqual([]);
  const skipped = { type: 'reply', outcome: 'skipped', channel, reason };
  expect(w.events()[0]?.data?.actions).toEqual([
    expect.objectContaining(detail ? { ...skipped, detail: expect.stringContaining(detail) } : skipped),
  ]);
}

async function fireAutomationAt(w: ReturnType<typeof world>, trigger: 'sla_breached') {
  const { runAutomations } = await import('#shared/app/run-automations.js');
  await runAutomations(w.deps, {
    trigger,
    conversationId: 'cv_1',
    key: `firstResponse/${T0}`,
    at: plus(25 * HOUR),
  });
}
