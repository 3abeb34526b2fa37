import { describe, expect, it } from 'vitest';
import { nameSortKey } from '#shared/store/keys.js';
import { entryText, nameWordItems } from '#shared/store/name-words.js';

describe('nameWordItems: the word entries of a name', () => {
  it('are sorted as the name entry is, by one function: the folded text, then the id', () => {
    const words = nameWordItems('cu_1', 'María  García López');
    expect(words.map((item) => item.gsi1sk)).toEqual(['lopez#cu_1', 'garcia lopez#cu_1']);
    // The whole name's entry and the word entry of the same text carry the same sort key.
    expect(nameSortKey('López', 'cu_1')).toBe(words[0]?.gsi1sk);
    expect(words.map(entryText)).toEqual(['lopez', 'garcia lopez']);
  });
});
