import { describe, expect, it } from 'vitest';
import { aiHandoffsFollowed, decideRoute } from '#shared/domain/routing/decide-route.js';
import { escalationWith, input } from './fixtures.js';

// A responder hands off for its own reasons; a policy switch may turn the rule for one of them off.
// The AI then answers (the responders are told, `aiHandoffsFollowed`), and a hand-off made anyway
// goes to a person: never a holding message sent as the AI's answer with nobody behind it.
describe('decideRoute: an AI hand-off the policy does not escalate on', () => {
  it.each([
    [
      'negative_sentiment with negativeSentimentEscalates off',
      { negativeSentimentEscalates: false },
      'negative_sentiment' as const,
    ],
    [
      'asked_for_person with askForPersonKeywords []',
      { askForPersonKeywords: [] },
      'asked_for_person' as const,
    ],
    [
      'asked_for_person with aiDetectsAskForPerson off',
      { aiDetectsAskForPerson: false },
      'asked_for_person' as const,
    ],
  ])('%s: a person answers, low_confidence, the reason named', (_name, escalation, reason) => {
    const decision = decideRoute(
      input({ ai: { confidence: 0.98, handoff: { reason } }, policy: escalationWith(escalation) }),
    );
    expect(decision).toMatchObject({ target: 'human', reason: 'low_confidence' });
    expect(decision.detail).toBe(
      `the AI handed the message off (${reason}), which this policy does not escalate on: a person answers`,
    );
  });

  it('still escalates asked_for_person on an AI hand-off while the rule is on', () => {
    expect(decideRoute(input({ ai: { handoff: { reason: 'asked_for_person' } } })).reason).toBe(
      'asked_for_person',
    );
  });

  it('still escalates on the policy keywords with aiDetectsAskForPerson off', () => {
    const policy = escalationWith({
      aiDetectsAskForPerson: false,
      askForPersonKeywords: ['talk to a human'],
    });
    const decision = decideRoute(input({ message: { text: 'can I talk to a human?' }, policy }));
    expect(decision).toMatchObject({ target: 'human', reason: 'asked_for_person' });
  });

  it('tells the responders which of their hand-offs the policy follows', () => {
    expect(aiHandoffsFollowed(escalationWith({}))).toEqual({ negativeSentiment: true, askedForPerson: true });
    expect(aiHandoffsFollowed(escalationWith({ negativeSentimentEscalates: false }))).toEqual({
      negativeSentiment: false,
      askedForPerson: true,
    });
    expect(aiHandoffsFollowed(escalationWith({ askForPersonKeywords: [] }))).toEqual({
      negativeSentiment: true,
      askedForPerson: false,
    });
    expect(aiHandoffsFollowed(escalationWith({ aiDetectsAskForPerson: false }))).toEqual({
      negativeSentiment: true,
      askedForPerson: false,
    });
  });
});
