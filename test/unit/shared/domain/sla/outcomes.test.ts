import { describe, expect, it } from 'vitest';
import { slaOutcomes, slaUndone } from '#shared/domain/sla/outcomes.js';
import { type SlaPolicy, SlaSectionSchema } from '#shared/domain/sla/policy.js';
import { applySlaEvent, type SlaRules, type SlaState, startSla } from '#shared/domain/sla/state.js';
import { slaNextDue } from '#shared/domain/sla/timers.js';

const rules: SlaRules = {
  sla: SlaSectionSchema.parse({
    policies: [{ name: 'clock', firstResponse: 'PT10M', nextResponse: 'PT20M', resolution: 'PT2H' }],
  }),
};
const policy = rules.sla.policies[0] as SlaPolicy;
const T0 = '2026-06-10T10:00:00.000Z';
const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** Applies events in order, keeping every state. */
function run(...events: Parameters<typeof applySlaEvent>[3][]): SlaState[] {
  const states = [startSla(rules, policy, T0)];
  for (const event of events) {
    const next = applySlaEvent(rules, policy, states.at(-1) as SlaState, event);
    if (next) states.push(next);
  }
  return states;
}

describe('slaNextDue', () => {
  it('is the soonest pending deadline, a missed one included, and none once ended', () => {
    const [start, breached, replied, inbound] = run(
      { type: 'breach', metric: 'firstResponse', due: plus(10) },
      { type: 'reply', at: plus(15), author: 'agent' },
      { type: 'inbound', at: plus(30) },
    );
    expect(slaNextDue(start)).toBe(plus(10));
    expect(slaNextDue(breached)).toBe(plus(10));
    expect(slaNextDue(replied)).toBeUndefined();
    expect(slaNextDue(inbound)).toBe(plus(50));
    expect(slaNextDue({ ...(start as SlaState), endedAt: plus(1) })).toBeUndefined();
    expect(slaNextDue(undefined)).toBeUndefined();
  });
});

describe('slaOutcomes', () => {
  it('counts a met response, not a paused resolution, then the resolution met at the end', () => {
    const [start, replied, inbound, replied2, resolved] = run(
      { type: 'reply', at: plus(5), author: 'agent' },
      { type: 'inbound', at: plus(30) },
      { type: 'reply', at: plus(35), author: 'ai' },
      { type: 'reply', at: plus(40), author: 'agent' },
      { type: 'resolved', at: plus(60) },
    );
    expect(slaOutcomes(start, replied as SlaState)).toEqual([{ metric: 'firstResponse', met: true }]);
    expect(slaOutcomes(replied, inbound as SlaState)).toEqual([]);
    expect(slaOutcomes(inbound, replied2 as SlaState)).toEqual([{ metric: 'nextResponse', met: true }]);
    expect(slaOutcomes(replied2, resolved as SlaState)).toEqual([{ metric: 'resolution', met: true }]);
  });

  it('counts a breach once as a miss, and the late answer not as met', () => {
    const [start, breached, replied] = run(
      { type: 'breach', metric: 'firstResponse', due: plus(10) },
      { type: 'breach', metric: 'firstResponse', due: plus(10) },
      { type: 'reply', at: plus(15), author: 'agent' },
    );
    expect(slaOutcomes(start, breached as SlaState)).toEqual([{ metric: 'firstResponse', met: false }]);
    expect(slaOutcomes(breached, replied as SlaState)).toEqual([]);
  });

  it('counts a response target a resolve ends unanswered as neither met nor missed, apart', () => {
    const [start, resolved] = run({ type: 'resolved', at: plus(1) });
    expect(slaOutcomes(start, resolved as SlaState)).toEqual([
      { metric: 'firstResponse', met: false, resolvedUnanswered: true },
      { metric: 'resolution', met: true },
    ]);
    // The next-response target of a customer who wrote again, resolved without an answer.
    const [, , inbound, again] = run(
      { type: 'reply', at: plus(5), author: 'agent' },
      { type: 'inbound', at: plus(30) },
      { type: 'resolved', at: plus(35) },
    );
    expect(slaOutcomes(inbound, again as SlaState)).toEqual([
      { metric: 'nextResponse', met: false, resolvedUnanswered: true },
      { metric: 'resolution', met: true },
    ]);
  });

  it('counts the AI answer that does not count (aiRepliesCount false) as no answer at the resolve', () => {
    // The AI's answer moves nothing (the policy's `aiRepliesCount` is false by default).
    const states = run({ type: 'reply', at: plus(1), author: 'ai' }, { type: 'resolved', at: plus(2) });
    expect(states).toHaveLength(2);
    const [start, resolved] = states;
    expect(slaOutcomes(start, resolved as SlaState)).toEqual([
      { metric: 'firstResponse', met: false, resolvedUnanswered: true },
      { metric: 'resolution', met: true },
    ]);
  });

  it('counts deadlines that passed unseen as misses at the resolution', () => {
    const [start, resolved] = run({ type: 'resolved', at: plus(180) });
    expect(slaOutcomes(start, resolved as SlaState)).toEqual([
      { metric: 'firstResponse', met: false },
      { metric: 'resolution', met: false },
    ]);
    expect(slaOutcomes(undefined, start as SlaState)).toEqual([]);
  });
});

