import { describe, expect, it } from 'vitest';
import { isSurveyAnswer, surveyAnswerItem } from '#shared/domain/csat/answer.js';
import type { Channel } from '#shared/domain/envelope.js';
import type { RouteDecision } from '#shared/domain/routing/decision.js';
import { routedEvent } from '#shared/domain/routing/facts.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { visitorFrames, visitorHandoff } from '#shared/domain/webchat/visitor-view.js';

const AT = '2026-12-03T12:00:00.000Z';
const WHERE = { customerId: 'cu_1', conversationId: 'cv_1' };

/** Routing's event for a message of `channel`, as the resolver stores it. */
function routed(channel: Channel, decision: Partial<RouteDecision>) {
  const full: RouteDecision = {
    target: 'human',
    queue: 'general',
    reason: 'asked_for_person',
    detail: 'asked for a person',
    afterHours: false,
    ...decision,
  };
  return routedEvent({ id: 'msg:webchat:v.c1', at: AT, channel }, WHERE, full, undefined);
}

describe('the visitor’s hand-off', () => {
  it('is a web-chat message routed to a person, with whether it was after hours', () => {
    expect(visitorHandoff(routed('webchat', {}))).toEqual({ conversationId: 'cv_1', at: AT });
    expect(visitorHandoff(routed('webchat', { reason: 'low_confidence', afterHours: true }))).toEqual({
      conversationId: 'cv_1',
      at: AT,
      afterHours: true,
    });
    expect(visitorHandoff(routed('webchat', { reason: 'awaiting_human' }))).toMatchObject({ at: AT });
  });

  it('is nothing for the AI, for a conversation an agent has, or for another channel', () => {
    expect(visitorHandoff(routed('webchat', { target: 'ai', reason: 'routine' }))).toBeUndefined();
    expect(visitorHandoff(routed('webchat', { reason: 'human_took_over' }))).toBeUndefined();
    expect(visitorHandoff(routed('email', {}))).toBeUndefined();
  });

  it('makes one frame, on the event’s first write only (a redelivery rewrites nothing new)', () => {
    const event = routed('webchat', {});
    expect(visitorFrames(event, { inserted: true, aiAnswers: true })).toEqual([
      { type: 'typing', by: 'ai', on: false, conversationId: 'cv_1' },
      { type: 'handoff', handoff: { conversationId: 'cv_1', at: AT } },
    ]);
    expect(visitorFrames(event, { inserted: false, aiAnswers: true })).toEqual([]);
    expect(visitorFrames(routed('sms', {}), { inserted: true, aiAnswers: true })).toEqual([
      { type: 'typing', by: 'ai', on: false, conversationId: 'cv_1' },
    ]);
  });
});

describe('the visitor’s own message as frames', () => {
  const typed: TimelineItem = {
    id: 'webchat:v.c2',
    type: 'message',
    direction: 'inbound',
    channel: 'webchat',
    contentType: 'text',
    text: '5 thanks, great service',
    at: AT,
    ...WHERE,
  };

  it('shows the AI typing after a message routing will answer', () => {
    expect(visitorFrames(typed, { inserted: true, aiAnswers: true }).map((f) => f.type)).toEqual([
      'message',
      'typing',
    ]);
  });

  it('shows a survey answer as the visitor’s message, without the AI typing: nothing routes it', () => {
    const answer = surveyAnswerItem(typed, 'sv1');
    expect(visitorFrames(answer, { inserted: true, aiAnswers: true })).toEqual([
      {
        type: 'message',
        message: {
          id: 'webchat:v.c2',
          at: AT,
          text: '5 thanks, great service',
          author: 'visitor',
          channel: 'webchat',
          conversationId: 'cv_1',
        },
      },
    ]);
    expect(isSurveyAnswer(answer)).toBe(true);
    expect(isSurveyAnswer(typed)).toBe(false);
  });
});
