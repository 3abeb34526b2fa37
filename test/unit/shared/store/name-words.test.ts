import { describe, expect, it } from 'vitest';
import { nameSearchKey, nameSortKey } from '#shared/store/keys.js';
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

describe('nameSearchKey and the word entries: letters people type otherwise', () => {
  it.each([
    ['İsmail Işık', 'ismail isik'],
    ['IŞIK', 'isik'],
    ['Jürgen Größmann', 'jurgen grossmann'],
    ['Łukasz Wałęsa', 'lukasz walesa'],
    ['Đặng Thị Hồng', 'dang thi hong'],
    ['Søren Ærø', 'soren aero'],
    ['Œdipe Þórsson Guðrún', 'oedipe thorsson gudrun'],
    ['مـحـمـد', 'محمد'],
    ['محمد\u200cرضا کریمی', 'محمدرضا كريمي'],
    ['Bob\u200b\u200dSmith', 'bobsmith'],
    ['\u202bAna\u202c \u2066Lima\u2069\ufeff', 'ana lima'],
    ['Ｋｅｎ　Ｓａｔｏ', 'ken sato'],
  ])('folds %s as %s', (name, key) => {
    expect(nameSearchKey(name)).toBe(key);
  });

  it('indexes the words a zero-width space or non-joiner separates, the whole name without them', () => {
    expect(nameWordItems('cu_1', 'محمد\u200cرضا کریمی').map(entryText)).toEqual(['كريمي', 'رضا كريمي']);
    expect(nameWordItems('cu_1', 'Bob\u200b\u200dSmith').map(entryText)).toEqual(['smith']);
    expect(nameWordItems('cu_1', 'Bob \u200d Smith').map(entryText)).toEqual(['smith']);
  });
});
