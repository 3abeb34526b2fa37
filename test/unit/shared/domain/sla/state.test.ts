import { describe, expect, it } from 'vitest';
import { type SlaPolicy, SlaSectionSchema } from '#shared/domain/sla/policy.js';
import {
  applySlaEvent,
  type SlaEvent,
  type SlaRules,
  type SlaState,
  startSla,
} from '#shared/domain/sla/state.js';
import { isLiveSlaTimer, slaTimers } from '#shared/domain/sla/timers.js';

const rules: SlaRules = {
  sla: SlaSectionSchema.parse({
    calendars: {
      weekdays: {
        timezone: 'Europe/London',
        hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
      },
    },
    policies: [
      { name: 'clock', firstResponse: 'PT10M', nextResponse: 'PT20M', resolution: 'PT2H', warnAt: 0.5 },
      {
        name: 'office',
        firstResponse: 'PT1H',
        resolution: 'PT8H',
        calendar: 'weekdays',
        aiRepliesCount: true,
      },
    ],
  }),
};
const [clock, office] = rules.sla.policies as [SlaPolicy, SlaPolicy];
/** The value, failing the test when there is none. */
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const T0 = '2026-06-10T10:00:00.000Z';
const plus = (minutes: number, from = T0) => new Date(Date.parse(from) + minutes * 60_000).toISOString();

