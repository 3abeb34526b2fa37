/** Damerau (optimal string alignment) distance of two words, or `limit + 1` once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/** How many leading characters two words share. */
function sharedStart(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return i;
}

/** Whether two words of one length differ only by two neighbouring letters swapped (or not at all). */
function isSwap(a: string, b: string): boolean {
  const diff: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) diff.push(i);
  return (
    diff.length === 0 ||
    (diff.length === 2 && diff[1] === (diff[0] ?? 0) + 1 && a[diff[0] ?? 0] === b[diff[1] ?? 0])
  );
}

/** How many typos a word of this length may carry and still be recognised. */
const typoAllowance = (length: number) => (length >= 8 ? 2 : length >= 4 ? 1 : 0);

/** The known word nearest to an unknown one within its typo allowance (the word itself when none is). */
export function typoCorrector(known: ReadonlySet<string>): (word: string) => string {
  const byLength = new Map<number, string[]>();
  for (const word of known) {
    if (/\d/.test(word) || typoAllowance(word.length) < 1) continue;
    const list = byLength.get(word.length) ?? [];
    list.push(word);
    byLength.set(word.length, list);
  }
  const corrections = new Map<string, string>();
  return (word) => {
    if (known.has(word) || /\d/.test(word)) return word;
    const cached = corrections.get(word);
    if (cached !== undefined) return cached;
    const limit = typoAllowance(word.length);
    let best = word;
    let bestDistance = limit + 1;
    for (let length = word.length - limit; length <= word.length + limit; length += 1) {
      for (const candidate of byLength.get(length) ?? []) {
        const distance = editDistance(word, candidate, Math.min(limit, bestDistance));
        // In a short word one changed letter makes another word ("paris", "parts"): only a letter
        // missing, doubled or swapped is read as a typo there.
        if (word.length < 7 && candidate.length === word.length && !isSwap(word, candidate)) continue;
        // Two letters missing or added is another word more often than a typo ("australia", "austria").
        if (Math.abs(candidate.length - word.length) > 1 && distance > 1) continue;
        // Two typos that include the first letter make another word ("exception", "reception").
        if (distance > 1 && candidate[0] !== word[0]) continue;
        // On a tie the word sharing the longer start wins: "wher" is "where", not "when".
        const closer =
          distance < bestDistance ||
          (distance === bestDistance && sharedStart(word, candidate) > sharedStart(word, best));
        if (closer) [best, bestDistance] = [candidate, distance];
      }
    }
    if (corrections.size < 10_000) corrections.set(word, best);
    return best;
  };
}
