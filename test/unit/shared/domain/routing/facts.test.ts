import { describe, expect, it } from 'vitest';
import { aiReplyId, placedReplyAt, replyItemId } from '#shared/domain/replies.js';
import type { RouteDecision } from '#shared/domain/routing/decision.js';
import { foldDecision, handsOff, routedEvent, unfoldDecision } from '#shared/domain/routing/facts.js';
import { type TimelineItem, timelineAtOf, withKeyFields } from '#shared/domain/timeline.js';

const AT = '2025-06-10T14:59:00.000Z';
const decision: RouteDecision = {
  target: 'ai',
  queue: 'general',
  reason: 'after_hours',
  detail:
    'outside business hours (Europe/Berlin); the AI answers (its answer does not say when a person is back)',
  afterHours: true,
};

function aiReply(itemId: string): TimelineItem {
  return {
    id: replyItemId(aiReplyId(itemId)),
    type: 'message',
    direction: 'outbound',
    channel: 'email',
    at: '2025-06-10T14:59:01.250Z',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    text: 'We open at nine.',
    status: 'delivered',
    data: { author: { kind: 'ai', id: 'responder' }, routed: { ...foldDecision(decision, itemId) } },
  };
}

describe('unfoldDecision', () => {
  it.each([
    ['an id the reply names whole', 'email:<short@mail.example>'],
    ['an id too long for the reply to name', `email:<${'x'.repeat(300)}@mail.example>`],
  ])('reads an AI reply as the routed event it carries, then the reply (%s)', (_, itemId) => {
    const reply = aiReply(itemId);
    const placedAt = placedReplyAt(AT);
    const [event, message, ...rest] = unfoldDecision(reply, placedAt);
    const inbound = { id: itemId, at: AT, channel: 'email' as const };
    expect(event).toEqual(
      routedEvent(inbound, { customerId: 'cu_1', conversationId: 'cv_1' }, decision, undefined),
    );
    expect(message).toEqual({ ...reply, data: { author: { kind: 'ai', id: 'responder' } } });
    expect(rest).toEqual([]);
  });

  it('keeps the item decided on only when the reply id does not name it', () => {
    expect(foldDecision(decision, 'whatsapp:wamid.1')).not.toHaveProperty('itemId');
    const long = `email:<${'y'.repeat(300)}@mail.example>`;
    expect(foldDecision(decision, long)).toMatchObject({ itemId: long });
  });

  it('leaves every other item as it is', () => {
    const agent: TimelineItem = {
      ...aiReply('whatsapp:wamid.2'),
      data: { author: { kind: 'agent', id: 'ana' } },
    };
    expect(unfoldDecision(agent, undefined)).toEqual([agent]);
  });
});

describe('timelineAtOf (where an AI reply is placed)', () => {
  it('reads the time of a timeline sort key', () => {
    expect(timelineAtOf(`TIMELINE#${AT}#reply:ai:whatsapp:wamid.1`, 'reply:ai:whatsapp:wamid.1')).toBe(AT);
    expect(timelineAtOf(`TIMELINE#${AT}#other`, 'reply:x')).toBeUndefined();
  });
});

describe('withKeyFields', () => {
  it("restores the id and customer an item's key says, and leaves an item that has them", () => {
    const keys = { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${AT}#reply:ai:whatsapp:wamid.1#x` };
    expect(withKeyFields({ type: 'message', at: AT }, keys)).toEqual({
      type: 'message',
      at: AT,
      id: 'reply:ai:whatsapp:wamid.1#x',
      customerId: 'cu_1',
    });
    const whole = { id: 'a', customerId: 'b', at: AT };
    expect(withKeyFields(whole, keys)).toBe(whole);
    expect(withKeyFields({ at: AT }, { pk: 'OTHER#1', sk: 'X' })).toEqual({ at: AT });
  });
});

describe('handsOff', () => {
  const human = (reason: RouteDecision['reason']): RouteDecision => ({
    ...decision,
    target: 'human',
    reason,
  });
  it('hands off for a rule, never to a person who has the conversation or is awaited', () => {
    expect(handsOff(human('must_be_human_topic'))).toBe(true);
    expect(handsOff(decision)).toBe(false);
    expect(handsOff(human('awaiting_human'), {})).toBe(false);
    expect(handsOff(human('human_took_over'), { assignee: 'ag_1' })).toBe(false);
    expect(handsOff(human('human_took_over'), { queue: 'billing' })).toBe(false);
  });

  it('hands off a conversation a person replied in with nobody assigned and no queue', () => {
    expect(handsOff(human('human_took_over'), {})).toBe(true);
    expect(handsOff(human('human_took_over'))).toBe(false);
  });
});
