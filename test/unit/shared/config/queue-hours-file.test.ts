import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadQueueRules } from '#shared/config/queue-hours-file.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { callAfterHours } from '#shared/domain/routing/queues.js';
import { shippedPolicyFileWith } from '../../../support/policy-file.js';

/**
 * Every 29th hour of 2026: 29 shares no factor with the 168 hours of a week, so every hour of every
 * weekday comes round, holidays and DST weeks included.
 */
const HOURS_OF_2026 = Array.from(
  { length: Math.floor((365 * 24) / 29) },
  (_, h) => new Date(Date.UTC(2026, 0, 1) + h * 29 * 3_600_000),
);

describe('loadQueueRules: the queues and hours of a routing policy file, for the voice webhook', () => {
  it('answers a call by the same hours as the whole policy, through 2026', () => {
    const file = shippedPolicyFileWith((policy) => {
      // The call's queue with hours of its own, so both the queue's and the policy's are read.
      const voice = policy.queues.find((queue: { name: string }) => queue.name === 'voice');
      voice.businessHours = {
        timezone: 'Europe/Madrid',
        hours: [{ days: ['mon', 'wed'], open: '22:00', close: '06:00' }],
        holidays: ['2026-03-02'],
      };
    });
    for (const source of [undefined, file]) {
      const whole = callAfterHours(loadRoutingPolicy(source));
      const rules = callAfterHours(loadQueueRules(source));
      const differ = HOURS_OF_2026.filter((at) => whole(at) !== rules(at));
      expect(differ.map((at) => at.toISOString())).toEqual([]);
    }
  }, 30_000);

  it('refuses a file without the fields it reads, naming them', () => {
    const file = shippedPolicyFileWith((policy) => {
      delete policy.defaultQueue;
    });
    expect(() => loadQueueRules(file)).toThrow(/defaultQueue/);
    writeFileSync(file, '{ not json');
    expect(() => loadQueueRules(file)).toThrow(/^ROUTING_POLICY_FILE: .*not valid JSON/);
  });
});
