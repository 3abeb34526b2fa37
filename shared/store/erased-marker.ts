import type { Channel } from '../domain/envelope.js';
import { getItems } from './batch-get.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';

/**
 * Whether an erasure's marker holds a provider reference (see `markErasedMessageInput`): one eventually
 * consistent read of the marker, under the hash of the reference's key. With `earlier`, the reference's
 * own key too, where erasures before the markers were hashed left theirs (kept 14 days): both in one
 * BatchGetItem, so the call count is the same.
 */
export async function erasedReference(
  db: DynamoDb,
  channel: Channel,
  id: string,
  earlier = false,
): Promise<boolean> {
  const marker = Keys.erasedMessage(channel, id);
  if (!earlier) return (await getItem(db, getInput(db.table, marker))).Item?.erasedAt !== undefined;
  const found = await getItems(db, [marker, Keys.messageRef(channel, id)]);
  return found.some((item) => item.erasedAt !== undefined);
}