describe('SLA deadlines', () => {
  it('starts the first-response and resolution targets at the first message, with warnings', () => {
    const sla = startSla(rules, clock, T0);
    expect(sla).toMatchObject({
      policy: 'clock',
      status: 'active',
      firstResponseDue: plus(10),
      resolutionDue: plus(120),
      warnings: { firstResponse: plus(5), resolution: plus(60) },
      breaches: [],
    });
    expect(sla.nextResponseDue).toBeUndefined();
  });

  it('counts business time: a Friday-evening message is due on Monday morning', () => {
    const sla = startSla(rules, office, '2026-06-12T15:30:00.000Z'); // 16:30 BST
    // 30 minutes on Friday, 30 on Monday from 09:00 BST (08:00 UTC).
    expect(sla.firstResponseDue).toBe('2026-06-15T08:30:00.000Z');
  });

  it("meets no target with an automation's message, even where the AI's answers count", () => {
    const started = startSla(rules, office, T0);
    const ai = applySlaEvent(rules, office, started, { type: 'reply', at: plus(5), author: 'ai' });
    expect(ai).toMatchObject({ responded: true, waitingOn: 'customer' });
    const automated = { type: 'reply', at: plus(5), author: 'automation' } as const;
    expect(applySlaEvent(rules, office, started, automated)).toBeUndefined();
  });

  it('pauses resolution while waiting on the customer and resumes it with what was left', () => {
    const started = startSla(rules, clock, T0);
    const replied = applySlaEvent(rules, clock, started, { type: 'reply', at: plus(30), author: 'agent' });
    expect(replied).toMatchObject({ waitingOn: 'customer', resolutionLeftMs: 90 * 60_000, responded: true });
    expect(replied?.firstResponseDue).toBeUndefined();
    expect(replied?.resolutionDue).toBeUndefined();
    // A day later the customer writes: 90 minutes of resolution left, and the next response is due.
    const back = applySlaEvent(rules, clock, must(replied), { type: 'inbound', at: plus(24 * 60) });
    expect(back).toMatchObject({
      waitingOn: 'agent',
      resolutionDue: plus(24 * 60 + 90),
      nextResponseDue: plus(24 * 60 + 20),
    });
    // Warned when 1 - warnAt of the whole target is left: 60 of 120 minutes, so 30 minutes in.
    expect(back?.warnings.resolution).toBe(plus(24 * 60 + 30));
    expect(back?.resolutionLeftMs).toBeUndefined();
  });

  it('pauses business time in open hours only', () => {
    const started = startSla(rules, office, '2026-06-12T08:00:00.000Z'); // Fri 09:00 BST, due Fri 16:00 UTC (17:00 BST)
    expect(started.resolutionDue).toBe('2026-06-12T16:00:00.000Z');
    const paused = applySlaEvent(rules, office, started, {
      type: 'reply',
      at: '2026-06-12T14:00:00.000Z',
      author: 'ai',
    });
    expect(paused?.resolutionLeftMs).toBe(2 * 3_600_000);
    const resumed = applySlaEvent(rules, office, must(paused), {
      type: 'inbound',
      at: '2026-06-13T10:00:00.000Z',
    });
    // Saturday: the two open hours left run from Monday 09:00 BST.
    expect(resumed?.resolutionDue).toBe('2026-06-15T10:00:00.000Z');
  });

  it('ignores an AI reply unless the policy counts it, and repeated or older events', () => {
    const started = startSla(rules, clock, T0);
    expect(
      applySlaEvent(rules, clock, started, { type: 'reply', at: plus(1), author: 'ai' }),
    ).toBeUndefined();
    const replied = must(
      applySlaEvent(rules, clock, started, { type: 'reply', at: plus(2), author: 'agent' }),
    );
    expect(
      applySlaEvent(rules, clock, replied, { type: 'reply', at: plus(2), author: 'agent' }),
    ).toBeUndefined();
    expect(applySlaEvent(rules, clock, replied, { type: 'inbound', at: plus(1) })).toBeUndefined();
  });

  it('applies events at the same instant as message, answer, resolve, each once', () => {
    const started = startSla(rules, clock, T0);
    const replied = must(applySlaEvent(rules, clock, started, { type: 'reply', at: T0, author: 'agent' }));
    expect(replied).toMatchObject({ waitingOn: 'customer', updatedAt: T0, updatedBy: 'reply' });
    expect(applySlaEvent(rules, clock, replied, { type: 'reply', at: T0, author: 'agent' })).toBeUndefined();
    // The message an answer at its instant answered is not a new wait, whenever it is told.
    expect(applySlaEvent(rules, clock, replied, { type: 'inbound', at: T0 })).toBeUndefined();
    const asked = must(applySlaEvent(rules, clock, replied, { type: 'inbound', at: plus(1) }));
    const resolved = must(applySlaEvent(rules, clock, asked, { type: 'resolved', at: plus(1) }));
    expect(resolved).toMatchObject({ status: 'hit', endedAt: plus(1), updatedBy: 'resolved' });
    expect(applySlaEvent(rules, clock, resolved, { type: 'resolved', at: plus(1) })).toBeUndefined();
    // An SLA written before the kind was kept ignores a tie, as it did.
    const { updatedBy: _, ...before } = asked;
    expect(applySlaEvent(rules, clock, before, { type: 'resolved', at: plus(1) })).toBeUndefined();
  });

  it('records one breach per metric, only for the deadline still running', () => {
    const started = startSla(rules, clock, T0);
    const breached = applySlaEvent(rules, clock, started, {
      type: 'breach',
      metric: 'firstResponse',
      due: plus(10),
    });
    expect(breached).toMatchObject({
      status: 'missed',
      breaches: [{ metric: 'firstResponse', at: plus(10) }],
    });
    expect(
      applySlaEvent(rules, clock, must(breached), { type: 'breach', metric: 'firstResponse', due: plus(10) }),
    ).toBeUndefined();
    expect(
      applySlaEvent(rules, clock, started, { type: 'breach', metric: 'firstResponse', due: plus(11) }),
    ).toBeUndefined();
    expect(breached?.version).toBe(started.version + 1);
  });

  it('resolves as hit in time, or missed with the deadlines that passed unreported', () => {
    const started = startSla(rules, clock, T0);
    const replied = must(
      applySlaEvent(rules, clock, started, { type: 'reply', at: plus(5), author: 'agent' }),
    );
    expect(applySlaEvent(rules, clock, replied, { type: 'resolved', at: plus(6) })).toMatchObject({
      status: 'hit',
      endedAt: plus(6),
    });
    const late = applySlaEvent(rules, clock, started, { type: 'resolved', at: plus(200) });
    expect(late?.status).toBe('missed');
    expect(late?.breaches.map((b) => b.metric)).toEqual(['firstResponse', 'resolution']);
    expect(applySlaEvent(rules, clock, must(late), { type: 'inbound', at: plus(300) })).toBeUndefined();
  });

  it('sets a warning and a breach timer per running target, versioned by its deadline', () => {
    const started = startSla(rules, clock, T0);
    const timers = slaTimers('cv_1', started);
    expect(timers.map((t) => [t.kind, t.detail, t.dueAt, t.version])).toEqual([
      ['sla_warning', 'firstResponse', plus(5), plus(10)],
      ['sla_breached', 'firstResponse', plus(10), plus(10)],
      ['sla_warning', 'resolution', plus(60), plus(120)],
      ['sla_breached', 'resolution', plus(120), plus(120)],
    ]);
    expect(new Set(timers.map((t) => t.id)).size).toBe(4);
    expect(isLiveSlaTimer(started, 'firstResponse', plus(10))).toBe(true);
    const replied = must(
      applySlaEvent(rules, clock, started, { type: 'reply', at: plus(5), author: 'agent' }),
    );
    expect(isLiveSlaTimer(replied, 'firstResponse', plus(10))).toBe(false);
    expect(slaTimers('cv_1', replied)).toEqual([]);
  });
});

