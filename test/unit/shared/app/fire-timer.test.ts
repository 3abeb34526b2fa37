import { describe, expect, it } from 'vitest';
import { fireTimer } from '#shared/app/fire-timer.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import type { ConversationClockDeps } from '#shared/domain/clock-ports.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { slaTimers } from '#shared/domain/sla/timers.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { Timer } from '#shared/domain/timer-ports.js';
import { fakeClock, plus, silenceAfterReply, T0 } from '../../../support/fake-conversation-clock.js';

const breachTimer = (scheduled: Timer[]) => scheduled.find((t) => t.kind === 'sla_breached') as Timer;

/** A clock with nothing configured, counting the conversations and customers it reads. */
function unconfiguredClock() {
  const f = fakeClock([]);
  const counted = { reads: 0 };
  const deps: ConversationClockDeps = {
    ...f.deps,
    store: {
      ...f.deps.store,
      getConversation: async (id) => {
        counted.reads++;
        return f.deps.store.getConversation(id);
      },
      getCustomer: async (id) => {
        counted.reads++;
        return f.deps.store.getCustomer(id);
      },
    },
    policy: parseRoutingPolicy(JSON.stringify({ defaultQueue: 'general', queues: [{ name: 'general' }] })),
  };
  return { f, deps, counted };
}

describe('trackConversationClock without targets, auto-resolve or automations', () => {
  it('reads nothing for a reply or a resolve, and still reads the conversation for a customer message', async () => {
    const { f, deps, counted } = unconfiguredClock();
    await trackConversationClock(deps, { type: 'reply', conversationId: 'cv_1', at: T0, author: 'ai' });
    await trackConversationClock(deps, { type: 'resolved', conversationId: 'cv_1', at: T0 });
    expect(counted.reads).toBe(0);
    await trackConversationClock(deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    // The conversation, and not the customer: no SLA policy could start.
    expect(counted.reads).toBe(1);
    expect(f.scheduled).toEqual([]);
  });

  it('reads nothing for a customer message whose own write saw nothing to wake or end', async () => {
    const { f, deps, counted } = unconfiguredClock();
    const seen = structuredClone(f.conversation);
    await trackConversationClock(deps, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: T0,
      conversation: seen,
    });
    expect(counted.reads).toBe(0);
    // Waiting on the customer as the write saw it: read afresh, and the wait ended.
    f.conversation.awaitingCustomerSince = T0;
    const waiting = structuredClone(f.conversation);
    await trackConversationClock(deps, {
      type: 'inbound',
      conversationId: 'cv_1',
      at: plus(1),
      conversation: waiting,
    });
    expect(counted.reads).toBe(1);
    expect(f.conversation.awaitingCustomerSince).toBeUndefined();
  });
});