describe('slaUndone', () => {
  it('takes back the target a failed answer met, once, under the breakdown it was counted', () => {
    const [, replied, undone] = run(
      { type: 'reply', at: plus(5), author: 'agent' },
      { type: 'unanswered', at: plus(5) },
    );
    expect(slaUndone(replied, undone as SlaState)).toEqual({
      outcomes: [{ metric: 'firstResponse', met: true, undone: true }],
      ai: false,
    });
    // Told again, the status changes nothing: the SLA is not written, and nothing is taken back twice.
    expect(
      applySlaEvent(rules, policy, undone as SlaState, { type: 'unanswered', at: plus(5) }),
    ).toBeUndefined();
    expect(slaUndone(undone, undone as SlaState).outcomes).toEqual([]);
  });

  it('takes nothing back from an answer that came after its target was missed', () => {
    const [, , replied, undone] = run(
      { type: 'breach', metric: 'firstResponse', due: plus(10) },
      { type: 'reply', at: plus(15), author: 'agent' },
      { type: 'unanswered', at: plus(15) },
    );
    expect(slaUndone(replied, undone as SlaState).outcomes).toEqual([]);
  });

  it('counts an answer that reached the clock before its message as met, and can take it back', () => {
    const aiPolicy = { ...policy, aiRepliesCount: true };
    const first = must(applySlaEvent(rules, aiPolicy, startSla(rules, aiPolicy, T0), reply(5, 'agent')));
    // The customer writes at minute 30; the AI's answer, placed 1 ms after it, reaches the clock first.
    const ahead = must(applySlaEvent(rules, aiPolicy, first, { ...reply(30, 'ai', 1), answers: plus(30) }));
    expect(slaOutcomes(first, ahead)).toEqual([{ metric: 'nextResponse', met: true }]);
    // The message itself, told after, meets nothing more.
    expect(applySlaEvent(rules, aiPolicy, ahead, { type: 'inbound', at: plus(30) })).toBeUndefined();
    const undone = must(
      applySlaEvent(rules, aiPolicy, ahead, { type: 'unanswered', at: ahead.answeredAt ?? '' }),
    );
    expect(slaUndone(ahead, undone)).toEqual({
      outcomes: [{ metric: 'nextResponse', met: true, undone: true }],
      ai: true,
    });
  });
});

function must(state: SlaState | undefined): SlaState {
  if (!state) throw new Error('the event changed nothing');
  return state;
}

function reply(minutes: number, author: 'agent' | 'ai', ms = 0) {
  return { type: 'reply' as const, at: new Date(Date.parse(plus(minutes)) + ms).toISOString(), author };
}

describe('unreachable (a STOP while the customer waits)', () => {
  it('stops the response target unanswered, pauses resolution, changes nothing again, and a new question restarts it', () => {
    const [start, stopped] = run({ type: 'unreachable', at: plus(3) });
    expect(stopped).toMatchObject({
      waitingOn: 'customer',
      responded: false,
      resolutionLeftMs: 117 * 60_000,
    });
    expect(stopped?.firstResponseDue).toBeUndefined();
    expect(stopped?.answeredAt).toBeUndefined();
    expect(stopped?.breaches).toEqual([]);
    // The same STOP again (a redelivery) changes nothing.
    expect(
      applySlaEvent(rules, policy, stopped as SlaState, { type: 'unreachable', at: plus(3) }),
    ).toBeUndefined();
    // After START, the customer's next question waits for a first response again.
    const asked = applySlaEvent(rules, policy, stopped as SlaState, { type: 'inbound', at: plus(30) });
    expect(asked?.firstResponseDue).toBe(plus(40));
    expect(asked?.resolutionDue).toBe(plus(30 + 117));
    expect(start?.firstResponseDue).toBe(plus(10));
  });
});

describe('waitLeft (an unmerge gave the waiting message back to another customer)', () => {
  it('with nothing of the kept customer’s unanswered, ends the wait with no outcome, once', () => {
    const [, replied, joined, left] = run(
      reply(2, 'agent'),
      { type: 'inbound', at: plus(5) },
      { type: 'waitLeft', at: plus(8) },
    );
    expect(joined?.nextResponseDue).toBe(plus(25));
    // Its clock counts no outcome for it (`trackConversationClock` tallies none for `waitLeft`).
    expect(left).toMatchObject({ waitingOn: 'customer', responded: true, breaches: [] });
    expect(left?.nextResponseDue).toBeUndefined();
    expect(replied?.answeredAt).toBe(left?.answeredAt);
    // Told again (a retried unmerge): nothing changes.
    expect(applySlaEvent(rules, policy, left as SlaState, { type: 'waitLeft', at: plus(8) })).toBeUndefined();
  });

  it('with the kept customer’s own message unanswered, runs the response target from it', () => {
    const left = run(
      reply(2, 'agent'),
      { type: 'inbound', at: plus(5) },
      { type: 'inbound', at: plus(7) },
      { type: 'waitLeft', at: plus(9), since: plus(7) },
    ).at(-1);
    expect(left).toMatchObject({ waitingOn: 'agent', waitFrom: plus(7), nextResponseDue: plus(27) });
  });
});
