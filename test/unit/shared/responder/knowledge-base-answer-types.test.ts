import { describe, expect, it } from 'vitest';
import {
  askedKinds,
  askingWords,
  givenKinds,
  givesAnswer,
  passageStatements,
  spokenApart,
  unstatedKind,
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
    // Whether one order has shipped: no article can say.
    ['order no 55102 has it shipped yet?', ['status']],
    ['has my parcel been sent?', ['status']],
    ['can i have my parcel sent to a pickup point instead', []],
    ['can I change the address if it has shipped?', []],
    // Where one order named by its number is, or its status: only its tracking or a person knows.
    ['where is order 40122 right now', ['status']],
    ['whats the status of order #55821?', ['status']],
    ['any update on order no. 30417', ['status']],
    ['order 61234 where is it', ['status']],
    ['is order 20931 on its way yet?', ['status']],
    ['where is my order?', []],
    ['Order 18820 - tracking says delivered 2 days ago, what happens now?', []],
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

  it('reads a passage statement by statement, leaving out the questions it asks itself', () => {
    const words = (text: string) => text.toLowerCase().match(/[a-z]+/g) ?? [];
    const statements = passageStatements('How much? Shoes cost €50. We ship fast!', words);
    expect(statements.map((s) => [...s.terms])).toEqual([
      ['shoes', 'cost'],
      ['we', 'ship', 'fast'],
    ]);
    expect([...(statements[0]?.gives ?? [])]).toEqual(['price']);
  });

  it('finds a price asked of a thing the passage speaks of only beside no price', () => {
    const words = (text: string) => text.toLowerCase().match(/[a-z]+/g) ?? [];
    const statements = passageStatements(
      'Standard shipping is free over €50. Express costs €9.95. International delivery takes 5 days.',
      words,
    );
    expect(unstatedKind(['price'], ['express', 'international'], statements)).toBe('price');
    expect(unstatedKind(['price'], ['express'], statements)).toBeUndefined();
    // The first statement is the paragraph's subject: later ones speak of it as "it".
    expect(unstatedKind(['price'], ['standard', 'international'], statements)).toBe('price');
    expect(unstatedKind(['price'], ['standard', 'express'], statements)).toBeUndefined();
    // Only a price belongs to its sentence; a duration is not checked this way.
    expect(unstatedKind(['duration'], ['express', 'international'], statements)).toBeUndefined();
    expect(unstatedKind(['price'], ['klarna'], statements)).toBeUndefined();
  });

  it('finds two things asked about together that the passage speaks of only apart', () => {
    const words = (text: string) => text.toLowerCase().match(/[a-z]+/g) ?? [];
    const statements = passageStatements(
      'Standard shipping takes 2 days. Express arrives next day. International delivery takes 5 days.',
      words,
    );
    expect(spokenApart(['express', 'international'], statements)).toBe(true);
    expect(spokenApart(['international', 'delivery'], statements)).toBe(false);
    // The subject goes with every sentence; one thing alone is never apart.
    expect(spokenApart(['standard', 'international'], statements)).toBe(false);
    expect(spokenApart(['express'], statements)).toBe(false);
    expect(spokenApart(['express', 'klarna'], statements)).toBe(false);
  });
});
