import { describe, expect, it } from 'vitest';
import {
  askedKinds,
  askingWords,
  givenKinds,
  givesAnswer,
} from '#shared/responder/knowledge-base-answer-types.js';

describe('answer types', () => {
  it.each([
    ['how long does delivery take?', ['duration']],
    ['how many days do I have to send it back', ['duration']],
    ['when will my card be charged?', ['time']],
    ['do you accept cash when the courier delivers?', []],
    ['how much is express shipping?', ['price']],
    ['is it possible to spread the cost over 3 payments?', []],
    ['is delivery free?', ['price']],
    ['do you answer messages on sundays?', ['day']],
    ['I messaged on sunday, did anyone read it?', []],
    ["what's your phone number?", ['contact']],
    ['How long do I have to return it, and is it free?', ['duration', 'price']],
    ['what sizes do you have?', []],
  ])('reads "%s" as asking %j', (question, kinds) => {
    expect(askedKinds(question)).toEqual(kinds);
  });

  it('says which words ask each kind', () => {
    expect(askingWords('how much does a size 46 shoe cost')).toEqual({ price: 'how much' });
    expect(askingWords('How long do I have to return it, and is it free?')).toEqual({
      duration: 'how long',
      price: 'free',
    });
    expect(askingWords('what sizes do you have?')).toEqual({});
  });

  it('reads the facts a passage holds', () => {
    expect([...givenKinds('Standard shipping takes 2–4 working days and costs €4.95.')].sort()).toEqual([
      'day',
      'duration',
      'price',
      'time',
    ]);
    expect([...givenKinds('As soon as your parcel leaves we send you a link.')]).toEqual(['time']);
    expect([...givenKinds('Call us on +44 20 7946 0958.')]).toEqual(['contact']);
    expect([...givenKinds('We accept Visa, PayPal and Klarna.')]).toEqual([]);
  });

  it('fits a passage only when it holds every kind asked for', () => {
    const given = givenKinds('Returns are free within 30 days.');
    expect(givesAnswer(['duration', 'price'], given)).toBe(true);
    expect(givesAnswer(['duration', 'contact'], given)).toBe(false);
    expect(givesAnswer([], new Set())).toBe(true);
  });
});
