import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { SlaPolicy } from '#shared/domain/sla/policy.js';
import { slaRulesIn } from '#shared/domain/sla/rules.js';
import { applySlaEvent, type SlaState, startSla } from '#shared/domain/sla/state.js';

const weekdays = (timezone: string) => ({
  timezone,
  hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' }],
});

/** Madrid hours on `spanish`, New York's on the policy; `night` has none of its own. */
function policyWith(hours: { policy?: unknown; spanish?: unknown }) {
  return parseRoutingPolicy(
    JSON.stringify({
      defaultQueue: 'general',
      queues: [
        { name: 'spanish', languages: ['es'], ...(hours.spanish ? { businessHours: hours.spanish } : {}) },
        { name: 'general' },
      ],
      ...(hours.policy ? { businessHours: hours.policy } : {}),
      sla: {
        policies: [
          {
            name: 'chat',
            match: {},
            firstResponse: 'PT15M',
            nextResponse: 'PT30M',
            calendar: 'businessHours',
          },
        ],
      },
    }),
  );
}

const MONDAY_0930Z = '2026-12-07T09:30:00.000Z'; // 10:30 in Madrid, 04:30 in New York

describe("the businessHours calendar of a conversation: its queue's own hours, else the policy's", () => {
  const policy = policyWith({ policy: weekdays('America/New_York'), spanish: weekdays('Europe/Madrid') });
  const chat = policy.sla.policies[0] as SlaPolicy;

  it("counts a target in the queue's hours, and in the policy's for a queue without its own", () => {
    expect(startSla(slaRulesIn(policy, 'spanish'), chat, MONDAY_0930Z).firstResponseDue).toBe(
      '2026-12-07T09:45:00.000Z',
    );
    // New York opens at 14:00Z.
    expect(startSla(slaRulesIn(policy, 'general'), chat, MONDAY_0930Z).firstResponseDue).toBe(
      '2026-12-07T14:15:00.000Z',
    );
    expect(startSla(slaRulesIn(policy, undefined), chat, MONDAY_0930Z).firstResponseDue).toBe(
      '2026-12-07T14:15:00.000Z',
    );
  });

  it("moved to another queue, keeps the deadline it has; the next target counts in the new queue's hours", () => {
    const started = startSla(slaRulesIn(policy, 'spanish'), chat, MONDAY_0930Z);
    const answered = applySlaEvent(slaRulesIn(policy, 'spanish'), chat, started, {
      type: 'reply',
      at: '2026-12-07T09:40:00.000Z',
      author: 'agent',
    }) as SlaState;
    // Transferred to `general`, then the customer writes again at 17:50 in Madrid (11:50 in New York).
    const next = applySlaEvent(slaRulesIn(policy, 'general'), chat, answered, {
      type: 'inbound',
      at: '2026-12-07T16:50:00.000Z',
    });
    expect(next?.nextResponseDue).toBe('2026-12-07T17:20:00.000Z');
    // The same message in `spanish` would have waited for Madrid's next morning.
    const stayed = applySlaEvent(slaRulesIn(policy, 'spanish'), chat, answered, {
      type: 'inbound',
      at: '2026-12-07T16:50:00.000Z',
    });
    expect(stayed?.nextResponseDue).toBe('2026-12-08T08:20:00.000Z');
  });

  it("takes `businessHours` with only a queue's own hours: a queue without them counts around the clock", () => {
    const queueOnly = policyWith({ spanish: weekdays('Europe/Madrid') });
    const saturday = '2026-12-05T12:00:00.000Z';
    expect(startSla(slaRulesIn(queueOnly, 'spanish'), chat, saturday).firstResponseDue).toBe(
      '2026-12-07T08:15:00.000Z',
    );
    expect(startSla(slaRulesIn(queueOnly, 'general'), chat, saturday).firstResponseDue).toBe(
      '2026-12-05T12:15:00.000Z',
    );
    expect(() => policyWith({})).toThrow(/sla\.policies\[0\]\.calendar: "businessHours" is not a calendar/);
  });
});
