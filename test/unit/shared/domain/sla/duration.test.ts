import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';

const parse = (extra: Record<string, unknown>) => () =>
  parseRoutingPolicy(JSON.stringify({ defaultQueue: 'general', queues: [{ name: 'general' }], ...extra }));

/**
 * A zero or negative duration is well formed but no wait: before, it got the message for text that is
 * no duration at all ("an ISO 8601 duration of ... such as PT5M"), which it already was to the eye.
 */
describe('a zero or negative duration in the routing policy', () => {
  it.each(['PT0M', 'PT0S', 'P0D', 'P0DT0H'])('%s is refused as zero, naming the field', (after) => {
    expect(parse({ autoResolve: { after } })).toThrow(
      `autoResolve.after: "${after}" is zero: a duration must be longer than zero, such as "PT5M"`,
    );
  });

  it.each(['-PT5M', '−P1D'])('%s is refused as negative, naming the field', (delay) => {
    expect(parse({ csat: { question: 'How did we do?', delay } })).toThrow(
      `csat.delay: "${delay}" is negative: a duration is how long to wait, and must be longer than zero`,
    );
  });

  it('text that is no duration keeps the message that shows one', () => {
    expect(parse({ autoResolve: { after: '5 minutes' } })).toThrow(
      'autoResolve.after: an ISO 8601 duration of weeks, days, hours, minutes or seconds, such as "PT5M"',
    );
  });
});
