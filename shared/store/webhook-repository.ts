import type { ErasureCheck, WebhookStore } from '../domain/webhook-ports.js';
import {
  carriesWords,
  type Delivery,
  DeliverySchema,
  deliveryTimeOf,
  type Subscription,
  SubscriptionSchema,
} from '../domain/webhooks.js';
import {
  type DynamoDb,
  deleteItem,
  deleteItemIf,
  getItem,
  putItem,
  putItemIf,
  queryItems,
  sendConditional,
  updateItem,
  updateItemIf,
} from './dynamo-client.js';
import { fullItems } from './hydrate.js';
import {
  DELIVERY_SHARDS,
  deliveryKey,
  Keys,
  pausedDeliveryKey,
  pausedPartitions,
  unshardedPausedKey,
  webhookKey,
  webhookRotationKey,
  webhookUrlKey,
} from './keys.js';
import { getInput } from './params/common.js';
import {
  claimQueueingInput,
  claimRotationInput,
  claimSubscriptionKeyInput,
  countFailureInput,
  deleteSubscriptionInput,
  disableSubscriptionInput,
  editSubscriptionInput,
  enableSubscriptionInput,
  forgetWordsInput,
  openBreakerInput,
  putCustomerDeliveryNoteInput,
  putDeliveryInput,
  putPausedNoteInput,
  putSubscriptionInput,
  queryDeliveriesInput,
  queryPausedNotesInput,
  querySubscriptionsInput,
  releaseQueueingInput,
  releaseSubscriptionKeyInput,
  resetBreakerInput,
  resumeDeliveryInput,
  setSecretsInput,
} from './params/webhooks.js';
import { shardedPage } from './sharded-page.js';

const KEYS = ['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'ttl'];
const strip = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k)));
const toSubscription = (item: Record<string, unknown>): Subscription => SubscriptionSchema.parse(strip(item));
const toDelivery = (item: Record<string, unknown>): Delivery => DeliverySchema.parse(strip(item));
/** A delivery's key, from its id alone (undefined for an id this code did not make). */
function keyOf(subscriptionId: string, deliveryId: string) {
  const at = deliveryTimeOf(deliveryId);
  return at ? deliveryKey(subscriptionId, deliveryId, at) : undefined;
}

/** A subscription's delete, and the mark it leaves (webhookKey `GONE`), kept so its id is never made again. */
function deletionMarks(
  db: DynamoDb,
): Pick<WebhookStore, 'deleteSubscription' | 'markDeleted' | 'wasDeleted'> {
  return {
    async deleteSubscription(id, revision) {
      if (revision !== undefined) return deleteItemIf(db, deleteSubscriptionInput(db.table, id, revision));
      await deleteItem(db, { TableName: db.table, Key: webhookKey(id) });
      return true;
    },
    async markDeleted(id, at) {
      await putItem(db, { TableName: db.table, Item: { ...webhookKey(id, 'GONE'), deletedAt: at } });
    },
    async wasDeleted(id) {
      return (await getItem(db, getInput(db.table, webhookKey(id, 'GONE'), true))).Item !== undefined;
    },
  };
}

/** A rotation's conditional write of the secrets, and the note of which subscription a keyed one is for. */
function secretRotations(db: DynamoDb): Pick<WebhookStore, 'setSecrets' | 'claimRotation'> {
  return {
    async setSecrets(id, secrets, newest) {
      return updateItemIf(db, setSecretsInput(db.table, id, secrets, newest));
    },
    async claimRotation(hash, subscriptionId, at) {
      if (await putItemIf(db, claimRotationInput(db.table, hash, subscriptionId, at))) {
        return { subscriptionId, at };
      }
      // A retry: the note of the first rotation with this key stands.
      const { Item } = await getItem(db, getInput(db.table, webhookRotationKey(hash), true));
      return { subscriptionId: String(Item?.subscriptionId), at: String(Item?.at) };
    },
  };
}

