import { Keys, shardOf } from './keys.js';
import { foldedSortKey, nameWordsKey } from './name-key.js';

type Item = Record<string, unknown>;

/**
 * Words of a name indexed besides the whole name, at most: the name from each of its last four words
 * on (`maria garcia lopez` is found from `garcia lopez` and from `lopez` too), so a customer is found
 * by the start of their surname however long their name, at a fixed cost per customer.
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

/**
 * The folded texts a folded name is indexed under besides itself: its last `n` words, n from 1 to
 * `NAME_WORDS` (and fewer than its words). `[0]` is the last word.
 */
export function wordSuffixes(folded: string): string[] {
  const words = folded.split(' ').filter(Boolean);
  const count = Math.min(NAME_WORDS, words.length - 1);
  return Array.from({ length: Math.max(0, count) }, (_, i) => words.slice(words.length - 1 - i).join(' '));
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
