import { describe, expect, it } from 'vitest';
import { metricsCredit } from '#shared/domain/metrics-credit.js';

const AT = '2026-12-06T10:00:00.000Z';

describe('metricsCredit', () => {
  it('credits the assignee, a person', () => {
    expect(metricsCredit({ assignee: 'ana', answeredAt: AT })).toEqual({ agent: 'ana', ai: false });
    expect(metricsCredit({ assignee: 'ana', humanAnswerBy: 'bo' })).toEqual({ agent: 'ana', ai: false });
  });

  it('credits the last person who answered once nobody has the conversation', () => {
    expect(metricsCredit({ humanAnswerBy: 'di', answeredAt: AT })).toEqual({ agent: 'di', ai: false });
    // A person answered (surveys on) from outside the console: a person's, no agent named.
    expect(metricsCredit({ answeredBy: 'agent', answeredAt: AT })).toEqual({ agent: undefined, ai: false });
  });

  it('credits the AI only when it answered and no person did nor has the conversation', () => {
    expect(metricsCredit({ answeredBy: 'ai', answeredAt: AT })).toEqual({ agent: undefined, ai: true });
    expect(metricsCredit({ answeredAt: AT })).toEqual({ agent: undefined, ai: true });
    // Nobody answered: no AI's work.
    expect(metricsCredit({})).toEqual({ agent: undefined, ai: false });
    expect(metricsCredit(undefined)).toEqual({ agent: undefined, ai: false });
  });
});