/** The notes of deliveries paused while their subscription is disabled (see pausedDeliveryKey). */
function pausedDeliveries(
  db: DynamoDb,
): Pick<WebhookStore, 'pauseDelivery' | 'resumeDelivery' | 'pausedDeliveries' | 'forgetPaused'> {
  return {
    async pauseDelivery(delivery) {
      // The note first: a delivery paused without one would never be resumed.
      await putItem(db, putPausedNoteInput(db.table, delivery));
      await putItem(db, putDeliveryInput(db.table, { ...delivery, status: 'paused' }, false));
    },
    async resumeDelivery(delivery) {
      return putItemIf(db, resumeDeliveryInput(db.table, delivery));
    },
    async pausedDeliveries(subscriptionId, limit) {
      // One more than asked, partition after partition: `more` is whether a note beyond `limit` is there.
      const ids: string[] = [];
      for (const partition of pausedPartitions(subscriptionId)) {
        if (ids.length > limit) break;
        const out = await queryItems(db, queryPausedNotesInput(db.table, partition, limit + 1 - ids.length));
        ids.push(...(out.Items ?? []).map((item) => String(item.sk)));
        // A page cut short by its size, not its Limit: more may follow.
        if (out.LastEvaluatedKey && ids.length <= limit) return { ids, more: true };
      }
      return { ids: ids.slice(0, limit), more: ids.length > limit };
    },
    async forgetPaused(subscriptionId, deliveryId) {
      await Promise.all(
        [pausedDeliveryKey, unshardedPausedKey].map((key) =>
          deleteItem(db, { TableName: db.table, Key: key(subscriptionId, deliveryId) }),
        ),
      );
    },
  };
}

/** The guards naming the one subscription of each URL and set of events (see webhookUrlKey). */
function subscriptionGuards(
  db: DynamoDb,
): Pick<WebhookStore, 'claimSubscriptionKey' | 'subscriptionKeyOwner' | 'releaseSubscriptionKey'> {
  return {
    async claimSubscriptionKey(key, id, from) {
      return putItemIf(db, claimSubscriptionKeyInput(db.table, key, id, from));
    },
    async subscriptionKeyOwner(key) {
      const out = await getItem(db, getInput(db.table, webhookUrlKey(key), true));
      return typeof out.Item?.subscriptionId === 'string' ? out.Item.subscriptionId : undefined;
    },
    async releaseSubscriptionKey(key, id) {
      // A failed condition: another subscription holds it (it took the guard over), which stands.
      await sendConditional('DeleteItem', () =>
        db.doc.delete(releaseSubscriptionKeyInput(db.table, key, id)),
      );
    },
  };
}

/**
 * A customer's deletion taking a message's words out of a delivery, an unmerge noting them under the
 * customer given back (see WebhookStore.forgetWords, noteMovedDelivery).
 */
function deletedWords(db: DynamoDb): Pick<WebhookStore, 'forgetWords' | 'noteMovedDelivery'> {
  return {
    async noteMovedDelivery(subscriptionId, deliveryId, customerId) {
      const key = keyOf(subscriptionId, deliveryId);
      const { Item } = key ? await getItem(db, getInput(db.table, key, false)) : { Item: undefined };
      const parsed = DeliverySchema.safeParse(Item);
      if (!parsed.success || parsed.data.event === undefined || parsed.data.customerId === customerId)
        return false;
      await putItem(db, putCustomerDeliveryNoteInput(db.table, { ...parsed.data, customerId }));
      return true;
    },
    async forgetWords(subscriptionId, deliveryId) {
      const key = keyOf(subscriptionId, deliveryId);
      // A failed condition: no such delivery, or its payload holds no words (any more).
      return key ? updateItemIf(db, forgetWordsInput(db.table, key)) : false;
    },
  };
}

/** The claims that queue a delivery once (see WebhookStore.claimQueueing). */
function queueClaims(
  db: DynamoDb,
): Pick<WebhookStore, 'claimQueueing' | 'releaseQueueing' | 'takeOverQueueing'> {
  return {
    async claimQueueing(subscriptionId, deliveryId, at) {
      const key = keyOf(subscriptionId, deliveryId);
      return key ? updateItemIf(db, claimQueueingInput(db.table, key, at)) : false;
    },
    async releaseQueueing(subscriptionId, deliveryId, at) {
      const key = keyOf(subscriptionId, deliveryId);
      if (key) await updateItemIf(db, releaseQueueingInput(db.table, key, at));
    },
    async takeOverQueueing(subscriptionId, deliveryId, claim, at) {
      const key = keyOf(subscriptionId, deliveryId);
      return key ? updateItemIf(db, claimQueueingInput(db.table, key, at, claim)) : false;
    },
  };
}

