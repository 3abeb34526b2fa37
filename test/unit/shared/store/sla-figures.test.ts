import { describe, expect, it } from 'vitest';
import { slaFigures } from '#shared/store/sla-figures.js';

describe('slaFigures', () => {
  it('gives every target, met, missed and a null share, when none ended', () => {
    const figures = slaFigures(new Map([['routed', 3]]));
    expect(figures.firstResponse).toEqual({ met: 0, missed: 0, share: null, resolvedUnanswered: 0 });
    expect(figures.nextResponse).toEqual({ met: 0, missed: 0, share: null, resolvedUnanswered: 0 });
    expect(figures.resolution).toEqual({ met: 0, missed: 0, share: null });
    expect(figures.byAgent).toEqual({});
  });

  it('counts a response target a resolve ended unanswered apart: neither met nor missed', () => {
    const figures = slaFigures(
      new Map([
        ['sla:firstResponse:met', 3],
        ['sla:firstResponse:missed', 1],
        ['sla:firstResponse:resolvedUnanswered', 2],
        ['sla:firstResponse:resolvedUnanswered:agent:ed', 2],
        ['sla:resolution:met:agent:ed', 2],
      ]),
    );
    expect(figures.firstResponse).toEqual({ met: 3, missed: 1, share: 0.75, resolvedUnanswered: 2 });
    expect(figures.byAgent.ed).toEqual({
      firstResponse: { met: 0, missed: 0, share: null, resolvedUnanswered: 2 },
      nextResponse: { met: 0, missed: 0, share: null, resolvedUnanswered: 0 },
      resolution: { met: 2, missed: 0, share: 1 },
    });
  });

  it('counts no outcome it does not know as a miss', () => {
    const figures = slaFigures(new Map([['sla:firstResponse:someday', 4]]));
    expect(figures.firstResponse).toEqual({ met: 0, missed: 0, share: null, resolvedUnanswered: 0 });
  });
});
