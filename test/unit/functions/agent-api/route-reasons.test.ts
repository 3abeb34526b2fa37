import { describe, expect, it } from 'vitest';
import { RouteReasonSchema } from '#shared/domain/routing/decision.js';
import {
  ROUTE_REASONS,
  routeReasonText,
  withoutRepeatedRouting,
} from '../../../../functions/agent-api/console/route-reasons.js';

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

describe("the console's routing lines", () => {
  const message = (id: string) => ({ id, type: 'message', conversationId: 'cv_1' });
  const routed = (id: string, reason: string, conversationId = 'cv_1') => ({
    id,
    type: 'event',
    event: 'routed',
    conversationId,
    data: { target: 'human', queue: 'general', reason },
  });

  it('shows a routing decision once while it stays the same, and again when it changes', () => {
    const items = [
      message('m1'),
      routed('r1', 'after_hours'),
      message('m2'),
      routed('r2', 'human_took_over'),
      message('m3'),
      routed('r3', 'human_took_over'),
      message('m4'),
      routed('r4', 'human_took_over'),
      routed('r5', 'human_took_over', 'cv_2'),
      routed('r6', 'asked_for_person'),
      routed('r7', 'human_took_over'),
    ];
    // Before, every one of them showed: r3 and r4 repeat r2 word for word.
    expect(withoutRepeatedRouting(items).map((i) => i.id)).toEqual([
      'm1',
      'r1',
      'm2',
      'r2',
      'm3',
      'm4',
      'r5',
      'r6',
      'r7',
    ]);
  });
});
