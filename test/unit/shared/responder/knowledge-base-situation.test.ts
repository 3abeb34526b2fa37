import { stemmer } from '@orama/stemmers/english';
import { describe, expect, it } from 'vitest';
import type { Article } from '#shared/responder/knowledge-base-articles.js';
import { readSituation } from '#shared/responder/knowledge-base-situation.js';
import { createTermPipeline, SynonymsSchema } from '#shared/responder/knowledge-base-terms.js';

const pipeline = createTermPipeline(
  stemmer,
  SynonymsSchema.parse({
    groups: [
      ['already shipped', 'in transit'],
      ['not shipped yet', 'until it ships'],
    ],
    opposites: [['already shipped', 'not shipped yet']],
  }),
  [],
);
const address: Article = { id: 'address', title: 'Address', body: '' };
const returns: Article = { id: 'returns', title: 'Returns', body: '' };
const paragraph = (article: Article, text: string) => ({
  passage: { article },
  terms: new Set(pipeline.terms(text)),
});
const paragraphs = [
  paragraph(address, 'change the address until it ships'),
  paragraph(address, 'once it is in transit redirect it'),
  paragraph(returns, 'a parcel in transit comes back to us'),
];

describe('the situation a message states', () => {
  it('refuses a paragraph stating the contrary of what the customer says, not one stating both or neither', () => {
    const shipped = readSituation(new Set(pipeline.terms('it is in transit')), pipeline, paragraphs);
    expect(shipped.contradicts(paragraph(address, 'until it ships'))).toBe(true);
    expect(shipped.contradicts(paragraph(address, 'in transit or until it ships'))).toBe(false);
    expect(shipped.contradicts(paragraph(address, 'redirect it'))).toBe(false);
  });

  it('gives the fact to a question whose article tells it from its contrary, one paragraph for each', () => {
    const shipped = readSituation(new Set(pipeline.terms('it is in transit')), pipeline, paragraphs);
    expect(shipped.heldBy(address)).toEqual(['alreadi_ship']);
    expect(shipped.heldBy(returns)).toEqual([]);
    expect(shipped.heldBy(undefined)).toEqual([]);
  });

  it('states nothing when the message says both', () => {
    const both = readSituation(
      new Set(pipeline.terms('in transit, or is it until it ships?')),
      pipeline,
      paragraphs,
    );
    expect(both.heldBy(address)).toEqual([]);
    expect(both.contradicts(paragraph(address, 'until it ships'))).toBe(false);
  });
});
