import type { Identity } from '../domain/envelope.js';
import { UnavailableError } from '../errors.js';
import { type DynamoDb, getItem, putItemIf, updateItemReturningIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { linkMessageRefInput } from './params/timeline.js';

type Item = Record<string, unknown>;

/**
 * Whether a customer an item still names was erased (their tombstone, one strong read); UnavailableError
 * (`customer_erased_meanwhile`) while their erasure is under way, so the event waits for it to end. Read
 * only when an item names another customer than the event's: never on a message's usual path.
 */
async function erasedHolder(db: DynamoDb, customerId: string): Promise<boolean> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), true));
  if (out.Item?.entity === 'erased_customer') return true;
  if (out.Item?.erasingSince === undefined) return false;
  throw new UnavailableError(`customer ${customerId} is being erased; the event waits for it to finish`, {
    code: 'customer_erased_meanwhile',
  });
}

/**
 * A provider reference that names an erased customer (the linked item `linked`) when it should name
 * `target`: written by a delivery that read the profile before the erasure began and landed after the
 * erasure's steps (its profile write refused, the event retried as a new customer). The reference is
 * moved to the event's customer (conditional on still naming the erased one) and answered; another
 * customer's, or an erased one's moved first, is answered as it is.
 */
export async function referenceFromErased(
  db: DynamoDb,
  reference: { channel: Parameters<typeof linkMessageRefInput>[1]; id: string },
  linked: Item,
  target: { customerId: string; timelineSk: string },
): Promise<Item> {
  const holder = linked.customerId;
  if (typeof holder !== 'string' || holder === target.customerId) return linked;
  if (!(await erasedHolder(db, holder))) return linked;
  const moved = await updateItemReturningIf(db, {
    TableName: db.table,
    Key: Keys.messageRef(reference.channel, reference.id),
    UpdateExpression: 'SET customerId = :to, timelineSk = :sk',
    ConditionExpression: 'customerId = :from',
    ExpressionAttributeValues: { ':to': target.customerId, ':sk': target.timelineSk, ':from': holder },
    ReturnValues: 'ALL_NEW',
  });
  if (moved) return moved;
  // Moved by another delivery, or deleted by the erasure's second pass: linked again, first write wins.
  const input = linkMessageRefInput(db.table, reference.channel, reference.id, target);
  return (await updateItemReturningIf(db, input)) ?? linked;
}

/**
 * Takes over an identity an erased customer holds for `customerId`: claimed for them by a delivery that
 * read their profile before their erasure began, after the erasure had deleted their identities (an
 * `alsoKnownAs` of the message, such as a WhatsApp BSUID), so nobody else can hold it. The item is
 * replaced only while it still names the erased customer; false when the holder is not erased (still
 * contested, as before), UnavailableError while their erasure is under way.
 */
export async function takeOverErasedIdentity(
  db: DynamoDb,
  identity: Identity,
  holder: string,
  customerId: string,
  now: string,
): Promise<boolean> {
  if (!(await erasedHolder(db, holder))) return false;
  return putItemIf(db, {
    TableName: db.table,
    Item: { ...Keys.identity(identity), entity: 'identity', ...identity, customerId, createdAt: now },
    ConditionExpression: 'customerId = :from',
    ExpressionAttributeValues: { ':from': holder },
  });
}
