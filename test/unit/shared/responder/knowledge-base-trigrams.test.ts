import { describe, expect, it } from 'vitest';
import { createTrigramRanker } from '#shared/responder/knowledge-base-trigrams.js';

const rank = createTrigramRanker([
  {
    id: 'tracking',
    text: 'Tracking your parcel: we email a tracking link when your parcel leaves the warehouse.',
  },
  { id: 'payment', text: 'Payment methods: we accept Visa, Mastercard, PayPal and Klarna.' },
  { id: 'returns', text: 'Returns: send back anything unworn within 30 days for a refund.' },
]);

describe('the letter-trigram ranker', () => {
  it('puts first the passage sharing most weighted trigrams, whatever the word forms', () => {
    expect(rank('where is my parcel? is there a tracking number')).toBe('tracking');
    expect(rank('can I pay with paypall')).toBe('payment');
    expect(rank('RETURNING something I never wore')).toBe('returns');
  });

  it('names no passage when the text shares no trigram with any', () => {
    expect(rank('zzz qqq')).toBeUndefined();
    expect(rank('')).toBeUndefined();
  });

  it('reads a long text only up to its bound', () => {
    expect(rank(`${'x'.repeat(5000)} paypal`)).toBeUndefined();
  });
});
