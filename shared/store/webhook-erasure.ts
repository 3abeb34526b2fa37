import { DeliverySchema, deliveryTimeOf } from '../domain/webhooks.js';
import { drainNotes } from './drain-notes.js';
import { type DynamoDb, getItem, putItem } from './dynamo-client.js';
import { deliveryKey } from './keys.js';
import { getInput } from './params/common.js';
import { putDeliveryInput, queryCustomerDeliveryNotesInput } from './params/webhooks.js';

/** Notes of a customer's deliveries read per page by an erasure (each deleted once its delivery is stripped). */
const NOTES_PAGE = 100;

/** What stripping the deliveries needs of the erasure: its budget's writes and deletes. */
export interface DeliveryStripping {
  /** Spends one of the call's writes (throws once they are spent: the erasure pauses). */
  spend(): void;
  /** Deletes an item through the erasure's budget. */
  remove(key: { pk: string; sk: string }): Promise<unknown>;
}

/**
 * Takes the customer's words out of the webhook delivery log at once: every delivery noted under them
 * (those whose payload holds a message's text or a survey's comment, whatever their status, their
 * subscription deleted or not) is read strongly and rewritten without its payload, a pending or paused
 * one `cancelled` (`customer erased`), then the note is deleted. A delivery already stripped (by its
 * own turn, an earlier call) costs no write, so a resumed erasure repeats this freely.
 */
export async function forgetDeliveryPayloads(
  db: DynamoDb,
  customerId: string,
  erasure: DeliveryStripping,
): Promise<void> {
  await drainNotes(
    db,
    queryCustomerDeliveryNotesInput(db.table, customerId, NOTES_PAGE),
    async (note) => {
      const [subscriptionId = '', deliveryId = ''] = String(note.sk).split('#');
      const at = deliveryTimeOf(deliveryId);
      if (at) await stripDelivery(db, deliveryKey(subscriptionId, deliveryId, at), customerId, erasure);
    },
    erasure.remove,
  );
}

/**
 * Rewrites one delivery without its payload (cancelled if it was still to be sent), naming the customer
 * erased: one made under another's id while the two were merged (the erased one's words, or our reply
 * to them, given back by an unmerge) is theirs, so a replay refused is audited under them.
 */
async function stripDelivery(
  db: DynamoDb,
  key: { pk: string; sk: string },
  customerId: string,
  erasure: DeliveryStripping,
): Promise<void> {
  const { Item } = await getItem(db, getInput(db.table, key, true));
  if (!Item || Item.event === undefined) return;
  const { event: _payload, ...stored } = DeliverySchema.parse(Item);
  const delivery = { ...stored, customerId };
  const waiting = delivery.status === 'pending' || delivery.status === 'paused';
  const { nextAttemptAt: _n, ...rest } = delivery;
  erasure.spend();
  await putItem(
    db,
    putDeliveryInput(
      db.table,
      waiting ? { ...rest, status: 'cancelled', lastError: 'customer erased' } : delivery,
      false,
    ),
  );
}
