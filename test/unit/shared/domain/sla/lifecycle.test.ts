import { describe, expect, it } from 'vitest';
import { slaOutcomes } from '#shared/domain/sla/outcomes.js';
import { type SlaPolicy, SlaSectionSchema } from '#shared/domain/sla/policy.js';
import { applySlaEvent, type SlaRules, type SlaState, startSla } from '#shared/domain/sla/state.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { clockStart, firstReceipt, mayStartWaiting } from '#shared/domain/waiting.js';

const rules: SlaRules = {
  sla: SlaSectionSchema.parse({
    calendars: {},
    policies: [{ name: 'clock', firstResponse: 'PT10M', nextResponse: 'PT20M', resolution: 'PT2H' }],
  }),
};
const policy = rules.sla.policies[0] as SlaPolicy;
const T0 = '2026-06-10T10:00:00.000Z';
const plus = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
const apply = (state: SlaState, event: Parameters<typeof applySlaEvent>[3]) =>
  applySlaEvent(rules, policy, state, event);

/** Customer wrote at T0; the agent answered at T0 + 60 s. */
const answered = () =>
  must(apply(startSla(rules, policy, T0), { type: 'reply', at: plus(60), author: 'agent' }));

describe('a customer message that crosses the answer', () => {
  it('sent before the answer, received after it: waits again, a next-response target from its time', () => {
    const sla = must(apply(answered(), { type: 'inbound', at: plus(57), receivedAt: plus(62) }));
    expect(sla).toMatchObject({ waitingOn: 'agent', waitFrom: plus(57), updatedAt: plus(62) });
    expect(sla.nextResponseDue).toBe(plus(57 + 20 * 60));
    // The resolution time runs again from the pause (the answer): 2 h less the minute before it.
    expect(sla.resolutionDue).toBe(plus(60 + 119 * 60));
    // The same message told again (a redelivery) changes nothing.
    expect(apply(sla, { type: 'inbound', at: plus(57), receivedAt: plus(62) })).toBeUndefined();
  });

  it('overtaken, with when our webhook took it: the wait and its target run from then, as the inbox’s', () => {
    const threeDaysAgo = new Date(Date.parse(T0) - 3 * 24 * 3_600_000).toISOString();
    const event = { type: 'inbound' as const, at: threeDaysAgo, receivedAt: plus(62), arrivedAt: plus(61) };
    const sla = must(apply(answered(), { ...event, overtaken: true }));
    expect(sla).toMatchObject({ waitingOn: 'agent', waitFrom: plus(61), updatedAt: plus(62), breaches: [] });
    expect(sla.nextResponseDue).toBe(plus(61 + 20 * 60));
    // Not told overtaken, the webhook's receipt is not the clock's start: the message's own time is.
    expect(must(apply(answered(), event)).waitFrom).toBe(threeDaysAgo);
  });

  it('clockStart: the webhook’s receipt for an overtaken message when later, else the message’s time', () => {
    expect(clockStart({ at: plus(57), arrivedAt: plus(61), overtaken: true })).toBe(plus(61));
    expect(clockStart({ at: plus(57), arrivedAt: plus(61) })).toBe(plus(57));
    expect(clockStart({ at: plus(57), arrivedAt: plus(56), overtaken: true })).toBe(plus(57));
    expect(clockStart({ at: plus(57), overtaken: true })).toBe(plus(57));
  });

  it('received before the answer (or with no receipt): the answer answered it, as before', () => {
    expect(apply(answered(), { type: 'inbound', at: plus(57), receivedAt: plus(58) })).toBeUndefined();
    expect(apply(answered(), { type: 'inbound', at: plus(57) })).toBeUndefined();
  });

  it('received in the answer’s very millisecond: answered (the answer comes after the message)', () => {
    expect(apply(answered(), { type: 'inbound', at: plus(60), receivedAt: plus(60) })).toBeUndefined();
  });

  it('a later answer meets the next-response target it started', () => {
    const crossed = must(apply(answered(), { type: 'inbound', at: plus(57), receivedAt: plus(62) }));
    const next = must(apply(crossed, { type: 'reply', at: plus(120), author: 'agent' }));
    expect(next.nextResponseDue).toBeUndefined();
    expect(slaOutcomes(crossed, next)).toEqual([{ metric: 'nextResponse', met: true }]);
  });

  it('the conversation waits again only when no answer came after its receipt', () => {
    const open = { status: 'open', answeredAt: plus(60) } as Conversation;
    expect(mayStartWaiting(open, plus(57), plus(62))).toBe(true);
    expect(mayStartWaiting(open, plus(57), plus(59))).toBe(false);
    expect(mayStartWaiting(open, plus(57))).toBe(false);
  });

  it('its receipt: the first delivery’s time, a late item’s own, a redelivery’s webhook receipt', () => {
    const envelope = { receivedAt: plus(61) };
    const item = { at: plus(57) };
    expect(firstReceipt(item, { written: true, now: plus(62), envelope })).toBe(plus(62));
    expect(firstReceipt(item, { written: false, now: plus(90), envelope })).toBe(plus(61));
    const late = { ...item, receivedAt: plus(63) };
    expect(firstReceipt(late, { written: false, now: plus(90), envelope })).toBe(plus(63));
    expect(firstReceipt({ at: plus(70) }, { written: true, now: plus(62), envelope })).toBeUndefined();
  });

  it('a provider’s resend, taken by our webhook after the item was stored: no later than the store', () => {
    const item = { at: plus(57), storedAt: plus(58) };
    const resent = { receivedAt: plus(180) };
    expect(firstReceipt(item, { written: false, now: plus(181), envelope: resent })).toBe(plus(58));
    // The answer at 60 came after it: the resend starts no wait.
    expect(mayStartWaiting({ status: 'open', answeredAt: plus(60) } as Conversation, item.at, plus(58))).toBe(
      false,
    );
    // The queue's redelivery of the first envelope keeps its receipt, earlier than the store.
    expect(firstReceipt(item, { written: false, now: plus(181), envelope: { receivedAt: plus(57.5) } })).toBe(
      plus(57.5),
    );
  });
});

describe('a reopened conversation', () => {
  it('runs a next-response target, not a second first response', () => {
    const again = startSla(rules, policy, plus(600), 5, true);
    expect(again).toMatchObject({
      responded: true,
      waitingOn: 'agent',
      nextResponseDue: plus(600 + 20 * 60),
    });
    expect(again.firstResponseDue).toBeUndefined();
    const met = must(apply(again, { type: 'reply', at: plus(660), author: 'agent' }));
    expect(slaOutcomes(again, met)).toEqual([{ metric: 'nextResponse', met: true }]);
  });
});

describe('a merge’s resolve', () => {
  it('ends every target with no outcome, even a deadline that passed unseen', () => {
    const waiting = startSla(rules, policy, T0);
    const ended = must(apply(waiting, { type: 'resolved', at: plus(11 * 60), merged: true }));
    expect(ended).toMatchObject({ status: 'active', breaches: [], endedAt: plus(11 * 60) });
    expect(ended.firstResponseDue).toBeUndefined();
    expect(ended.resolutionDue).toBeUndefined();
    const resolved = must(apply(waiting, { type: 'resolved', at: plus(11 * 60) }));
    expect(resolved).toMatchObject({ status: 'missed', breaches: [{ metric: 'firstResponse' }] });
  });
});