describe('an answer that never reached the customer', () => {
  const at = (minutes: number, ms = 0) => new Date(Date.parse(T0) + minutes * 60_000 + ms).toISOString();
  const apply = (state: SlaState, event: SlaEvent) => must(applySlaEvent(rules, clock, state, event));
  /** The first message at T0, an agent's answer at minute 2, the customer again at minute 5. */
  const answered = () => apply(startSla(rules, clock, T0), { type: 'reply', at: at(2), author: 'agent' });

  it('brings the wait back from the message it answered, with the deadlines it stopped, once', () => {
    const first = answered();
    expect(first).toMatchObject({ waitingOn: 'customer', answeredAt: at(2), resolutionLeftMs: 118 * 60_000 });
    const back = apply(first, { type: 'unanswered', at: at(2) });
    expect(back).toMatchObject({
      waitingOn: 'agent',
      responded: false,
      firstResponseDue: plus(10),
      resolutionDue: plus(120),
      waitFrom: T0,
    });
    expect(back.resolutionLeftMs).toBeUndefined();
    // The status again: nothing more.
    expect(applySlaEvent(rules, clock, back, { type: 'unanswered', at: at(2) })).toBeUndefined();
  });

  it("brings the next-response wait back from the customer's later message", () => {
    const second = apply(apply(answered(), { type: 'inbound', at: at(5) }), {
      type: 'reply',
      at: at(6),
      author: 'agent',
    });
    const back = apply(second, { type: 'unanswered', at: at(6) });
    expect(back).toMatchObject({
      waitingOn: 'agent',
      responded: true,
      nextResponseDue: at(25),
      waitFrom: at(5),
    });
    expect(back.firstResponseDue).toBeUndefined();
  });

  it('changes nothing when another answer reached the customer after it, or an earlier one had ended the wait', () => {
    const twice = apply(answered(), { type: 'reply', at: at(3), author: 'agent' });
    expect(applySlaEvent(rules, clock, twice, { type: 'unanswered', at: at(2) })).toBeUndefined();
    // The second answer ended no wait: the first had.
    expect(applySlaEvent(rules, clock, twice, { type: 'unanswered', at: at(3) })).toBeUndefined();
  });

  it("counts the AI's answer to a message the clock has not heard of, and undoes it to that message", () => {
    const policy = { ...clock, aiRepliesCount: true };
    const step = (state: SlaState, event: SlaEvent) => must(applySlaEvent(rules, policy, state, event));
    const first = step(startSla(rules, policy, T0), { type: 'reply', at: at(2), author: 'agent' });
    // The customer writes at minute 5; the AI's answer, placed 1 ms after it, reaches the clock first.
    const ai = step(first, { type: 'reply', at: at(5, 1), author: 'ai', answers: at(5) });
    expect(ai).toMatchObject({ answeredAt: at(5, 1), answeredWait: { since: at(5), first: false } });
    expect(applySlaEvent(rules, policy, ai, { type: 'inbound', at: at(5) })).toBeUndefined();
    expect(slaTimers('cv_1', ai)).toEqual([]);
    const back = step(ai, { type: 'unanswered', at: at(5, 1) });
    expect(back).toMatchObject({ waitingOn: 'agent', nextResponseDue: at(25), waitFrom: at(5) });
  });

  it('moves a wait the customer started since back to the message the failed answer had answered', () => {
    const later = apply(answered(), { type: 'inbound', at: at(5) });
    expect(later.firstResponseDue).toBeUndefined();
    const back = apply(later, { type: 'unanswered', at: at(2) });
    expect(back).toMatchObject({
      waitingOn: 'agent',
      responded: false,
      firstResponseDue: plus(10),
      waitFrom: T0,
    });
    expect(back.nextResponseDue).toBeUndefined();
  });
});
