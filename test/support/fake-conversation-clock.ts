import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import type { ClockStore, ConversationClockDeps } from '#shared/domain/clock-ports.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { SlaTally } from '#shared/domain/sla/tally.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import type { Timer } from '#shared/domain/timer-ports.js';
import { bareCustomer } from './bare-customer.js';

export const T0 = '2026-06-10T10:00:00.000Z';
export const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** In-memory conversation clock: one conversation, its timeline, the timers set and cancelled. */
export function fakeClock(onBreach: unknown[], autoResolve?: string) {
  let now = T0;
  const conversation: Conversation = {
    id: 'cv_1',
    customerId: 'cu_1',
    status: 'open',
    createdAt: T0,
    channels: ['whatsapp'],
    channelSwitch: false,
    queue: 'general',
    waitingSince: T0,
  };
  const timeline = new Map<string, TimelineItem>();
  const scheduled: Timer[] = [];
  const cancelled: string[] = [];
  const tallies: SlaTally[] = [];
  const store: ClockStore = {
    getConversation: async (id) => (id === conversation.id ? structuredClone(conversation) : undefined),
    getCustomer: async () => bareCustomer('cu_1', T0),
    getAgent: async (id) =>
      id === 'agent-ana'
        ? { id, queues: ['general'], languages: [], capacity: 3, presence: 'online', updatedAt: T0 }
        : undefined,
    // Keyed as the store keys a timeline item: its time and its id (an item at another time is another item).
    putTimelineItem: async (item) => {
      const key = `${item.at}#${item.id}`;
      if (timeline.has(key)) return false;
      timeline.set(key, item);
      return true;
    },
    saveSla: async (_id, sla, expected) => {
      if ((conversation.sla?.version ?? undefined) !== expected) return false;
      conversation.sla = structuredClone(sla);
      return true;
    },
    setPriority: async (_id, priority) => {
      conversation.priority = priority;
    },
    setAwaitingCustomer: async (_id, since) => {
      if (since) conversation.awaitingCustomerSince = since;
      else delete conversation.awaitingCustomerSince;
    },
    countSlaOutcomes: async (tally) => void tallies.push(tally),
    snooze: async () => true,
    wake: async () => true,
  };
  const admin = {
    assign: async (
      _id: string,
      target: { agentId?: string | undefined; queue?: string | undefined },
      _by: string,
      at: string,
      eventId?: string,
    ) => {
      if (target.agentId) conversation.assignee = target.agentId;
      if (target.queue) conversation.queue = target.queue;
      await store.putTimelineItem(
        { id: eventId ?? at, type: 'event', event: 'assigned', at, customerId: 'cu_1', data: target },
        undefined,
      );
    },
    addNote: async (_id: string, text: string, _by: string, at: string, noteId: string) => {
      await store.putTimelineItem(
        { id: `note:${noteId}`, type: 'note', text, at, customerId: 'cu_1' },
        undefined,
      );
    },
    resolveConversation: async (_id: string, _by: string, at: string) => {
      conversation.status = 'resolved';
      conversation.resolvedAt = at;
      return at;
    },
  };
  const policy = parseRoutingPolicy(
    JSON.stringify({
      defaultQueue: 'general',
      queues: [{ name: 'general' }, { name: 'escalations' }],
      sla: {
        policies: [{ name: 'chat', match: { channels: ['whatsapp'] }, firstResponse: 'PT10M', onBreach }],
      },
      ...(autoResolve ? { autoResolve: { after: autoResolve } } : {}),
    }),
  );
  const logs: string[] = [];
  const deps: ConversationClockDeps = {
    store,
    admin,
    timers: { schedule: async (t) => void scheduled.push(t), cancel: async (id) => void cancelled.push(id) },
    policy,
    clock: { now: () => new Date(now) },
    log: (_level, message) => void logs.push(message),
  };
  return {
    deps,
    conversation,
    timeline,
    scheduled,
    cancelled,
    tallies,
    logs,
    setNow: (at: string) => (now = at),
  };
}

/** An agent's reply at minute 1: the auto-resolve timer it sets. */
export async function silenceAfterReply(deps: ConversationClockDeps, scheduled: Timer[]): Promise<Timer> {
  await trackConversationClock(deps, { type: 'reply', conversationId: 'cv_1', at: plus(1), author: 'agent' });
  return scheduled.find((t) => t.kind === 'auto_resolve') as Timer;
}
