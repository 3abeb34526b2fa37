import { describe, expect, it } from 'vitest';
import type { ResponderResult } from '#shared/domain/responder.js';
import { decideRoute } from '#shared/domain/routing/decide-route.js';
import { escalationWith, input, MONDAY_11_NY, policyWith, SATURDAY_NY, WEEKDAYS } from './fixtures.js';

describe('decideRoute: each rule fires', () => {
  it.each([
    [
      'human_took_over: an agent is assigned',
      input({ conversation: { assignee: 'agent-7', queue: 'billing' } }),
      { target: 'human', queue: 'billing', reason: 'human_took_over' },
      'agent agent-7 has taken this conversation; the AI does not reply in it again',
    ],
    [
      'human_took_over: an agent has replied',
      input({ conversation: { humanReplied: true } }),
      { target: 'human', queue: 'general', reason: 'human_took_over' },
      'an agent has replied in this conversation; the AI does not reply in it again; nobody is assigned: handed to general',
    ],
    [
      'human_took_over: an agent has replied in a queued conversation',
      input({ conversation: { humanReplied: true, queue: 'billing' } }),
      { target: 'human', queue: 'billing', reason: 'human_took_over' },
      'an agent has replied in this conversation; the AI does not reply in it again',
    ],
    [
      'awaiting_human: an earlier message was escalated',
      input({ conversation: { routedTo: 'human', queue: 'billing' } }),
      { target: 'human', queue: 'billing', reason: 'awaiting_human' },
      'already escalated; waiting for an agent in billing',
    ],
    [
      'vip: flagged',
      input({ customer: { vip: true } }),
      { target: 'human', queue: 'general', reason: 'vip' },
      'the customer is flagged VIP',
    ],
    [
      'vip: tagged with the policy tag',
      input({ customer: { tags: ['wholesale', 'vip'] } }),
      { target: 'human', queue: 'general', reason: 'vip' },
      'the customer is tagged "vip"',
    ],
    [
      'voicemail',
      input({ message: { channel: 'voice', kind: 'voicemail', text: 'call me back' }, ai: null }),
      { target: 'human', queue: 'voice', reason: 'voicemail' },
      'a voicemail',
    ],
    [
      'voicemail: a call',
      input({ message: { channel: 'voice', kind: 'call', text: undefined }, ai: null }),
      { target: 'human', queue: 'voice', reason: 'voicemail' },
      'a phone call',
    ],
    [
      'must_be_human_topic: a keyword',
      input({ message: { text: 'I just want my money back' } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "money back")',
    ],
    [
      'must_be_human_topic: a refund demanded without the word (an overdue one)',
      input({ message: { text: "you got my return weeks ago and I still haven't been paid back" } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "been paid back")',
    ],
    [
      'must_be_human_topic: a refund demanded without the word',
      input({ message: { text: 'I want my money returned to me now please' } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "want my money")',
    ],
    [
      'must_be_human_topic: a keyword that also picks the queue',
      input({ message: { text: 'Where is my refund?' } }),
      { target: 'human', queue: 'billing', reason: 'must_be_human_topic' },
      'topic "refund" (keyword "refund*")',
    ],
    [
      'must_be_human_topic: the AI says so',
      input({ ai: { handoff: { reason: 'must_be_human_topic' } } }),
      { target: 'human', queue: 'general', reason: 'must_be_human_topic' },
      'the AI found a topic for a person',
    ],
    [
      'asked_for_person: a phrase',
      input({ message: { text: 'Can I speak to a REAL person please' } }),
      { target: 'human', queue: 'general', reason: 'asked_for_person' },
      'the customer asked for a person ("real person")',
    ],
    [
      'asked_for_person: the AI says so',
      input({ ai: { handoff: { reason: 'asked_for_person' } } }),
      { target: 'human', queue: 'general', reason: 'asked_for_person' },
      'the AI says the customer asked for a person',
    ],
    [
      'negative_sentiment: the AI reads it',
      input({ ai: { sentiment: 'negative' } }),
      { target: 'human', queue: 'general', reason: 'negative_sentiment' },
      'the AI reads the message as negative',
    ],
    [
      'negative_sentiment: the AI hands off for it',
      input({ ai: { handoff: { reason: 'negative_sentiment' } } }),
      { target: 'human', queue: 'general', reason: 'negative_sentiment' },
      'the AI reads the customer as upset',
    ],
    [
      'channel_switch',
      input({ message: { channel: 'email' }, conversation: { channelsBefore: ['whatsapp', 'sms'] } }),
      { target: 'human', queue: 'general', reason: 'channel_switch' },
      'the customer came back on email about a conversation open on whatsapp, sms',
    ],
    [
      'ai_answer_limit: the AI has answered as often in a row as the policy allows',
      input({ conversation: { aiAnswersInARow: 10 } }),
      { target: 'human', queue: 'general', reason: 'ai_answer_limit' },
      'the AI has answered 10 messages in a row in this conversation, its limit (aiMaxAnswersPerConversation 10): a person answers from here',
    ],
    [
      'ai_answer_limit: before the AI is asked, past a lower limit',
      input({
        conversation: { aiAnswersInARow: 4 },
        ai: null,
        policy: escalationWith({ aiMaxAnswersPerConversation: 3 }),
      }),
      { target: 'human', queue: 'general', reason: 'ai_answer_limit' },
      'the AI has answered 4 messages in a row in this conversation, its limit (aiMaxAnswersPerConversation 3): a person answers from here',
    ],
    [
      'low_confidence: under the threshold',
      input({ ai: { confidence: 0.69 } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'AI confidence 0.69 is under the threshold 0.7',
    ],
    [
      'low_confidence: the AI has no answer',
      input({ ai: { handoff: { reason: 'low_confidence' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'the AI has no answer good enough',
    ],
    [
      'low_confidence: the AI cannot answer in the language',
      input({ ai: { language: 'de', handoff: { reason: 'unsupported_language' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'the AI does not answer in German (de)',
    ],
    [
      // The knowledge-base responder reports its search's confidence, low in a language its articles are not in.
      'low_confidence: the AI cannot answer in the language, whatever its confidence',
      input({ ai: { confidence: 0.12, language: 'de', handoff: { reason: 'unsupported_language' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      'the AI does not answer in German (de)',
    ],
    [
      'low_confidence: the AI cannot answer in a language it names by a code nobody knows',
      input({ ai: { language: 'qq', handoff: { reason: 'unsupported_language' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      "the AI does not answer in the customer's language (qq)",
    ],
    [
      'low_confidence: the AI cannot answer in a language it did not name',
      input({ ai: { confidence: 0, language: undefined, handoff: { reason: 'unsupported_language' } } }),
      { target: 'human', queue: 'general', reason: 'low_confidence' },
      "the AI does not answer in the customer's language",
    ],
    [
      'ai_failed: the AI failed',
      input({ ai: { confidence: 0.95, handoff: { reason: 'model_error' } } }),
      { target: 'human', queue: 'general', reason: 'ai_failed' },
      'the AI failed to answer',
    ],
    [
      // A failure reports confidence 0: it is not read as a gap in the articles.
      'ai_failed: the AI failed, before its confidence of 0 is read',
      input({ ai: { confidence: 0, handoff: { reason: 'model_error' } } }),
      { target: 'human', queue: 'general', reason: 'ai_failed' },
      'the AI failed to answer',
    ],
    [
      'human_took_over: the AI saw an agent in the timeline',
      input({ ai: { handoff: { reason: 'human_took_over' } } }),
      { target: 'human', queue: 'general', reason: 'human_took_over' },
      'the AI found that an agent has taken this conversation; the AI does not reply in it again; nobody is assigned: handed to general',
    ],
    [
      'after_hours: to the AI',
      input({ now: SATURDAY_NY }),
      { target: 'ai', queue: 'general', reason: 'after_hours', afterHours: true },
      'outside business hours (America/New_York); the AI answers (its answer does not say when a person is back)',
    ],
    [
      'after_hours: to a named queue',
      input({
        now: SATURDAY_NY,
        policy: policyWith({
          businessHours: {
            timezone: 'America/New_York',
            hours: [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
            afterHours: { route: 'queue', queue: 'night' },
          },
        }),
      }),
      { target: 'human', queue: 'night', reason: 'after_hours', afterHours: true },
      'outside business hours (America/New_York); the after-hours queue takes it',
    ],
    [
      'after_hours: a public holiday on a weekday (Monday 9 June 2025, 11:00 in New York)',
      input({
        now: MONDAY_11_NY,
        policy: policyWith({
          businessHours: {
            timezone: 'America/New_York',
            hours: [{ days: [...WEEKDAYS], open: '09:00', close: '17:00' }],
            holidays: ['2025-06-09'],
            afterHours: { route: 'queue', queue: 'night' },
          },
        }),
      }),
      { target: 'human', queue: 'night', reason: 'after_hours', afterHours: true },
      'outside business hours (America/New_York); the after-hours queue takes it',
    ],
    [
      'routine',
      input(),
      { target: 'ai', queue: 'general', reason: 'routine', afterHours: false },
      'the AI answers (confidence 0.9)',
    ],
  ])('%s', (_name, routeInput, expected, detail) => {
    const decision = decideRoute(routeInput);
    expect(decision).toMatchObject(expected);
    expect(decision.detail).toBe(detail);
  });
});

describe('decideRoute: each rule does not fire when its condition is missing', () => {
  it.each([
    ['human_took_over: the AI handled the previous message', input({ conversation: { routedTo: 'ai' } })],
    [
      'vip: a tag, but the policy names no VIP tag',
      input({ customer: { tags: ['vip'] }, policy: policyWith({ escalation: {} }) }),
    ],
    ['vip: another tag', input({ customer: { tags: ['gold'], vip: false } })],
    [
      'voicemail: voicemailEscalates is off',
      input({
        message: { channel: 'voice', kind: 'voicemail', text: 'what are your opening hours' },
        conversation: { channelsBefore: ['voice'] },
        policy: escalationWith({ voicemailEscalates: false }),
      }),
    ],
    [
      'must_be_human_topic: a keyword inside a longer word',
      input({ message: { text: 'Is the courtyard open?' } }),
    ],
    [
      'must_be_human_topic: the topics list is emptied',
      input({ message: { text: 'I want my money back' }, policy: escalationWith({ mustBeHumanTopics: {} }) }),
    ],
    ['asked_for_person: a keyword inside a longer word', input({ message: { text: 'Is humanity doomed?' } })],
    [
      'negative_sentiment: negativeSentimentEscalates is off',
      input({ ai: { sentiment: 'negative' }, policy: escalationWith({ negativeSentimentEscalates: false }) }),
    ],
    ['negative_sentiment: positive', input({ ai: { sentiment: 'positive' } })],
    [
      'channel_switch: channelSwitchEscalates is off',
      input({ message: { channel: 'email' }, policy: escalationWith({ channelSwitchEscalates: false }) }),
    ],
    [
      'channel_switch: a channel already used',
      input({ conversation: { channelsBefore: ['sms', 'whatsapp'] } }),
    ],
    ['channel_switch: the first message of a conversation', input({ conversation: { channelsBefore: [] } })],
    [
      'channel_switch: the conversation is not open',
      input({ message: { channel: 'email' }, conversation: { status: 'resolved' } }),
    ],
    ['ai_answer_limit: one answer under the limit', input({ conversation: { aiAnswersInARow: 9 } })],
    [
      'ai_answer_limit: a higher limit',
      input({
        conversation: { aiAnswersInARow: 10 },
        policy: escalationWith({ aiMaxAnswersPerConversation: 11 }),
      }),
    ],
    ['low_confidence: exactly at the threshold', input({ ai: { confidence: 0.7 } })],
    ['low_confidence: no assessment yet', input({ ai: null })],
    [
      'low_confidence: a lower threshold',
      input({ ai: { confidence: 0.5 }, policy: escalationWith({ aiConfidenceThreshold: 0.4 }) }),
    ],
    [
      'after_hours: the policy has no business hours',
      input({ now: SATURDAY_NY, policy: policyWith({ businessHours: undefined }) }),
    ],
  ])('%s: routine', (_name, routeInput) => {
    expect(decideRoute(routeInput)).toMatchObject({ target: 'ai', reason: 'routine', afterHours: false });
  });
});

describe('decideRoute: precedence', () => {
  it.each([
    [
      'a human took over beats everything, and keeps the conversation queue',
      input({
        conversation: { assignee: 'agent-7', queue: 'spanish', channelsBefore: ['sms'] },
        customer: { vip: true },
        message: { text: 'I want a refund, get me a real person', kind: 'voicemail', channel: 'voice' },
        ai: { confidence: 0.1, sentiment: 'negative' },
        now: SATURDAY_NY,
      }),
      'human_took_over',
      'spanish',
    ],
    [
      'awaiting a human beats VIP',
      input({ conversation: { routedTo: 'human', queue: 'billing' }, customer: { vip: true } }),
      'awaiting_human',
      'billing',
    ],
    [
      'VIP beats voicemail',
      input({ customer: { vip: true }, message: { channel: 'voice', kind: 'voicemail' } }),
      'vip',
      'voice',
    ],
    [
      'voicemail beats a topic in the transcript',
      input({ message: { channel: 'voice', kind: 'voicemail', text: 'I need a refund' } }),
      'voicemail',
      'billing',
    ],
    [
      'a topic beats asking for a person',
      input({ message: { text: 'Refund me or let me talk to a real person' } }),
      'must_be_human_topic',
      'billing',
    ],
    [
      'asking for a person beats negative sentiment',
      input({ message: { text: 'Get me a human now' }, ai: { sentiment: 'negative' } }),
      'asked_for_person',
      'general',
    ],
    [
      'negative sentiment beats a channel switch',
      input({ message: { channel: 'sms' }, ai: { sentiment: 'negative' } }),
      'negative_sentiment',
      'general',
    ],
    [
      'a channel switch beats low confidence',
      input({ message: { channel: 'sms' }, ai: { confidence: 0.2 } }),
      'channel_switch',
      'general',
    ],
    [
      'a channel switch beats the AI answer limit',
      input({ message: { channel: 'sms' }, conversation: { aiAnswersInARow: 10 } }),
      'channel_switch',
      'general',
    ],
    [
      'the AI answer limit beats low confidence',
      input({ conversation: { aiAnswersInARow: 10 }, ai: { confidence: 0.2 } }),
      'ai_answer_limit',
      'general',
    ],
    [
      'the AI answer limit beats after hours',
      input({ conversation: { aiAnswersInARow: 10 }, now: SATURDAY_NY }),
      'ai_answer_limit',
      'general',
    ],
    [
      'low confidence beats after hours',
      input({ ai: { confidence: 0.2 }, now: SATURDAY_NY }),
      'low_confidence',
      'general',
    ],
    [
      'topics are tried in policy order',
      input({ message: { text: 'My lawyer says cancel it' } }),
      'must_be_human_topic',
      'general',
    ],
  ])('%s', (_name, routeInput, reason, queue) => {
    const decision = decideRoute(routeInput);
    expect(decision.reason).toBe(reason);
    expect(decision.target).toBe('human');
    expect(decision.queue).toBe(queue);
  });

  it('names the first topic in policy order', () => {
    expect(decideRoute(input({ message: { text: 'My lawyer says cancel it' } })).detail).toBe(
      'topic "cancel" (keyword "cancel*")',
    );
  });

  it('escalates after hours too, flagging that the queue is closed', () => {
    expect(decideRoute(input({ customer: { vip: true }, now: SATURDAY_NY }))).toEqual({
      target: 'human',
      queue: 'general',
      reason: 'vip',
      detail: 'the customer is flagged VIP',
      afterHours: true,
    });
  });

  it('uses the language the AI detected over the customer profile', () => {
    const decision = decideRoute(
      input({ customer: { language: 'en' }, ai: { language: 'es' }, now: SATURDAY_NY }),
    );
    expect(decision.queue).toBe('spanish');
  });

  it('routes on a responder result as the responder returns it', () => {
    const result: ResponderResult = {
      reply: 'A colleague will answer here shortly.',
      confidence: 0.9,
      handoff: { reason: 'asked_for_person', summary: 'Asked on WhatsApp for a person about an order.' },
      language: 'es',
      sentiment: 'neutral',
    };
    expect(decideRoute({ ...input(), ai: result })).toEqual({
      target: 'human',
      queue: 'spanish',
      reason: 'asked_for_person',
      detail: 'the AI says the customer asked for a person',
      afterHours: false,
    });
  });

  it('falls back to the customer language before the AI has assessed', () => {
    expect(decideRoute(input({ customer: { language: 'es-ES' }, ai: null })).queue).toBe('spanish');
  });

  it.each([
    ['a VIP', { customer: { tags: ['vip'] } }, 'vip', 'general'],
    [
      'a request for a person',
      { message: { text: 'quiero hablar con una persona' } },
      'asked_for_person',
      'general',
    ],
    ['a voicemail', { message: { channel: 'voice', kind: 'voicemail' } }, 'voicemail', 'voice'],
  ] as const)(
    'sends %s the AI has not read to the queue of the language found in its text',
    (_, o, reason, before) => {
      const policy = escalationWith({ vipTag: 'vip', askForPersonKeywords: ['una persona'] });
      const message = {
        text: 'What time do you open?',
        ...('message' in o ? o.message : {}),
        language: 'es',
      };
      const customer = 'customer' in o ? o.customer : {};
      expect(decideRoute(input({ policy, message, customer, ai: null }))).toMatchObject({
        target: 'human',
        queue: 'spanish',
        reason,
      });
      // Without it (before, nothing was detected), the queue of the channel, else the default one.
      const unknown = { ...message, language: undefined };
      expect(decideRoute(input({ policy, message: unknown, customer, ai: null })).queue).toBe(before);
    },
  );

  it("prefers the AI's language to the one routing found, and that to the customer's", () => {
    const message = { language: 'es' };
    expect(decideRoute(input({ message, ai: { language: 'en' } })).queue).toBe('general');
    expect(decideRoute(input({ message, customer: { language: 'en' }, ai: null })).queue).toBe('spanish');
  });
});

describe('decideRoute: business hours of the queue', () => {
  const policy = policyWith({
    queues: [
      {
        name: 'spanish',
        languages: ['es'],
        businessHours: {
          timezone: 'Europe/Madrid',
          hours: [{ days: [...WEEKDAYS], open: '09:00', close: '18:00' }],
          afterHours: { route: 'queue', queue: 'night' },
        },
      },
      { name: 'general' },
      { name: 'night' },
    ],
  });
  // Monday 9 June 2025, 17:30 UTC: 19:30 in Madrid (closed), 13:30 in New York (open).
  const now = new Date('2025-06-09T17:30:00.000Z');

  it('closes a queue on its own time zone while the policy hours are open', () => {
    expect(decideRoute(input({ policy, now, ai: { language: 'es' } }))).toMatchObject({
      target: 'human',
      queue: 'night',
      reason: 'after_hours',
      afterHours: true,
    });
  });

  it('keeps the policy hours for the other queues', () => {
    expect(decideRoute(input({ policy, now, ai: { language: 'en' } }))).toMatchObject({
      target: 'ai',
      queue: 'general',
      reason: 'routine',
      afterHours: false,
    });
  });

  it('opens the queue on Madrid mornings, before New York opens', () => {
    // 07:30 UTC: 09:30 in Madrid, 03:30 in New York.
    const morning = new Date('2025-06-09T07:30:00.000Z');
    expect(decideRoute(input({ policy, now: morning, ai: { language: 'es' } }))).toMatchObject({
      target: 'ai',
      queue: 'spanish',
      reason: 'routine',
    });
  });
});

describe('decideRoute: a conversation in a queue the policy no longer has', () => {
  const gone = { queue: 'returns' };

  it.each([
    ['waiting for a person', { ...gone, routedTo: 'human' as const }],
    ['an agent replied, then let it go', { ...gone, humanReplied: true }],
  ])('%s and nobody has it: hands it off to the queue the rules pick now', (_name, conversation) => {
    expect(decideRoute(input({ conversation, message: { text: 'Where is my invoice?' } }))).toEqual({
      target: 'human',
      queue: 'billing',
      reason: 'queue_removed',
      detail: 'its queue "returns" is not in the routing policy any more; routed anew to billing',
      afterHours: false,
    });
  });

  it('hands it to the default queue when no queue matches, flagged while that queue is closed', () => {
    const conversation = { ...gone, routedTo: 'human' as const };
    expect(decideRoute(input({ conversation, now: SATURDAY_NY }))).toMatchObject({
      target: 'human',
      queue: 'general',
      reason: 'queue_removed',
      afterHours: true,
    });
  });

  it('leaves it with the agent who has it', () => {
    const conversation = { ...gone, assignee: 'agent-7', routedTo: 'human' as const };
    expect(decideRoute(input({ conversation }))).toMatchObject({
      target: 'human',
      queue: 'returns',
      reason: 'human_took_over',
    });
  });

  it('compares the name exactly, as the policy does', () => {
    const conversation = { queue: 'Billing', routedTo: 'human' as const };
    expect(decideRoute(input({ conversation }))).toMatchObject({ reason: 'queue_removed', queue: 'general' });
    const kept = { queue: 'billing', routedTo: 'human' as const };
    expect(decideRoute(input({ conversation: kept }))).toMatchObject({
      reason: 'awaiting_human',
      queue: 'billing',
    });
  });

  it('lets the rules decide a conversation nobody escalated, as for any other', () => {
    expect(decideRoute(input({ conversation: gone }))).toMatchObject({
      target: 'ai',
      queue: 'general',
      reason: 'routine',
    });
  });
});

describe('decideRoute: a question sent with a photo that was handed to a person', () => {
  const beside = { routedTo: 'human' as const, queue: 'general', handedOffBeside: true };

  it('lets the AI answer the question, as if it were alone', () => {
    expect(decideRoute(input({ conversation: beside }))).toMatchObject({ target: 'ai', reason: 'routine' });
    // Also once the photo's hand-off gave the conversation to an agent, who has not replied.
    const assigned = { ...beside, assignee: 'agent-7' };
    expect(decideRoute(input({ conversation: assigned }))).toMatchObject({ target: 'ai', reason: 'routine' });
  });

  it('keeps it waiting with the photo when the rules would hand it to a person too', () => {
    const decision = decideRoute(input({ conversation: beside, ai: { confidence: 0.1 } }));
    expect(decision).toMatchObject({ target: 'human', reason: 'awaiting_human', queue: 'general' });
    const asked = input({ conversation: beside, message: { text: 'I want to talk to a human' } });
    expect(decideRoute(asked)).toMatchObject({ reason: 'awaiting_human' });
  });

  it('leaves it to the agent once they replied, and to the rules without the photo', () => {
    const replied = { ...beside, humanReplied: true };
    expect(decideRoute(input({ conversation: replied }))).toMatchObject({ reason: 'human_took_over' });
    const other = { ...beside, handedOffBeside: false };
    expect(decideRoute(input({ conversation: other }))).toMatchObject({ reason: 'awaiting_human' });
  });
});
