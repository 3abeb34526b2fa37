import { describe, expect, it } from 'vitest';
import {
  type ConversationState,
  factsFromState,
  isStateComplete,
} from '#shared/domain/routing/conversation-state.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

const at = (minute: number) => `2025-06-10T09:${String(minute).padStart(2, '0')}:00.000Z`;

function inbound(
  id: string,
  minute: number,
  channel: TimelineItem['channel'],
  conversationId = 'cv_1',
): TimelineItem {
  return {
    id,
    type: 'message',
    direction: 'inbound',
    channel,
    at: at(minute),
    customerId: 'cu_1',
    conversationId,
    text: 'hello',
  };
}

const routed = (item: TimelineItem, target: 'ai' | 'human'): TimelineItem => ({
  id: `route:${item.id}`,
  type: 'event',
  event: 'routed',
  at: item.at,
  customerId: item.customerId,
  ...(item.conversationId ? { conversationId: item.conversationId } : {}),
  data: { target },
});

const state = (patch: Partial<ConversationState> = {}): ConversationState => ({
  stateFrom: at(0),
  createdAt: at(0),
  inboundSince: {},
  ...patch,
});

describe('factsFromState', () => {
  it('knows the channels of the episode before the message from the state alone', () => {
    const item = inbound('email:m9', 50, 'email');
    const facts = factsFromState(
      state({ inboundSince: { whatsapp: at(1), email: at(50) } }),
      [item],
      'cv_1',
      item,
    );
    expect(facts.channelsBefore).toEqual(['whatsapp']);
  });

  it('leaves out the message itself, and channels first used after it (a late message)', () => {
    const item = inbound('whatsapp:w3', 20, 'whatsapp');
    const kept = state({ inboundSince: { whatsapp: at(20), sms: at(40) } });
    expect(factsFromState(kept, [], 'cv_1', item).channelsBefore).toEqual([]);
  });

  it('counts another channel first used at the same second as before it', () => {
    const item = inbound('whatsapp:w3', 20, 'whatsapp');
    const kept = state({ inboundSince: { whatsapp: at(20), sms: at(20) } });
    expect(factsFromState(kept, [], 'cv_1', item).channelsBefore).toEqual(['sms']);
  });

  it('remembers an agent reply that is no longer among the recent items', () => {
    const item = inbound('whatsapp:w3', 20, 'whatsapp');
    expect(factsFromState(state({ humanRepliedAt: at(2) }), [item], 'cv_1', item).humanReplied).toBe(true);
    expect(factsFromState(state(), [item], 'cv_1', item).humanReplied).toBe(false);
  });

  it('keeps an escalation for every later message, but not for a redelivery of the one that made it', () => {
    const first = inbound('whatsapp:w1', 10, 'whatsapp');
    const later = inbound('whatsapp:w2', 30, 'whatsapp');
    const kept = state({ escalatedAt: at(10), escalatedItemId: first.id });
    expect(factsFromState(kept, [], 'cv_1', later).routedTo).toBe('human');
    // The first delivery was decided without its own escalation: a redelivery decides the same way.
    expect(factsFromState(kept, [first], 'cv_1', first).routedTo).toBeUndefined();
  });

  it('leaves out, for a redelivery of the message that took the hand-off, the decisions that wait for it', () => {
    // Two messages of the same second: the second waited for the first's hand-off, whose run crashed.
    const first = inbound('whatsapp:w1', 10, 'whatsapp');
    const second = inbound('whatsapp:w2', 10, 'whatsapp');
    const recent = [first, second, routed(second, 'human')];
    const kept = state({ escalatedAt: at(10), escalatedItemId: first.id });
    expect(factsFromState(kept, recent, 'cv_1', first).routedTo).toBeUndefined();
    // Without the state's word, a decision for a person among the recent items is an earlier hand-off.
    expect(factsFromState(state(), recent, 'cv_1', first).routedTo).toBe('human');
  });

  it('is the same for a redelivered message: the state it reads does not count it twice', () => {
    const item = inbound('sms:s1', 30, 'sms');
    const kept = state({ inboundSince: { whatsapp: at(5), sms: at(30) } });
    const once = factsFromState(kept, [item], 'cv_1', item);
    // A redelivery touches the state again: every attribute is first-time-wins, so it is unchanged.
    const again = factsFromState(
      { ...kept, inboundSince: { ...kept.inboundSince } },
      [item, item],
      'cv_1',
      item,
    );
    expect(again).toEqual(once);
    expect(once.channelsBefore).toEqual(['whatsapp']);
  });

  it("counts the AI's answers in a row before the message from the customer's turns the state keeps", () => {
    const item = inbound('whatsapp:w11', 40, 'whatsapp');
    // Eleven turns counted, this message the eleventh: the AI answered the ten before it.
    expect(factsFromState(state({ customerTurns: 11 }), [item], 'cv_1', item).aiAnswersInARow).toBe(10);
    expect(factsFromState(state({ customerTurns: 1 }), [item], 'cv_1', item).aiAnswersInARow).toBeUndefined();
    // A conversation from before the count (or just reopened, or an agent just replied) starts at none.
    expect(factsFromState(state(), [item], 'cv_1', item).aiAnswersInARow).toBeUndefined();
  });

  it('derives what an older conversation never recorded from its recent items', () => {
    const old = inbound('whatsapp:w1', 10, 'whatsapp');
    const item = inbound('sms:s2', 30, 'sms');
    const agentReply: TimelineItem = {
      id: 'reply:r1',
      type: 'message',
      direction: 'outbound',
      channel: 'whatsapp',
      at: at(15),
      customerId: 'cu_1',
      conversationId: 'cv_1',
      data: { author: { kind: 'agent', id: 'ana' } },
    };
    const legacy: ConversationState = { createdAt: at(0), stateFrom: at(25), inboundSince: { sms: at(30) } };
    expect(isStateComplete(legacy)).toBe(false);
    const facts = factsFromState(legacy, [old, routed(old, 'human'), agentReply, item], 'cv_1', item);
    expect(facts).toEqual({ channelsBefore: ['whatsapp'], humanReplied: true, routedTo: 'human' });
  });

  it('after a merge, reads only this conversation of the merged timelines', () => {
    // The merged-in customer's items share the recent items; their conversation keeps its own state.
    const theirs = inbound('email:e1', 10, 'email', 'cv_other');
    const item = inbound('whatsapp:w2', 30, 'whatsapp');
    const facts = factsFromState(
      state({ inboundSince: { whatsapp: at(30) } }),
      [theirs, routed(theirs, 'human'), item],
      'cv_1',
      item,
    );
    expect(facts).toEqual({ channelsBefore: [], humanReplied: false });
  });
});

describe('isStateComplete', () => {
  it('holds for a conversation whose state was kept from its first write', () => {
    expect(isStateComplete(state())).toBe(true);
    expect(isStateComplete({ inboundSince: {} })).toBe(false);
  });
});
