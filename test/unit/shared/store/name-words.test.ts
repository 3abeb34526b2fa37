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

  // QA (a Moroccan/French team): the parts of hyphenated names, the name after an apostrophe and an
  // Arabic surname without its article found nobody.
  it.each([
    ['Marie-Claire Dupont-Martin', ['martin', 'dupont-martin', 'claire dupont-martin']],
    ['Jean-Pierre Lefèvre', ['lefevre', 'pierre lefevre']],
    ['Aïcha N’Diaye', ['diaye', 'ndiaye']],
    ["Aïcha N'Diaye", ['diaye', 'ndiaye']],
    ['محمد أمين العلوي', ['علوي', 'العلوي', 'امين العلوي']],
    ['يوسف الإدريسي', ['ادريسي', 'الادريسي']],
    // The article before fewer than three letters is a word of its own (الله is not ال + له).
    ['عبد الله', ['الله']],
    ['Jean - Pierre', ['pierre']],
    // Four at most, the last parts kept: erasure deletes four keys, whatever the name.
    [
      'Abdelkader Ben Ahmed El-Alaoui Al-Idrissi',
      ['idrissi', 'al-idrissi', 'alaoui al-idrissi', 'el-alaoui al-idrissi'],
    ],
  ])('indexes %s from each part on: %j', (name, texts) => {
    expect(nameWordItems('cu_1', name).map(entryText)).toEqual(texts);
  });

  it.each([
    ['Aïcha N’Diaye', 'aicha ndiaye'],
    ["O'Brien", 'obrien'],
    ['O‘Brien', 'obrien'],
    ['Oʼbrien', 'obrien'],
    ['O＇Brien', 'obrien'],
    ['O´Brien', 'obrien'],
    ['Marie-Claire', 'marie-claire'],
  ])('folds %s as %s: every apostrophe left out', (name, key) => {
    expect(nameSearchKey(name)).toBe(key);
  });
});
