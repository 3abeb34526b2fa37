import { describe, expect, it } from 'vitest';
import { compareSortKeys } from '#shared/store/sharded-query.js';

const sign = (n: number) => Math.sign(n);
const bytes = (a: string, b: string) => sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** The merge of sharded queries orders sort keys as DynamoDB does: by UTF-8 bytes, not UTF-16 units. */
describe('compareSortKeys', () => {
  it('puts a character beyond U+FFFF after one from U+E000 to U+FFFF, where < does not', () => {
    const emoji = 'ana \u{1F600}';
    const privateUse = 'ana \uE000';
    expect(emoji < privateUse).toBe(true);
    expect(compareSortKeys(emoji, privateUse)).toBe(1);
    expect(compareSortKeys(privateUse, emoji)).toBe(-1);
  });

  it('agrees with the UTF-8 bytes on every pair of a varied set, a prefix first', () => {
    const pieces = [
      '',
      'a',
      'z',
      '#',
      'é',
      '\u05D0',
      '\uE000',
      '\uFFFD',
      '\u{1F600}',
      '\u{10FFFF}',
      '\u{1F600}a',
    ];
    const keys = pieces.flatMap((x) => pieces.map((y) => `m${x}${y}`));
    for (const a of keys)
      for (const b of keys) expect(sign(compareSortKeys(a, b)), `${a} ${b}`).toBe(bytes(a, b));
  });
});
