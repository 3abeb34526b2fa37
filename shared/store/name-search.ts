import type { NamePage } from '../domain/agent-ports.js';
import type { Page } from '../domain/paging.js';
import { customerOfItem } from '../domain/stored-items.js';
import type { Customer } from '../domain/timeline.js';
import { getItems } from './batch-get.js';
import { decodeNameCursor, encodeNameCursor } from './cursor.js';
import type { DynamoDb } from './dynamo-client.js';
import { Keys, namePartitions, nameSearchKey } from './keys.js';
import { answersAt, NAME_WORD_PREFIX, nameWordPartitions, wordEntryCurrent } from './name-words.js';
import { queryCustomersByNameInput } from './params/customers.js';
import { mergeShards } from './sharded-query.js';

type Item = Record<string, unknown>;

const sortKey = (item: Item): string => String(item.gsi1sk);

/**
 * Rounds of queries a page makes at most (the first asks every partition, each later one only those
 * that may still hold a name of the page): entries a shorter text of the same name also matches are
 * read and passed over, and a long run of them (Mohamed Mohamed Ali, Mohamed Mohamed Saleh... for
 * `mohamed`) would otherwise be read to its end by one page. Past them the page ends short, or empty,
 * with a cursor where every partition was read to.
 */
export const NAME_SEARCH_ROUNDS = 6;

/**
 * The entries a page answers out of those merged: the first `limit` not skipped, and the last entry
 * passed to reach them (the next page's place), with whether entries not skipped may follow.
 */
function takePage(
  merged: { items: Item[]; more: boolean },
  limit: number,
  skipped: ReadonlySet<string>,
): { kept: Item[]; last: Item | undefined; more: boolean } {
  const kept: Item[] = [];
  let passed = 0;
  for (const item of merged.items) {
    if (kept.length === limit) break;
    passed += 1;
    if (!skipped.has(String(item.pk))) kept.push(item);
  }
  const rest = merged.items.slice(passed).some((item) => !skipped.has(String(item.pk)));
  return { kept, last: merged.items[passed - 1], more: merged.more || rest };
}

/**
 * The profiles behind a page's entries, in their order (BatchGetItem): a profile's own entry, or a word
 * entry (`NAMEWORD#`) that still names the profile as it is (not renamed since, nor merged away or
 * being erased: a write that came between the profile's and its words' is left out, not shown twice).
 * A profile merged away (its whole name's entry stays) stands for the customer it was merged into, read
 * in one BatchGetItem more for a page that holds one; each customer comes once, and not at all when the
 * first page found them by identity (`skipped`).
 */
async function profilesOf(
  db: DynamoDb,
  entries: readonly Item[],
  skipped: ReadonlySet<string>,
): Promise<Item[]> {
  const keys = entries.map((entry) => Keys.customer(String(entry.pk).slice('CUSTOMER#'.length)));
  const profiles = new Map((await getItems(db, keys)).map((item) => [String(item.pk), item]));
  const kept = (profile: Item) => (typeof profile.mergedInto === 'string' ? profile.mergedInto : undefined);
  const roots = [...profiles.values()].flatMap((p) => kept(p) ?? []).map((id) => Keys.customer(id));
  const unread = roots.filter((key) => !profiles.has(key.pk));
  if (unread.length) for (const item of await getItems(db, unread)) profiles.set(String(item.pk), item);
  const shown = new Set<string>();
  return entries.flatMap((entry) => {
    const own = profiles.get(String(entry.pk));
    const word = String(entry.sk).startsWith(NAME_WORD_PREFIX);
    if (!own || (word && !wordEntryCurrent(entry, own))) return [];
    const into = kept(own);
    const profile = into === undefined ? own : profiles.get(Keys.customer(into).pk);
    if (profile?.entity !== 'customer' || kept(profile) !== undefined) return [];
    const pk = String(profile.pk);
    if (shown.has(pk) || skipped.has(pk)) return [];
    shown.add(pk);
    return [profile];
  });
}

/**
 * One page of the customers whose name, or the name from one of its last words on, starts with
 * `prefix`, in the name index's order (the folded text matched, then id), each customer at the entry of
 * the shortest text that matches (`answersAt`), merged from its shards and the partition written before
 * sharding, then read by key. Each
 * shard resumes after the last entry the cursor passed (`> after`, its prefix ending it), so a page
 * costs what the first one does however deep it is. `skip`: customers answered already (by identity),
 * left out of this page and, carried in the cursor, every later one; a page asks for as many more
 * entries as it may skip, so it is not cut short. `limit` 0 reads nothing: the cursor starts the names.
 */
export async function customersByName(db: DynamoDb, prefix: string, page: NamePage): Promise<Page<Customer>> {
  const prefixKey = nameSearchKey(prefix);
  // A text the folding leaves nothing of (unseen characters, an accent alone) names nobody: as a prefix
  // it would start every name.
  if (!prefixKey) return { items: [], cursor: null };
  const place = page.cursor ? decodeNameCursor(page.cursor, prefixKey) : { skip: [...(page.skip ?? [])] };
  if (page.limit === 0) return { items: [], cursor: encodeNameCursor(place) };
  const skipped = new Set(place.skip.map((id) => Keys.customer(id).pk));
  const want = page.limit + skipped.size;
  const inputs = [...namePartitions(), ...nameWordPartitions()].map((partition) =>
    queryCustomersByNameInput(db.table, prefix, want, partition, place.after),
  );
  const within = (item: Item) => sortKey(item).startsWith(prefixKey);
  const keep = (item: Item) => answersAt(item, prefixKey);
  const rounds = NAME_SEARCH_ROUNDS;
  const merged = await mergeShards(db, inputs, { limit: want, sortKey, within, keep, rounds });
  const { kept, last, more } = takePage(merged, page.limit, skipped);
  const items = (await profilesOf(db, kept, skipped)).map(customerOfItem);
  // A page cut short by its rounds resumes where every partition was read to, past what it skipped.
  const after =
    merged.through !== undefined && kept.length < page.limit ? merged.through : last && sortKey(last);
  return { items, cursor: more && after ? encodeNameCursor({ after, skip: place.skip }) : null };
}
