import { describe, expect, it } from 'vitest';
import {
  MAX_REFILL_FOLLOW_UPS,
  REFILL_FOLLOW_UP_MS,
  requestRefill,
  runAgentRefill,
} from '#shared/app/agent-refill.js';
import type { Agent, AgentClaim } from '#shared/domain/assignment.js';
import type { Timer } from '#shared/domain/timer-ports.js';

const NOW = '2025-06-09T10:00:00.000Z';
const agent: Agent = {
  id: 'agent-7',
  presence: 'online',
  queues: ['billing'],
  languages: ['en'],
  capacity: 3,
  openConversations: 0,
  connectedUntil: '2025-06-09T10:10:00.000Z',
};

/** The refill's ports in memory: the agent, their mark, the timers set; every claim lost to a rival. */
function deps(found: Agent | undefined = agent) {
  const timers: Timer[] = [];
  const marks = { held: false, cleared: 0 };
  return {
    timers,
    marks,
    refillTimers: { schedule: async (timer: Timer) => void timers.push(timer), cancel: async () => {} },
    store: {
      getAgentNow: async () => found,
      markRefill: async () => {
        if (marks.held) return false;
        marks.held = true;
        return true;
      },
      clearRefill: async () => {
        marks.held = false;
        marks.cleared += 1;
      },
      claimAgentSlot: async (): Promise<AgentClaim> => ({ claimed: true }),
      // A full page of waiting conversations, every one taken by a rival before this agent's assignment.
      inbox: async (_filter: unknown, page: { limit: number }) => ({
        items: Array.from({ length: page.limit }, (_, n) => ({
          id: `cv_${n}`,
          customerId: 'cu_1',
          status: 'open' as const,
          createdAt: NOW,
          channels: ['whatsapp' as const],
          channelSwitch: false,
          queue: 'billing',
          waitingSince: NOW,
        })),
        cursor: 'more',
      }),
    },
    admin: { assign: async () => false },
    clock: { now: () => new Date(NOW) },
  };
}

describe('requestRefill and runAgentRefill', () => {
  it('requests at once set one refill timer, due now, after marking the agent', async () => {
    const d = deps();
    await Promise.all([
      requestRefill(d, 'agent-7'),
      requestRefill(d, 'agent-7'),
      requestRefill(d, 'agent-7'),
    ]);
    expect(d.timers).toHaveLength(1);
    expect(d.timers[0]).toMatchObject({ kind: 'agent_refill', subject: 'agent-7', dueAt: NOW, detail: '0' });
  });

  it('asks nothing for an agent who cannot take work', async () => {
    const d = deps({ ...agent, presence: 'away' });
    await requestRefill(d, 'agent-7');
    expect(d.timers).toEqual([]);
    expect(d.marks.held).toBe(false);
  });

  it('a run stopped on its bounds by rivals asks again a little later, a bounded number of times', async () => {
    const d = deps();
    expect(await runAgentRefill(d, 'agent-7', 0)).toBe(0);
    expect(d.marks.cleared).toBe(1);
    expect(d.timers).toHaveLength(1);
    expect(d.timers[0]?.detail).toBe('1');
    expect(Date.parse(d.timers[0]?.dueAt ?? '') - Date.parse(NOW)).toBe(REFILL_FOLLOW_UP_MS);
    // The last follow-up asks nothing more.
    d.timers.length = 0;
    await runAgentRefill(d, 'agent-7', MAX_REFILL_FOLLOW_UPS);
    expect(d.timers).toEqual([]);
  });
});
