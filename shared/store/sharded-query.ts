import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client.js';
import { queryPage } from './paging.js';

type Item = Record<string, unknown>;

interface Shard {
  input: QueryCommandInput;
  items: Item[];
  /** The sort key of the last item read (kept or not). */
  seen: string | undefined;
  next: Item | undefined;
  done: boolean;
  batch: number;
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

/**
 * Orders strings as DynamoDB orders sort keys, by their UTF-8 bytes (the code points' order), not by
 * UTF-16 units as `<` does: those differ where a character beyond U+FFFF (an emoji: a surrogate pair)
 * meets one from U+E000 to U+FFFF. The merge must agree with each shard's order, and a page's cursor
 * (`> after`) with the merge, or a name between the two orders would be skipped.
 */
export function compareSortKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate stands for a code point above every other unit's; two surrogates compare as their units.
    if (isSurrogate(x) !== isSurrogate(y)) return isSurrogate(x) ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The merge's order: ascending sort keys, or with `descending` the reverse (each shard queried so). */
const orderOf = (options: { descending?: boolean | undefined }) =>
  options.descending ? (a: string, b: string) => compareSortKeys(b, a) : compareSortKeys;

/** Asks a shard for its next batch; an item outside the range (`within`) ends the shard before it. */
async function fill(db: DynamoDb, shard: Shard, limit: number, options: MergeOptions): Promise<void> {
  const { within, keep, sortKey } = options;
  const input = {
    ...shard.input,
    Limit: shard.batch,
    ...(shard.next ? { ExclusiveStartKey: shard.next } : {}),
  };
  const out = await queryPage(db, input, shard.batch);
  const end = within ? out.items.findIndex((item) => !within(item)) : -1;
  const read = end === -1 ? out.items : out.items.slice(0, end);
  const last = read.at(-1);
  if (last) shard.seen = sortKey(last);
  shard.items.push(...(keep ? read.filter(keep) : read));
  shard.next = out.next;
  shard.done = out.next === undefined || end !== -1;
  shard.batch = Math.min(limit, shard.batch * 2);
}

/** Whether a shard may still hold an item that belongs on the page: it has more and has not passed it. */
function mayHoldMore(shard: Shard, cutoff: string | undefined, compare: typeof compareSortKeys): boolean {
  if (shard.done) return false;
  return cutoff === undefined || shard.seen === undefined || compare(shard.seen, cutoff) < 0;
}

type MergeOptions = {
  limit: number;
  sortKey: (item: Item) => string;
  within?: ((item: Item) => boolean) | undefined;
  keep?: ((item: Item) => boolean) | undefined;
  /**
   * Rounds of queries at most (a round: one query to each shard that may still hold an item of the
   * page). Past them, the page ends where every shard still asked has been read to (`through`): the
   * items up to there, maybe fewer than `limit` or none, with `more`. For a `keep` that may pass over
   * any number of items, so a page's cost does not grow with them.
   */
  rounds?: number | undefined;
  /** Each input reads its shard newest first (`ScanIndexForward: false`): the merge is descending too. */
  descending?: boolean | undefined;
};

/** The sort key every shard still open has been read to (the least of their last), if each read one. */
function frontier(open: readonly Shard[], compare: typeof compareSortKeys): string | undefined {
  let least: string | undefined;
  for (const shard of open) {
    if (shard.seen === undefined) return undefined;
    if (least === undefined || compare(shard.seen, least) < 0) least = shard.seen;
  }
  return least;
}

/**
 * A k-way merge of queries over the shards of one write-sharded index partition, each already in
 * ascending `sortKey` order (or each descending, with `descending`): the first `limit` items in that order across all shards, and whether more
 * remain. Each shard is asked for a small batch first (about 2 × limit / shards), and only shards that
 * could still hold an item of the page are asked again (doubling, at most `limit`), so a page reads
 * little more than `limit` items plus one small query per shard. Any sort key works, as long as each
 * input is ordered by it and it is unique (the id breaks ties). `within`, for a query whose key
 * condition cannot say where its range ends (`> after` and a prefix): the first item of a shard outside
 * it ends that shard, the items after it being outside too. `keep`: which items in range belong on a
 * page (those it refuses are read and passed over, as if not there). `rounds`: see MergeOptions.
 */
export async function mergeShards(
  db: DynamoDb,
  inputs: readonly QueryCommandInput[],
  options: MergeOptions,
): Promise<{ items: Item[]; more: boolean; through?: string }> {
  const { limit, sortKey } = options;
  const compare = orderOf(options);
  const first = Math.min(limit, Math.max(2, Math.ceil((2 * limit) / inputs.length)));
  const shards: Shard[] = inputs.map((input) => ({
    input,
    items: [],
    seen: undefined,
    next: undefined,
    done: false,
    batch: first,
  }));
  let pending = shards;
  let merged: Item[] = [];
  for (let round = 1; pending.length > 0; round += 1) {
    await Promise.all(pending.map((shard) => fill(db, shard, limit, options)));
    merged = shards.flatMap((shard) => shard.items).sort((a, b) => compare(sortKey(a), sortKey(b)));
    const cutoffItem = merged.length >= limit ? merged[limit - 1] : undefined;
    const cutoff = cutoffItem ? sortKey(cutoffItem) : undefined;
    pending = shards.filter((shard) => mayHoldMore(shard, cutoff, compare));
    const through =
      options.rounds !== undefined && round >= options.rounds ? frontier(pending, compare) : undefined;
    if (through !== undefined) {
      const read = merged.filter((item) => compare(sortKey(item), through) <= 0);
      return { items: read.slice(0, limit), more: true, ...(read.length < limit ? { through } : {}) };
    }
  }
  return {
    items: merged.slice(0, limit),
    more: merged.length > limit || shards.some((shard) => !shard.done),
  };
}
