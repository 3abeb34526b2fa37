// English derivational endings and what the word they are added to ends with: "notification" is
// "notify", "cancellation" "cancel", "returnable" "return", "arrival" "arrive", "deliverer" "deliver".
// Inflections ("delivered", "parcels") are the stemmer's; these are the endings it leaves.
const ENDINGS = (
  'ications:y ication:y ations:,e ation:,e ables:,e able:,e ible:,e ments: ment: ances:,e ance:,e ' +
  'ence:,e als:e, al:e, ers:,e er:,e ery: ness: ity:,e ive:,e ly: y:'
)
  .split(' ')
  .map((rule) => {
    const [ending = '', ends = ''] = rule.split(':');
    return [ending, ends.split(',')] as const;
  });
// A shorter base is another word more often than the root ("apply" is not "app", "legal" not "leg").
const MIN_BASE = 4;

/**
 * A word of the knowledge base that an unknown word is derived from ("notification" from "notify"),
 * or undefined: the nearest known word by its English derivational ending, a doubled last consonant
 * undone ("cancellation", "cancel"). `known` says whether a word is the knowledge base's.
 */
export function derivedFrom(word: string, known: (word: string) => boolean): string | undefined {
  for (const [ending, replacements] of ENDINGS) {
    if (!word.endsWith(ending) || word.length - ending.length < MIN_BASE) continue;
    const base = word.slice(0, -ending.length);
    const undoubled =
      /([b-df-hj-np-tv-z])\1$/.test(base) && base.length > MIN_BASE ? base.slice(0, -1) : undefined;
    for (const stem of undoubled ? [base, undoubled] : [base]) {
      const found = replacements.map((end) => stem + end).find(known);
      if (found) return found;
    }
  }
  return undefined;
}
