import { decodeReplyKey } from '../domain/reply-key.js';
import type { SentMessage, SentReference } from '../domain/resolver-ports.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { erasedReference } from './erased-marker.js';
import { Keys, referencedItemKey, replyTimelineKey } from './keys.js';
import { getInput } from './params/common.js';

/**
 * The item read (in `customerId`'s partition: a reply's item leaves its customer to its key) as the
 * message we sent under that provider id: an outbound item of the channel carrying the id, or (a
 * key's item only) one still held by its send, the id not recorded yet.
 */
function sentOf(
  item: Record<string, unknown> | undefined,
  customerId: string,
  sent: SentReference,
  leased: boolean,
): SentMessage | undefined {
  if (item?.direction !== 'outbound' || item.channel !== sent.channel) return undefined;
  const ours =
    item.providerMessageId === sent.providerMessageId ||
    (leased && item.providerMessageId === undefined && item.sendLeaseUntil !== undefined);
  if (!ours) return undefined;
  const conversationId = typeof item.conversationId === 'string' ? item.conversationId : undefined;
  return { customerId, ...(conversationId ? { conversationId } : {}) };
}

/**
 * Finds the message we sent that a provider's event names (see ResolverStore.sentMessage), in
 * eventually consistent reads (the event comes after the send was recorded): by the reply's key when
 * the event carries one, one read of the reply's item, which must carry the event's provider id (the
 * key comes from outside) or be in the middle of its send; else, or when the key's item is not that,
 * the message reference the sender linked (`MESSAGE#<channel>#<id>`, one read; none there, its erased
 * marker, one read, answers `erased`) and the timeline item it points to (one read). At most three
 * reads, no query.
 */
export async function findSentMessage(
  db: DynamoDb,
  sent: SentReference,
): Promise<SentMessage | 'erased' | undefined> {
  const target = decodeReplyKey(sent.replyKey);
  if (target) {
    const key = replyTimelineKey({ id: target.replyId, customerId: target.customerId, at: target.at });
    const found = sentOf((await getItem(db, getInput(db.table, key))).Item, target.customerId, sent, true);
    if (found) return found;
  }
  const ref = (await getItem(db, getInput(db.table, Keys.messageRef(sent.channel, sent.providerMessageId))))
    .Item;
  if (ref?.erasedAt !== undefined) return 'erased';
  // No reference: an erasure's marker (kept apart, under a hash of the reference) says why (one read more).
  if (!ref && (await erasedReference(db, sent.channel, sent.providerMessageId))) return 'erased';
  if (typeof ref?.customerId !== 'string' || typeof ref.timelineSk !== 'string') return undefined;
  const key = referencedItemKey({ customerId: ref.customerId, timelineSk: ref.timelineSk });
  return sentOf((await getItem(db, getInput(db.table, key))).Item, ref.customerId, sent, false);
}
