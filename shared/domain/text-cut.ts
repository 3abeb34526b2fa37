/**
 * Cutting people's text short (previews, quotes, subjects, names) between two user-perceived characters
 * (grapheme clusters, Unicode's UAX #29), never inside one: a family emoji, a flag, a letter with its
 * combining accent or a Devanagari syllable with its vowel sign is kept whole or left out whole, and no
 * lone surrogate is ever made.
 */

let graphemes: Intl.Segmenter | undefined;

/** Built on first use: a cold start that cuts nothing does not pay for it. */
const segmenter = (): Intl.Segmenter => {
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return graphemes;
};

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * No character people read is longer (the longest emoji sequences, a kiss with two skin tones, are
 * some 15 units): one that is, is a letter under stacked combining marks, cut between code points.
 */
const LONGEST_CHARACTER = 32;

/**
 * Text each UTF-16 unit of which is a user-perceived character of its own, whatever is around it:
 * Latin (no combining marks), kana, CJK ideographs, Hangul syllables. Most text is, and is cut
 * without segmenting it (about 100 times faster than Intl.Segmenter's iteration).
 */
const ONE_UNIT_EACH =
  /^[\t\n\u0020-\u007e\u00a0-\u02ff\u3041-\u3096\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]*$/;

/**
 * The longest start of `text` of at most `maxUnits` UTF-16 units (what `length` counts, and what
 * schemas bound) and at most `maxCharacters` user-perceived characters, that ends between two of
 * them. Reads `maxUnits` + 2 units (34 at least) at most, whatever the text's length. A first
 * character too long for `maxUnits` is left out, unless it is no real one (LONGEST_CHARACTER): that
 * is cut between code points.
 */
export function headOf(text: string, maxUnits: number, maxCharacters = Number.POSITIVE_INFINITY): string {
  if (text.length <= maxUnits && maxCharacters >= text.length) return text;
  // A boundary depends on what comes before it and the one code point after: two units past the bound.
  const window = text.slice(0, Math.max(maxUnits, LONGEST_CHARACTER) + 2);
  if (ONE_UNIT_EACH.test(window)) return text.slice(0, Math.min(maxUnits, maxCharacters));
  let end = 0;
  let count = 0;
  let first = 0;
  for (const { index, segment } of segmenter().segment(window)) {
    if (index === 0) first = segment.length;
    if (count === maxCharacters || index + segment.length > maxUnits) break;
    end = index + segment.length;
    count++;
  }
  if (end === 0 && first > LONGEST_CHARACTER && maxCharacters > 0) {
    end = Math.min(maxUnits, text.length);
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  }
  return text.slice(0, end);
}

/**
 * `text` when it is at most `maxUnits` UTF-16 units long, else its start cut between two user-perceived
 * characters, trailing white space dropped, with `ellipsis` after it: `maxUnits` units all told.
 */
export function shortened(text: string, maxUnits: number, ellipsis = '…'): string {
  if (text.length <= maxUnits) return text;
  return `${headOf(text, maxUnits - ellipsis.length).trimEnd()}${ellipsis}`;
}
