import { syncAgentLoadOf } from './agent-load.js';
import { legacyCustomerListKey } from './customer-list.js';
import { type DynamoDb, deleteItemIf, getItem, queryItems } from './dynamo-client.js';
import { type ErasureDb, type ErasureDeps, ErasurePaused, forgetLiveEvents, remove } from './erasure.js';
import { retryKeysOf } from './keyed-notes.js';
import { Keys, providerReferencesOf, suggestionKey } from './keys.js';
import { nameWordKeys } from './name-words.js';
import { queryAll } from './paging.js';
import { getInput } from './params/common.js';
import { queryTimelineItemsInput } from './params/privacy.js';
import { queryRawPayloadsInput } from './params/timeline.js';
import { conversationIdsOf, RawProfileSchema } from './raw-profile.js';
import { threadLinksOf } from './thread-link-notes.js';
import { forgetDeliveryPayloads } from './webhook-erasure.js';

/** Deletes a sweep makes at most: a message begun before an erasure writes a handful of items. */
const SWEEP_DELETES = 1000;

/** What a sweep found: the tombstone (swept), an erasure still under way, or no erased customer. */
export type SweepOutcome = 'swept' | 'erasing' | 'none';

/**
 * Deletes a provider reference or an email thread link only while it names the erased customer: one a
 * later delivery of the same message moved to the new customer (see `placeTimelineItem`) is theirs.
 * No erased marker is left: the message is one the person sent during the erasure, which their new
 * customer takes when the queue delivers it again.
 */
async function removeIfTheirs(db: ErasureDb, key: { pk: string; sk: string }, customerId: string) {
  if (db.budget.left <= 0) throw new ErasurePaused();
  const input = {
    TableName: db.table,
    Key: key,
    ConditionExpression: 'customerId = :customer',
    ExpressionAttributeValues: { ':customer': customerId },
  };
  // The condition holds only on an item there: a delete that went through spends the budget.
  if (await deleteItemIf(db, input)) db.budget.left -= 1;
}

/**
 * One erased partition swept: what a resolver that read the profile before the erasure began wrote
 * after the erasure's steps had passed (its profile write is refused, so the event is retried and
 * starts a new customer, but its earlier writes landed): timeline items with their raw payloads and
 * references, conversations and their memberships, the name's word entries, the list entry,
 * suggestions, live-log and webhook-delivery notes. Each delete is free when there is nothing.
 */
async function sweepPartition(db: ErasureDb, deps: Pick<ErasureDeps, 'suggestions'>, customerId: string) {
  const profile = RawProfileSchema.parse({ entity: 'erased_customer', id: customerId });
  for (const key of nameWordKeys(customerId)) await remove(db, key);
  await remove(db, legacyCustomerListKey(customerId));
  for (const suggestion of await deps.suggestions.suggestionsOn(customerId)) {
    await remove(db, suggestionKey(suggestion.otherId, customerId));
    await remove(db, suggestionKey(customerId, suggestion.otherId));
  }
  for (const item of await queryAll(db, queryRawPayloadsInput(db.table, customerId, 'aside'))) {
    await remove(db, { pk: String(item.pk), sk: String(item.sk) });
  }
  // A conversation an item names goes before the item: one the message opened may have no membership
  // yet (written later), so a sweep stopped after the item would not find it again.
  const gone = new Set<string>();
  const forgetConversation = async (conversationId: string) => {
    if (gone.has(conversationId)) return;
    gone.add(conversationId);
    await syncAgentLoadOf(db, conversationId, { gone: true });
    await remove(db, Keys.conversation(conversationId));
    await remove(db, Keys.membership(customerId, conversationId));
  };
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await queryItems(db, queryTimelineItemsInput(db.table, customerId, startKey));
    for (const item of out.Items ?? []) {
      for (const key of [...providerReferencesOf(item), ...threadLinksOf(item)]) {
        await removeIfTheirs(db, key, customerId);
      }
      if (item.channel === 'webchat' && typeof item.providerMessageId === 'string') {
        await remove(db, Keys.webchatMessage(item.providerMessageId));
      }
      for (const key of retryKeysOf(item)) await remove(db, key);
      if (typeof item.conversationId === 'string') await forgetConversation(item.conversationId);
      await remove(db, { pk: String(item.pk), sk: String(item.sk) });
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  for (const conversationId of await conversationIdsOf(db, profile)) await forgetConversation(conversationId);
  await forgetLiveEvents(db, customerId, { liveEvents: 0 });
  await forgetDeliveryPayloads(db, customerId, {
    spend: () => {
      if (db.budget.left <= 0) throw new ErasurePaused();
      db.budget.left -= 1;
    },
    remove: (key) => remove(db, key),
  });
}

/**
 * The erasure's second pass, after a grace window (see `sweep-erasure`): every partition the
 * tombstone's report names (the customer asked for and those merged with them) swept again. Answers
 * `erasing` while the erasure is still under way (the sweep comes again later) and `none` when there
 * is no tombstone. Throws when its deletes run out, so the timer's queue tries it again; every step is
 * safe to repeat.
 */
export async function sweepErased(
  db: DynamoDb,
  deps: Pick<ErasureDeps, 'suggestions'>,
  customerId: string,
  now: string,
): Promise<SweepOutcome> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  if (out.Item?.entity === 'customer' && out.Item.erasingSince !== undefined) return 'erasing';
  if (out.Item?.entity !== 'erased_customer') return 'none';
  const named = out.Item.customerIds;
  const ids = Array.isArray(named) ? named.filter((id): id is string => typeof id === 'string') : [];
  const sweeping: ErasureDb = { ...db, budget: { left: SWEEP_DELETES }, cursor: undefined, now };
  for (const id of ids.length > 0 ? ids : [customerId]) await sweepPartition(sweeping, deps, id);
  return 'swept';
}
