/**
 * Letters with no decomposed form that people type as plain Latin (`isik` for Işık, `grossmann` for
 * Größmann, `lukasz` for Łukasz), and Arabic letter forms typed one for the other: the wasla alef ٱ as
 * ا, ة as ه, ى as ي, and Persian ک and ی as the Arabic ك and ي (a Persian name typed on an Arabic
 * keyboard). Applied after lower-casing.
 */
const LETTER_FOLDS: Record<string, string> = {
  ı: 'i',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  '\u0671': '\u0627',
  '\u0629': '\u0647',
  '\u0649': '\u064a',
  '\u06a9': '\u0643',
  '\u06cc': '\u064a',
};
const LETTER_FOLD = /[ıßłđðħøæœþ\u0671\u0629\u0649\u06a9\u06cc]/g;

/**
 * Apostrophes people type in names, one for the other (N'Diaye, N’Diaye, D‘Amico, the full-width ＇),
 * as routing keywords take them (shared/domain/routing/keywords.ts): all left out of the search key, so
 * `ndiaye` and `n'diaye` find `N’Diaye`; in the words' text they end a part (`nameWordsKey`).
 */
const APOSTROPHES = /['\u2018\u2019\u02bc\u00b4\u0060\u2032\uff07]/g;

/** Zero-width space and zero-width non-joiner: unseen, yet between words (Persian `محمد‌رضا`). */
const WORD_BREAK = /[\u200b\u200c]/g;

/**
 * Characters that show nothing in a name: the zero-width joiner, word joiner and other invisible
 * operators, the byte-order mark, the soft hyphen, the Arabic tatweel that stretches a word (مـحـمـد),
 * and the bidirectional marks, embeddings and isolates.
 */
const UNSEEN = /\u200d|[\u00ad\u061c\u0640\u180e\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Sort key of the customer-name index: the searchable name, the id to break ties. */
export const nameSortKey = (name: string, customerId: string): string =>
  foldedSortKey(nameSearchKey(name), customerId);

/** Sort key of an entry of the name index under an already folded text (`nameSearchKey`): a name's words. */
export const foldedSortKey = (folded: string, customerId: string): string => `${folded}#${customerId}`;

/**
 * Lower-cased, accent-free form of a name for prefix search (and of the text searched for), with
 * full-width and other compatibility forms as their plain letters, the LETTER_FOLDS, and nothing
 * unseen: a zero-width space or non-joiner is dropped too (`محمد‌رضا` is found by `محمدرضا`; its
 * words are indexed apart, see `nameWordsKey`), and so is every apostrophe (`N’Diaye` by `ndiaye` and
 * `n'diaye`). Arabic is folded as people type it: a hamza or madda on an alef (أ إ آ, and ؤ ئ) goes
 * with the accents.
 */
export function nameSearchKey(name: string): string {
  return fold(name, '', '');
}

/**
 * The folded name whose parts the word entries index: as `nameSearchKey`, but a zero-width space or
 * non-joiner separates words (`رضا` finds `محمد‌رضا کریمی`), and an apostrophe is kept, as `'`, to end
 * a part (see `wordSuffixes`).
 */
export function nameWordsKey(name: string): string {
  return fold(name, ' ', "'");
}

function fold(name: string, wordBreak: string, apostrophe: string): string {
  return name
    .replace(APOSTROPHES, apostrophe)
    .replace(WORD_BREAK, wordBreak)
    .replace(UNSEEN, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\p{Diacritic}\u0653-\u0655]/gu, '')
    .replace(LETTER_FOLD, (c) => LETTER_FOLDS[c] ?? c)
    .replace(/\s+/g, ' ')
    .trim();
}
