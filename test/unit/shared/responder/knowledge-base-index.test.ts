import { describe, expect, it } from 'vitest';
import { loadArticles, SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { createArticleIndex, foldTerm } from '#shared/responder/knowledge-base-index.js';

describe('retrieval', () => {
  it.each([
    ['shipping', 'ship'],
    ['shipped', 'ship'],
    ['ships', 'ship'],
    ['Returns', 'return'],
    ['addresses', 'address'],
    ['deliveries', 'delivery'],
    ['the', null],
    ['Hello', null],
  ])('folds "%s" to %s', (term, folded) => {
    expect(foldTerm(term)).toBe(folded);
  });

  it('scores a question made only of common words lower than a specific one', () => {
    const search = createArticleIndex(loadArticles(SAMPLE_KNOWLEDGE_BASE));
    expect(search('Can I pay with Klarna?')?.confidence).toBe(1);
    expect(search('Do you ship to Canada?')?.confidence).toBeLessThan(0.5);
    expect(search('hello there')).toBeUndefined();
  });
});
