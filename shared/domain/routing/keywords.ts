// Apostrophes customers type: ' and its typographic forms (’ from phones, ‘, ʼ, ´, `, ′, the fullwidth ＇).
const APOSTROPHES = /['\u2018\u2019\u02bc\u00b4\u0060\u2032\uff07]/g;

// Arabic letter forms typed one for the other, as name search folds them (shared/store/name-key.ts): the
// wasla alef ٱ as ا, ة as ه, ى as ي, the Persian ک and ی as ك and ي. The hamza and madda of أ إ آ ؤ ئ
// and the harakat are marks, gone with the accents; the tatweel (ـ) stretches a word and is left out.
const ARABIC_FOLDS: Record<string, string> = {
  '\u0671': '\u0627',
  '\u0629': '\u0647',
  '\u0649': '\u064a',
  '\u06a9': '\u0643',
  '\u06cc': '\u064a',
  '\u0640': '',
};
const ARABIC_FOLD = /[\u0671\u0629\u0649\u06a9\u06cc\u0640]/g;

/** Lower case, no accents, every apostrophe as `'`, Arabic letter forms as one. */
const fold = (text: string) =>
  text
    .replace(APOSTROPHES, "'")
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(ARABIC_FOLD, (c) => ARABIC_FOLDS[c] ?? c)
    .toLowerCase();

// What Arabic attaches before a word: و or ف, then ب ل or ك, then the article ال (وبالفاتورة,
// فالفاتورة), or ل with the article's alef dropped (للفاتورة). Each optional, a fixed few letters: the
// match stays linear.
const PROCLITICS = '(?:[\u0648\u0641]?[\u0628\u0644\u0643]?(?:\u0627\u0644)?|[\u0648\u0641]?\u0644\u0644)';
const ARABIC_WORD = /^[\u0600-\u06ff]/;

// Scripts written without spaces between words (Korean particles join the word too): a keyword in them
// has no word boundary to match on, and is found inside the text ("返金" in "返金してください").
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const patterns = new Map<string, RegExp>();

/**
 * A keyword as a regular expression on folded text without apostrophes: a literal phrase (spaces match
 * any run of spaces), an optional word tail for a trailing `*`, and a word boundary at each end that is
 * not in a script without spaces; an Arabic word may carry its proclitics (`PROCLITICS`). Linear in the
 * text: no nested or overlapping repetition.
 */
function keywordPattern(keyword: string): RegExp {
  let pattern = patterns.get(keyword);
  if (!pattern) {
    const folded = fold(keyword.trim()).replaceAll("'", '');
    const prefix = folded.endsWith('*');
    const words = (prefix ? folded.slice(0, -1) : folded).trim();
    const body = words
      .split(/\s+/)
      .map((word) => (ARABIC_WORD.test(word) ? PROCLITICS : '') + word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+');
    const tail = prefix ? '[\\p{L}\\p{N}]*' : '';
    const before = UNSPACED.test(words.charAt(0)) ? '' : '(?<![\\p{L}\\p{N}])';
    const after = prefix || !UNSPACED.test(words.at(-1) ?? '') ? '(?![\\p{L}\\p{N}])' : '';
    pattern = new RegExp(`${before}${body}${tail}${after}`, 'u');
    patterns.set(keyword, pattern);
  }
  return pattern;
}

/**
 * The first keyword found in the text as a whole word or phrase, ignoring case, accents and
 * apostrophes (`doesn't work` matches "doesn’t work" and "doesnt work"), with Arabic letters folded
 * and proclitics allowed (`فاتورة*` matches "فاتوره" and "فالفاتورة"); a keyword ending in `*`
 * matches any word that starts with it. In scripts written without spaces (Chinese, Japanese,
 * Korean, Thai...) a keyword matches inside the text.
 */
export function findKeyword(text: string, keywords: readonly string[]): string | undefined {
  const folded = fold(text);
  // Without its apostrophes ("wheres"), and with them as word breaks, so "agent" is in "l'agent".
  const bare = folded.replaceAll("'", '');
  return keywords.find((keyword) => {
    const pattern = keywordPattern(keyword);
    return pattern.test(bare) || (bare !== folded && pattern.test(folded));
  });
}
