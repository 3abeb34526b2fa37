import { describe, expect, it } from 'vitest';
import { findKeyword } from '#shared/domain/routing/keywords.js';

describe('findKeyword', () => {
  it.each([
    ['I want a REFUND', ['refund'], 'refund'],
    ['they refunded half', ['refund*'], 'refund*'],
    ['je veux être remboursé', ['rembourse*'], 'rembourse*'],
    ['give me my money   back', ['money back'], 'money back'],
    ['first match in list order', ['order', 'first'], 'order'],
  ])('finds a keyword in %j', (text, keywords, found) => {
    expect(findKeyword(text, keywords)).toBe(found);
  });

  it.each([
    ['the courtyard is lovely', ['court']],
    ['humanity', ['human']],
    ['refund', ['refunds']],
    ['a.b', ['a*b']],
  ])('finds no whole-word keyword in %j', (text, keywords) => {
    expect(findKeyword(text, keywords)).toBeUndefined();
  });
});
