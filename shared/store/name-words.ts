import { Keys, shardOf } from './keys.js';
import { foldedSortKey, nameWordsKey } from './name-key.js';

type Item = Record<string, unknown>;

/**
 * Words of a name indexed besides the whole name, at most: the name from each of its last four words
 * on (`maria garcia lopez` is found from `garcia lopez` and from `lopez` too), so a customer is found
 * by the start of their surname however long their name, at a fixed cost per customer. A part of a
 * hyphenated word, the name after an apostrophe and an Arabic word without its article count as words
 * (`wordSuffixes`), within the four.
 */
export const NAME_WORDS = 4;

/**
 * Shards of the word entries in the list index (`CUSTOMER_WORD#<0..63>`), apart from the names': a
 * customer's first named message writes up to 4 of them, each to the shard of a hash of the customer
 * id and its place, so the names' shards take no more than before (see `SHARDS`). A search reads both.
 */
export const WORD_SHARDS = 64;

/** Word-index partition of a customer's word entry `n`. */
export const nameWordPartition = (customerId: string, n: number): string =>
  `CUSTOMER_WORD#${shardOf(`${customerId}#${n}`, WORD_SHARDS)}`;

/** Every partition the word entries are read from. */
export const nameWordPartitions = (): string[] =>
  Array.from({ length: WORD_SHARDS }, (_, shard) => `CUSTOMER_WORD#${shard}`);

/** Sort-key prefix of a customer's word entries in their partition. */
export const NAME_WORD_PREFIX = 'NAMEWORD#';

/** The item of a customer's word entry `n` (1..NAME_WORDS): the name from its last `n` words on. */
export const nameWordKey = (customerId: string, n: number) => ({
  pk: Keys.customer(customerId).pk,
  sk: `${NAME_WORD_PREFIX}${n}`,
});

/** Every word entry a customer may have. */
export const nameWordKeys = (customerId: string) =>
  Array.from({ length: NAME_WORDS }, (_, i) => nameWordKey(customerId, i + 1));

/** What ends a part of a name: a space, a hyphen (`-`, `‐`, the Hebrew maqaf) or an apostrophe. */
const PART_END = /[ \-\u2010\u05be']/;

/** The Arabic article ال written onto a word, before at least three letters: `العلوي` is `علوي` too. */
const ARTICLE = /^\u0627\u0644[\u0621-\u064a]{3}/;

/**
 * Where the parts of a folded name start after its first: after each space, hyphen or apostrophe
 * (`marie-claire dupont-martin`, `n'diaye`) and after the Arabic article on a word (`العلوي`).
 */
function partStarts(folded: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < folded.length; i += 1) {
    if (PART_END.test(folded.charAt(i))) continue;
    const first = i === 0 || PART_END.test(folded.charAt(i - 1));
    if (first && i > 0) starts.push(i);
    if (first && ARTICLE.test(folded.slice(i, i + 5))) starts.push(i + 2);
  }
  return starts;
}

/**
 * The folded texts a folded name is indexed under besides itself: the name from each of its last
 * `NAME_WORDS` part starts on (`partStarts`: a word, a part of a hyphenated word or after an apostrophe,
 * an Arabic word without its article), apostrophes left out as the search key leaves them. `[0]` is the
 * shortest. Computed again from an entry's own text (`answersAt`), where an apostrophe's part no longer
 * shows: `ndiaye` does not know of `diaye`, so a text starting both (none but a doubled first letter,
 * `d'd...`) may answer its customer twice.
 */
export function wordSuffixes(folded: string): string[] {
  return partStarts(folded)
    .slice(-NAME_WORDS)
    .reverse()
    .map((start) => folded.slice(start).replaceAll("'", ''));
}

/** The folded texts a name is indexed under besides its whole: see `wordSuffixes` and `nameWordsKey`. */
export const nameWordTexts = (name: string): string[] => wordSuffixes(nameWordsKey(name));

/** A stored profile's name, if it has one. */
export const nameOf = (profile: Record<string, unknown>): string | undefined =>
  typeof profile.name === 'string' ? profile.name : undefined;

/** A name as its word entries are written: the name and its version (`nameVersion`). */
export type VersionedName = { name: string; version: string };

/** `9 - d` for every digit: an ISO time so turned sorts the later before the earlier. */
const invertDigits = (text: string): string => text.replace(/\d/g, (d) => String(9 - Number(d)));

/**
 * The version of a profile's name, a string that grows with every change of it: an agent's rename
 * counts up `nameRev` (none before the first), and while no agent named the customer a provider's name
 * is replaced only by an earlier event's (`setNameInput`), so the earlier `nameAt` is the later
 * version. A word entry carries the version it was written for, and is overwritten or cleared only for
 * a version at least as high: a writer that lost a race cannot put back the words of a name replaced.
 */
export function nameVersion(profile: Record<string, unknown>): string {
  const rev = typeof profile.nameRev === 'number' ? profile.nameRev : 0;
  const at = typeof profile.nameAt === 'string' ? profile.nameAt : '';
  return `${String(rev).padStart(8, '0')}#${invertDigits(at)}`;
}

/**
 * The name a stored profile's word entries should index, and its version: none for a customer merged
 * away, being erased or erased, or without a name.
 */
export function liveName(profile: Item | undefined): VersionedName | undefined {
  if (profile?.entity !== 'customer' || profile.mergedInto !== undefined) return undefined;
  const name = nameOf(profile);
  if (profile.erasingSince !== undefined || name === undefined) return undefined;
  return { name, version: nameVersion(profile) };
}

/** Whether two versioned names are the same (undefined: none). */
export const sameName = (a: VersionedName | undefined, b: VersionedName | undefined): boolean =>
  a?.name === b?.name && a?.version === b?.version;

/** The word entries of a name: the items a search finds the customer by, besides their profile. */
export function nameWordItems(customerId: string, name: string, version?: string): Item[] {
  return nameWordTexts(name).map((text, i) => ({
    ...nameWordKey(customerId, i + 1),
    entity: 'customer_name_word',
    customerId,
    gsi1pk: nameWordPartition(customerId, i + 1),
    gsi1sk: foldedSortKey(text, customerId),
    ...(version === undefined ? {} : { nameVersion: version }),
  }));
}

/** The folded text an entry of the name index was found by: its sort key without `#<customer id>`. */
export const entryText = (entry: Item): string => {
  const key = String(entry.gsi1sk);
  return key.slice(0, Math.max(0, key.lastIndexOf('#')));
};

/**
 * Whether a search for `prefixKey` answers the customer at this entry: only at the entry of their
 * shortest indexed text that starts with it, so a customer two of whose words match comes once across
 * every page. Known from the entry alone: the shorter texts indexed are its own last words.
 */
export function answersAt(entry: Item, prefixKey: string): boolean {
  return !wordSuffixes(entryText(entry)).some((text) => text.startsWith(prefixKey));
}

/** Whether a word entry still names its profile as read (a rename or merge may have left it behind). */
export function wordEntryCurrent(entry: Item, profile: Item | undefined): boolean {
  const name = liveName(profile)?.name;
  if (name === undefined) return false;
  const n = Number(String(entry.sk).slice(NAME_WORD_PREFIX.length));
  return nameWordTexts(name)[n - 1] === entryText(entry);
}