describe('fireTimer', () => {
  it.each([
    [{ type: 'priority', priority: 'urgent' }, (c: Conversation) => expect(c.priority).toBe('urgent')],
    [{ type: 'queue', queue: 'escalations' }, (c: Conversation) => expect(c.queue).toBe('escalations')],
    [{ type: 'assign', agent: 'agent-ana' }, (c: Conversation) => expect(c.assignee).toBe('agent-ana')],
  ])('carries out the breach action %j once, however often the timer fires', async (action, check) => {
    const f = fakeClock([action]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    f.setNow(plus(10));
    const timer = breachTimer(f.scheduled);
    expect(await fireTimer(f.deps, timer)).toBe('fired');
    expect(await fireTimer(f.deps, timer)).toBe('stale');
    check(f.conversation);
    expect([...f.timeline.values()].filter((i) => i.event === 'sla_breached')).toHaveLength(1);
    expect(f.conversation.sla?.breaches).toEqual([{ metric: 'firstResponse', at: plus(10) }]);
    expect(f.logs).toContain('stale timer dropped');
    expect(f.tallies.map((t) => ({ at: t.at, outcomes: t.outcomes }))).toEqual([
      { at: plus(10), outcomes: [{ metric: 'firstResponse', met: false }] },
    ]);
  });

  it('a breach that gives the conversation to another agent refills the one it leaves, never with it', async () => {
    const f = fakeClock([{ type: 'assign', agent: 'agent-ana' }]);
    f.conversation.assignee = 'agent-bo';
    const refilled: unknown[] = [];
    f.deps.refill = async (agentId, options) => refilled.push([agentId, options.skip]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    f.setNow(plus(10));
    const timer = breachTimer(f.scheduled);
    expect(await fireTimer(f.deps, timer)).toBe('fired');
    expect(await fireTimer(f.deps, timer)).toBe('stale');
    expect(f.conversation.assignee).toBe('agent-ana');
    expect(refilled).toEqual([['agent-bo', ['cv_1']]]);
  });

  it('does not assign to an agent who is not registered: a note says why, once, however often it fires', async () => {
    const f = fakeClock([{ type: 'assign', agent: 'agent-lead' }]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    f.setNow(plus(10));
    const timer = breachTimer(f.scheduled);
    // A crash after the actions, before the breach was recorded: the retry runs them again.
    const save = f.deps.store.saveSla;
    f.deps.store.saveSla = async () => false;
    await expect(fireTimer(f.deps, timer)).rejects.toThrow(/changed while its breach was recorded/);
    f.deps.store.saveSla = save;
    expect(await fireTimer(f.deps, timer)).toBe('fired');
    expect(await fireTimer(f.deps, timer)).toBe('stale');
    expect(f.conversation.assignee).toBeUndefined();
    expect(f.conversation.queue).toBe('general');
    const items = [...f.timeline.values()];
    expect(items.filter((i) => i.event === 'assigned')).toEqual([]);
    const notes = items.filter((i) => i.type === 'note');
    expect(notes.map((n) => n.text)).toEqual([
      "Target missed: not assigned to agent-lead (the SLA policy chat's onBreach), who is not a registered agent; left in the general queue.",
    ]);
    expect(f.logs).toContain('SLA breach assigns to an agent who is not registered: not assigned');
    expect(f.conversation.sla?.breaches).toEqual([{ metric: 'firstResponse', at: plus(10) }]);
  });

  it.each([
    [{ type: 'note', text: 'Response target missed: please answer this one next.' }, 'note'],
    [{ type: 'queue', queue: 'escalations' }, 'assigned'],
    [{ type: 'assign', agent: 'agent-ana' }, 'assigned'],
    [{ type: 'assign', agent: 'agent-lead' }, 'note'],
  ])('writes the breach action %j once when a retry after a conflict fires later', async (action, kind) => {
    const f = fakeClock([action]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    const timer = breachTimer(f.scheduled);
    f.setNow(plus(11));
    // Another writer moved the SLA while the breach was being recorded: the timer is retried, later.
    const save = f.deps.store.saveSla;
    f.deps.store.saveSla = async () => false;
    // Named, with a code: the timers' `timer failed, will be retried` line says which failure it was.
    await expect(fireTimer(f.deps, timer)).rejects.toMatchObject({
      name: 'ConflictError',
      code: 'sla_changed',
      message: expect.stringMatching(/changed while its breach was recorded/),
    });
    f.deps.store.saveSla = save;
    f.setNow(plus(12));
    expect(await fireTimer(f.deps, timer)).toBe('fired');
    const items = [...f.timeline.values()].filter((i) => i.type === kind || i.event === kind);
    // Timed by the breach (its due time), whenever the attempt that wrote it ran.
    expect(items.map((i) => i.at)).toEqual([timer.dueAt]);
  });

  it('counts a missed target once when its timer fires twice, and not again when it is answered', async () => {
    const f = fakeClock([]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    const timer = breachTimer(f.scheduled);
    await fireTimer(f.deps, timer);
    await fireTimer(f.deps, { ...timer, id: 'a-duplicate' });
    await trackConversationClock(f.deps, {
      type: 'reply',
      conversationId: 'cv_1',
      at: plus(20),
      author: 'agent',
    });
    expect(f.tallies.flatMap((t) => t.outcomes)).toEqual([{ metric: 'firstResponse', met: false }]);
    // Nobody answered it nor had it: a miss of no AI answer (before 2026-12-06 counted `ai`).
    expect(f.tallies[0]).toMatchObject({ conversationId: 'cv_1', queue: 'general', ai: false });
  });

  it('adds the note once, and never lowers a priority', async () => {
    const f = fakeClock([
      { type: 'note', text: 'Answer now.' },
      { type: 'priority', priority: 'high' },
    ]);
    f.conversation.priority = 'urgent';
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    const timer = breachTimer(f.scheduled);
    await fireTimer(f.deps, timer);
    await fireTimer(f.deps, { ...timer, id: 'a-duplicate' });
    expect([...f.timeline.values()].filter((i) => i.type === 'note').map((n) => n.text)).toEqual([
      'Answer now.',
    ]);
    expect(f.conversation.priority).toBe('urgent');
  });

  it('drops a late breach timer whose target was met, and cancels it when the target is met', async () => {
    const f = fakeClock([{ type: 'priority', priority: 'urgent' }]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    const timer = breachTimer(f.scheduled);
    await trackConversationClock(f.deps, {
      type: 'reply',
      conversationId: 'cv_1',
      at: plus(3),
      author: 'agent',
    });
    expect(f.cancelled).toContain(timer.id);
    f.setNow(plus(60));
    expect(await fireTimer(f.deps, timer)).toBe('stale');
    expect(f.conversation.priority).toBeUndefined();
    expect(f.conversation.sla?.status).toBe('active');
    expect(f.tallies).toEqual([
      {
        conversationId: 'cv_1',
        at: plus(3),
        outcomes: [{ metric: 'firstResponse', met: true }],
        queue: 'general',
        channel: undefined,
        agent: undefined,
        ai: false,
      },
    ]);
  });

  it('starts the SLA from the wait when the AI answered before the message was tracked', async () => {
    const f = fakeClock([]);
    for (const policy of f.deps.policy.sla.policies) policy.aiRepliesCount = true;
    await trackConversationClock(f.deps, {
      type: 'reply',
      conversationId: 'cv_1',
      at: plus(1),
      author: 'ai',
    });
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    expect(f.conversation.sla).toMatchObject({ policy: 'chat', waitingOn: 'customer', responded: true });
    expect(slaTimers('cv_1', f.conversation.sla)).toEqual([]);
    expect(f.tallies).toMatchObject([
      { at: plus(1), outcomes: [{ metric: 'firstResponse', met: true }], ai: true },
    ]);
  });

  it('resolves after the silence, unless the customer wrote meanwhile', async () => {
    const f = fakeClock([], 'PT1H');
    const silence = await silenceAfterReply(f.deps, f.scheduled);
    expect(silence).toMatchObject({ dueAt: plus(61), version: plus(1) });
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: plus(30) });
    expect(await fireTimer(f.deps, silence)).toBe('stale');
    expect(f.conversation.status).toBe('open');

    await trackConversationClock(f.deps, {
      type: 'reply',
      conversationId: 'cv_1',
      at: plus(40),
      author: 'agent',
    });
    const second = f.scheduled.filter((t) => t.kind === 'auto_resolve')[1] as Timer;
    expect(await fireTimer(f.deps, second)).toBe('fired');
    expect(f.conversation).toMatchObject({ status: 'resolved', resolvedAt: plus(100) });
    expect(f.conversation.sla?.status).toBe('hit');
  });

  it('refills the agent who had it after an auto-resolve, never with it; a failed refill fails nothing', async () => {
    const f = fakeClock([], 'PT1H');
    f.conversation.assignee = 'agent-ana';
    const refilled: unknown[] = [];
    let fails = true;
    f.deps.refill = async (agentId, options) => {
      refilled.push([agentId, options.skip]);
      if (fails) throw new Error('throttled');
      return 1;
    };
    const silence = await silenceAfterReply(f.deps, f.scheduled);
    expect(await fireTimer(f.deps, silence)).toBe('fired');
    expect(f.conversation.status).toBe('resolved');
    expect(refilled).toEqual([['agent-ana', ['cv_1']]]);
    fails = false;
    // Fired again (a retry after a crash past the resolve): the resolve stands, the refill is asked
    // again (it fills only the room the agent has). Nobody's conversation: nobody to refill.
    expect(await fireTimer(f.deps, silence)).toBe('fired');
    expect(f.conversation.status).toBe('resolved');
    expect(refilled).toEqual([
      ['agent-ana', ['cv_1']],
      ['agent-ana', ['cv_1']],
    ]);
    refilled.length = 1;
    const g = fakeClock([], 'PT1H');
    g.deps.refill = f.deps.refill;
    expect(await fireTimer(g.deps, await silenceAfterReply(g.deps, g.scheduled))).toBe('fired');
    expect(refilled).toHaveLength(1);
  });

  it('drops a timer for a conversation that does not exist', async () => {
    const f = fakeClock([]);
    const timer = { id: 'x', kind: 'snooze_wake', subject: 'cv_gone', version: T0, dueAt: T0 } as const;
    expect(await fireTimer(f.deps, timer)).toBe('stale');
  });
});

describe('an SLA whose policy was taken out of the routing policy', () => {
  /** The routing policy with only `policies` as SLA policies. */
  const policyWith = (policies: unknown[]) =>
    parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }, { name: 'escalations' }],
        sla: { policies },
      }),
    );
  const chat = { name: 'chat', firstResponse: 'PT10M', nextResponse: 'PT10M', resolution: 'PT1H' };
  const other = { name: 'email', match: { channels: ['email'] }, firstResponse: 'PT1H' };

  /** A conversation whose SLA started under `chat`, then the policy file without it. */
  async function startedThenRemoved(onBreach: unknown[] = []) {
    const f = fakeClock([]);
    f.deps.policy = policyWith([{ ...chat, onBreach }, other]);
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: T0 });
    f.deps.policy = policyWith([other]);
    return f;
  }

  it('meets its targets with the deadlines it has and ends on resolve, counted, with a warning', async () => {
    const f = await startedThenRemoved();
    const reply = { type: 'reply', conversationId: 'cv_1', at: plus(3), author: 'agent' } as const;
    await trackConversationClock(f.deps, reply);
    expect(f.conversation.sla).toMatchObject({
      policy: 'chat',
      responded: true,
      resolutionLeftMs: 57 * 60_000,
    });
    // The customer writes again: the paused resolution runs on with what was left of it; no new
    // response target (its length left with the policy).
    await trackConversationClock(f.deps, { type: 'inbound', conversationId: 'cv_1', at: plus(5) });
    expect(f.conversation.sla?.resolutionDue).toBe(plus(62));
    expect(f.conversation.sla?.nextResponseDue).toBeUndefined();
    await trackConversationClock(f.deps, { type: 'resolved', conversationId: 'cv_1', at: plus(8) });
    expect(f.conversation.sla).toMatchObject({ status: 'hit', endedAt: plus(8) });
    expect(f.tallies.flatMap((t) => t.outcomes)).toEqual([
      { metric: 'firstResponse', met: true },
      { metric: 'resolution', met: true },
    ]);
    expect(f.logs).toContain(
      'SLA policy no longer in the routing policy: the SLA runs on with the deadlines it has',
    );
  });

  it('breaches at its deadline and counts the miss, with none of the gone policy’s breach actions', async () => {
    const f = await startedThenRemoved([{ type: 'priority', priority: 'urgent' }]);
    f.setNow(plus(10));
    const timer = f.scheduled.find((t) => t.kind === 'sla_breached' && t.detail === 'firstResponse') as Timer;
    expect(await fireTimer(f.deps, timer)).toBe('fired');
    expect(f.conversation.sla?.breaches).toEqual([{ metric: 'firstResponse', at: plus(10) }]);
    expect(f.conversation.priority).toBeUndefined();
    expect(f.tallies.flatMap((t) => t.outcomes)).toEqual([{ metric: 'firstResponse', met: false }]);
  });
});