/**
 * Webhook subscriptions (one item each, listed in the list index and read by key) and their delivery
 * logs (an item per event and subscription, spread over DELIVERY_SHARDS partitions per subscription,
 * expiring after 30 days).
 */
export function webhookRepository(db: DynamoDb): WebhookStore & { isErased: ErasureCheck } {
  return {
    async putSubscription(subscription) {
      await putItem(db, putSubscriptionInput(db.table, subscription));
    },
    async getSubscription(id, read = 'strong') {
      const out = await getItem(db, getInput(db.table, webhookKey(id), read === 'strong'));
      return out.Item ? toSubscription(out.Item) : undefined;
    },
    async listSubscriptions() {
      const all: Subscription[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await queryItems(db, querySubscriptionsInput(db.table, startKey));
        all.push(...(await fullItems(db, out.Items ?? [])).map(toSubscription));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return all;
    },
    ...deletionMarks(db),
    ...subscriptionGuards(db),
    async countFailure(id) {
      const out = await updateItem(db, countFailureInput(db.table, id));
      return Number(out.Attributes?.consecutiveFailures ?? 0);
    },
    async openBreaker(id, until) {
      // A failed condition: a later hold is there already (or the subscription went), which stands.
      await updateItemIf(db, openBreakerInput(db.table, id, until));
    },
    async resetBreaker(id) {
      await updateItem(db, resetBreakerInput(db.table, id));
    },
    async disableSubscription(id, at, reason) {
      await updateItem(db, disableSubscriptionInput(db.table, id, at, reason));
    },
    async enableSubscription(id) {
      await updateItem(db, enableSubscriptionInput(db.table, id));
    },
    async editSubscription(id, revision, edit) {
      return updateItemIf(db, editSubscriptionInput(db.table, id, revision, edit));
    },
    ...secretRotations(db),
    async createDelivery(delivery) {
      // The notes first: a delivery written without them would escape its customer's erasure, or an
      // enable (a paused one); a note whose delivery is not there is let go by whoever reads it.
      if (delivery.event && carriesWords(delivery.event)) {
        await putItem(db, putCustomerDeliveryNoteInput(db.table, delivery));
      }
      if (delivery.status === 'paused') await putItem(db, putPausedNoteInput(db.table, delivery));
      return putItemIf(db, putDeliveryInput(db.table, delivery, true));
    },
    ...queueClaims(db),
    async getDelivery(subscriptionId, deliveryId) {
      const key = keyOf(subscriptionId, deliveryId);
      if (!key) return undefined;
      const out = await getItem(db, getInput(db.table, key, true));
      return out.Item ? toDelivery(out.Item) : undefined;
    },
    ...deletedWords(db),
    async updateDelivery(delivery) {
      await putItem(db, putDeliveryInput(db.table, delivery, false));
    },
    ...pausedDeliveries(db),
    async listDeliveries(subscriptionId, page) {
      const found = await shardedPage(db, DELIVERY_SHARDS, page, (shard, limit, before) =>
        queryDeliveriesInput(db.table, subscriptionId, shard, { limit, before, status: page.status }),
      );
      return { items: found.items.map(toDelivery), cursor: found.cursor };
    },
    async isErased(customerId) {
      const out = await getItem(db, getInput(db.table, Keys.customer(customerId), false));
      // From the first erase call (erasingSince), not only once the tombstone is written.
      return out.Item?.entity === 'erased_customer' || out.Item?.erasingSince !== undefined;
    },
  };
}

/**
 * Every subscription, read at most once per `ttlMs` (per Lambda container): the feed asks for them on
 * every change, and a business has a handful. A new or changed subscription is seen within `ttlMs`.
 */
export function cachedSubscriptions(
  store: Pick<WebhookStore, 'listSubscriptions'>,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<Subscription[]> {
  let cached: { at: number; list: Promise<Subscription[]> } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ttlMs) {
      const list = store.listSubscriptions();
      cached = { at: now(), list };
      list.catch(() => {
        if (cached?.list === list) cached = undefined;
      });
    }
    return cached.list;
  };
}
