import * as z from 'zod';
import { nextConversationId } from '../domain/conversation.js';
import { followMerges } from '../domain/merge-walks.js';
import { StringSetSchema } from '../domain/string-set.js';
import { GoneError, NotFoundError } from '../errors.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';
import { queryMembershipsInput } from './params/customers.js';

export const RawProfileSchema = z.looseObject({
  entity: z.string(),
  id: z.string(),
  identities: StringSetSchema,
  channels: StringSetSchema,
  conversationIds: StringSetSchema,
  mentioned: StringSetSchema,
  mergedFrom: StringSetSchema,
  mergedInto: z.string().optional(),
  tags: StringSetSchema,
  /** The tags merges gave this customer, `<merged-in id>#<tag>` (see `tagsToCarry`): an unmerge takes them back. */
  mergedTags: StringSetSchema,
  /** Set while an unmerge gives this customer back what it sent while merged into that one. */
  unmergingFrom: z.string().optional(),
  /** On a merged group's root: the sources of the unmerges under way in the group (an erasure waits). */
  unmergingSources: StringSetSchema,
  /** Where a paused unmerge stopped reading the target's timeline (a sort key). */
  unmergeCursor: z.string().optional(),
  unmergedAt: z.string().optional(),
  /** The customer this one was last unmerged from. */
  unmergedFrom: z.string().optional(),
  openConversationId: z.string().optional(),
});
/**
 * A profile item with the sets merges and erasures walk (identity tokens, mentions, tags). `conversationIds`
 * is only on profiles written before conversations became membership items; see `conversationIdsOf`.
 */
export type RawProfile = z.infer<typeof RawProfileSchema>;

/**
 * Reads a profile strongly: NotFoundError when there is none, GoneError when it was erased or is being
 * erased (but for the erasure itself, `whileErasing`).
 */
export async function readRawProfile(
  db: DynamoDb,
  customerId: string,
  options: { whileErasing?: boolean } = {},
): Promise<RawProfile> {
  return RawProfileSchema.parse(await readProfileItem(db, customerId, options));
}

/** The profile item as stored (every attribute, no default added), read as `readRawProfile` reads it. */
export async function readProfileItem(
  db: DynamoDb,
  customerId: string,
  options: { whileErasing?: boolean } = {},
): Promise<Record<string, unknown>> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  if (!out.Item) throw new NotFoundError(`no customer ${customerId}`);
  if (out.Item.entity === 'erased_customer') throw new GoneError(`customer ${customerId} was erased`);
  if (out.Item.erasingSince !== undefined && !options.whileErasing) {
    throw new GoneError(`customer ${customerId} is being erased`);
  }
  return out.Item;
}

/**
 * Whether a customer is gone: erased (a tombstone) or being erased (from the first erase call). A
 * missing profile is not (one strong read).
 */
export async function isCustomerGone(db: DynamoDb, customerId: string): Promise<boolean> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  return out.Item?.entity === 'erased_customer' || out.Item?.erasingSince !== undefined;
}

/** The customer that stands for this one now (after its merges), and its profile. */
export function readRootProfile(
  db: DynamoDb,
  customerId: string,
): Promise<{ customerId: string; profile: RawProfile }> {
  return followMerges((id) => readRawProfile(db, id), customerId);
}

/**
 * Every conversation of one profile's partition (some may not exist): the customer's first, whose id
 * follows from theirs and has no membership item, its membership items, page after page, and the
 * `conversationIds` set a profile written before them still carries (read, never written again).
 */
export async function conversationIdsOf(db: DynamoDb, profile: RawProfile): Promise<string[]> {
  const ids = new Set([nextConversationId(profile.id, undefined), ...profile.conversationIds]);
  for (const item of await queryAll(db, queryMembershipsInput(db.table, profile.id))) {
    if (typeof item.conversationId === 'string') ids.add(item.conversationId);
  }
  return [...ids];
}
