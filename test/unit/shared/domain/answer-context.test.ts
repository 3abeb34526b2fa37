import { describe, expect, it } from 'vitest';
import { timelineToAnswer } from '#shared/domain/answer-context.js';
import { viewConversation } from '#shared/domain/responder.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';

const T = '2026-03-03T10:00:01.000Z';
const conversationId = 'cv_1';

const inbound = (id: string, at: string, extra: Partial<TimelineItem> = {}): TimelineItem => ({
  id,
  type: 'message',
  direction: 'inbound',
  channel: 'whatsapp',
  at,
  customerId: 'cu_1',
  conversationId,
  text: id,
  ...extra,
});
const aiReply = (answered: string, at: string): TimelineItem => ({
  id: `reply:ai:${answered}`,
  type: 'message',
  direction: 'outbound',
  channel: 'whatsapp',
  at,
  customerId: 'cu_1',
  conversationId,
  text: `answer to ${answered}`,
  data: { author: { kind: 'ai', id: 'responder' } },
});
const routed = (itemId: string, at: string): TimelineItem => ({
  id: `route:${itemId}`,
  type: 'event',
  event: 'routed',
  at,
  customerId: 'cu_1',
  conversationId,
});
const customer = { id: 'cu_1', openConversationId: conversationId } as Customer;

/** What the responder is left to answer, as it reads the timeline it is given. */
const pendingOf = (timeline: TimelineItem[]) =>
  viewConversation({ customer, timeline, conversationId }).pending.map((i) => i.id);

describe('timelineToAnswer', () => {
  it('leaves the item alone to answer when an earlier message of its second was answered after it', () => {
    const a = inbound('wa:A', T);
    const b = inbound('wa:B', T);
    // A's answer written at 10:00:01.300; B arrived at 10:00:01.600, timed 10:00:01 by WhatsApp.
    const recent = [a, b, aiReply('wa:A', '2026-03-03T10:00:01.300Z')];
    expect(pendingOf(timelineToAnswer(recent, b))).toEqual(['wa:B']);
    // Read by time, as before: A was unanswered again.
    expect(pendingOf(recent.filter((i) => i.at <= b.at))).toEqual(['wa:A', 'wa:B']);
  });

  it('leaves the item alone to answer when the earlier answer has the same time as the item', () => {
    const a = inbound('wa:A', T);
    const b = inbound('wa:B', T);
    const recent = [a, b, aiReply('wa:A', T)];
    expect(pendingOf(timelineToAnswer(recent, b))).toEqual(['wa:B']);
    // Read by time, as before: nothing was left to answer, and B went to a person.
    expect(pendingOf(recent)).toEqual([]);
  });

  it('leaves out another message not routed yet: it gets its own answer', () => {
    const a = inbound('wa:A', T);
    const b = inbound('wa:B', T);
    expect(timelineToAnswer([a, b], a).map((i) => i.id)).toEqual(['wa:A']);
    expect(timelineToAnswer([a, b], b).map((i) => i.id)).toEqual(['wa:B']);
  });

  it('keeps a message routed to a person, and what is timed after the item reads at its time, before it', () => {
    const a = inbound('wa:A', T);
    const b = inbound('wa:B', T);
    const assigned: TimelineItem = {
      id: 'assigned:cv_1:route:wa:A',
      type: 'event',
      event: 'assigned',
      at: '2026-03-03T10:00:01.400Z',
      customerId: 'cu_1',
      conversationId,
    };
    const timeline = timelineToAnswer([routed('wa:A', T), a, b, assigned], b);
    expect(timeline.map((i) => [i.id, i.at])).toEqual([
      ['route:wa:A', T],
      ['wa:A', T],
      ['assigned:cv_1:route:wa:A', T],
      ['wa:B', T],
    ]);
  });

  it('leaves out a message timed after the item (a late delivery) but keeps its answer before the item', () => {
    const late = inbound('wa:late', T);
    const later = inbound('wa:later', '2026-03-03T10:05:00.000Z');
    const answer = aiReply('wa:later', '2026-03-03T10:05:00.500Z');
    const timeline = timelineToAnswer([late, later, answer], late);
    expect(timeline.map((i) => i.id)).toEqual(['reply:ai:wa:later', 'wa:late']);
    expect(pendingOf(timeline)).toEqual(['wa:late']);
  });

  it('leaves out inbound mail routed nowhere (quarantined), which nobody answers', () => {
    const spam = inbound('em:spam', T, { channel: 'email', data: { quarantined: true } });
    const question = inbound('wa:Q', '2026-03-03T10:00:02.000Z');
    expect(pendingOf(timelineToAnswer([spam, question], question))).toEqual(['wa:Q']);
  });

  it('adds the item when the (eventually consistent) query does not show it yet', () => {
    const a = inbound('wa:A', T);
    const b = inbound('wa:B', '2026-03-03T10:00:02.000Z');
    const timeline = timelineToAnswer([a, aiReply('wa:A', '2026-03-03T10:00:01.200Z')], b);
    expect(timeline.map((i) => i.id)).toEqual(['wa:A', 'reply:ai:wa:A', 'wa:B']);
    expect(pendingOf(timeline)).toEqual(['wa:B']);
  });
});
