const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const patterns = new Map<string, RegExp>();

function keywordPattern(keyword: string): RegExp {
  let pattern = patterns.get(keyword);
  if (!pattern) {
    const folded = fold(keyword.trim());
    const prefix = folded.endsWith('*');
    const body = (prefix ? folded.slice(0, -1) : folded)
      .trim()
      .split(/\s+/)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+');
    const tail = prefix ? '[\\p{L}\\p{N}]*' : '';
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])${body}${tail}(?![\\p{L}\\p{N}])`, 'u');
    patterns.set(keyword, pattern);
  }
  return pattern;
}

/**
 * The first keyword found in the text as a whole word or phrase, ignoring case and accents; a
 * keyword ending in `*` matches any word that starts with it.
 */
export function findKeyword(text: string, keywords: readonly string[]): string | undefined {
  const folded = fold(text);
  return keywords.find((keyword) => keywordPattern(keyword).test(folded));
}
