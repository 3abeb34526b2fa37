const ARABIC_FOLDS: Record<string, string> = { '\u0671': '\u0627', '\u0629': '\u0647', '\u0649': '\u064a' };

/** Sort key of the customer-name index: the searchable name, the id to break ties. */
export const nameSortKey = (name: string, customerId: string): string =>
  foldedSortKey(nameSearchKey(name), customerId);

/** Sort key of an entry of the name index under an already folded text (`nameSearchKey`): a name's words. */
export const foldedSortKey = (folded: string, customerId: string): string => `${folded}#${customerId}`;

/**
 * Lower-cased, accent-free form of a name for prefix search. Arabic is folded as people type it: a
 * hamza or madda on an alef (أ إ آ, and ؤ ئ) goes with the accents, the wasla alef ٱ is ا, ة is ه and
 * ى is ي.
 */
export function nameSearchKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\p{Diacritic}\u0653-\u0655]/gu, '')
    .replace(/[\u0671\u0629\u0649]/g, (c) => ARABIC_FOLDS[c] ?? c)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
