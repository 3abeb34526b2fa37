import { describe, expect, it } from 'vitest';
import { RouteReasonSchema } from '#shared/domain/routing/decision.js';
import { ROUTE_REASONS, routeReasonText } from '../../../../functions/agent-api/console/route-reasons.js';

describe("the console's routing reasons", () => {
  it('has words for every reason routing records', () => {
    expect(Object.keys(ROUTE_REASONS).sort()).toEqual([...RouteReasonSchema.options].sort());
  });

  it('tells an AI that failed or gave no answer in time from one that had no answer good enough', () => {
    expect(routeReasonText('ai_failed')).toBe('the AI failed to answer (an error, or no answer in time)');
    expect(routeReasonText('low_confidence')).toBe('the AI had no answer good enough');
    // A reason the console does not know yet (a newer API) shows as its code, in words.
    expect(routeReasonText('some_new_reason')).toBe('some new reason');
    expect(routeReasonText(undefined)).toBe('');
  });

  it("says a low-confidence hand-off's own detail: the language the AI does not answer in, its confidence", () => {
    // Before, each read "the AI had no answer good enough", a German message's too.
    expect(routeReasonText('low_confidence', 'the AI does not answer in German (de)')).toBe(
      'the AI does not answer in German (de)',
    );
    expect(routeReasonText('low_confidence', 'AI confidence 0.42 is under the threshold 0.7')).toBe(
      'AI confidence 0.42 is under the threshold 0.7',
    );
    // A hand-off recorded without one keeps the reason's words; other reasons keep theirs.
    expect(routeReasonText('low_confidence', '')).toBe('the AI had no answer good enough');
    expect(routeReasonText('low_confidence', 7)).toBe('the AI had no answer good enough');
    expect(routeReasonText('vip', 'customer is a VIP')).toBe('a VIP customer');
  });
});
