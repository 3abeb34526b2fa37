import { describe, expect, it } from 'vitest';
import { viewConversation } from '#shared/domain/responder.js';
import { AI_AUTHOR_ID } from '#shared/domain/routing/routable.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';

const conversationId = 'cv_1';
const customer = { id: 'cu_1', openConversationId: conversationId } as Customer;
const photo: TimelineItem = {
  id: 'sms:MM1',
  type: 'message',
  direction: 'inbound',
  channel: 'sms',
  at: '2026-03-03T10:00:00.000Z',
  customerId: 'cu_1',
  conversationId,
  contentType: 'image',
};
const question: TimelineItem = {
  ...photo,
  id: 'sms:SM2',
  at: '2026-03-03T10:00:03.000Z',
  text: 'Is it broken?',
};
const assigned = (to: { agentId: string | null; queue: string | null }, by: string): TimelineItem => ({
  id: `assigned:${conversationId}:${by}`,
  type: 'event',
  event: 'assigned',
  at: '2026-03-03T10:00:00.001Z',
  customerId: 'cu_1',
  conversationId,
  data: { conversationId, from: { agentId: null, queue: null }, to, by },
});
const view = (extra: TimelineItem) =>
  viewConversation({ customer, timeline: [photo, extra, question], conversationId });

describe('viewConversation: who has taken the conversation', () => {
  it("does not count the AI's own hand-off to a queue, with nobody assigned, as a person taking over", () => {
    expect(view(assigned({ agentId: null, queue: 'general' }, AI_AUTHOR_ID)).humanTookOver).toBe(false);
  });

  it('counts an agent the hand-off assigned, and a queue an agent moved it to', () => {
    expect(view(assigned({ agentId: 'ag_1', queue: 'general' }, AI_AUTHOR_ID)).humanTookOver).toBe(true);
    expect(view(assigned({ agentId: null, queue: 'billing' }, 'ag_2')).humanTookOver).toBe(true);
  });
});
