import { replyItemId } from '../domain/replies.js';
import { encodeReplyKey } from '../domain/reply-key.js';
import { isEchoOfPendingReply } from '../domain/resolution.js';
import {
  type PlacedTimelineItem,
  type TimelineItem,
  timelineAtOf,
  timelineItemOfImage,
} from '../domain/timeline.js';
import { loggedId, logger } from '../log.js';
import { type DynamoDb, queryItems, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { queryRecentTimelineInput } from './params/conversation-state.js';
import { pointEchoAtReplyInput } from './params/replies.js';

/** How many of the customer's latest items the echo looks among for our reply being sent. */
export const PENDING_ECHO_LOOKBACK = 12;

/**
 * The echo of our reply that overtook the sender (Instagram: no `metadata` comes back), known when the
 * echo has just claimed its message reference for itself: one bounded query of the customer's latest
 * items for a reply of ours in the middle of its send with the echo's content (`isEchoOfPendingReply`;
 * the oldest, when several). Found, the reference is pointed at the reply (the sender's link, made
 * after the provider answers, keeps it) and the reply's key answered, for the echo to record `sent` by
 * it; nothing else is written. Undefined, and nothing written, for anything else (a person's answer).
 * An item of the look that does not read as a timeline item is logged and passed over.
 */
export async function echoOfPendingReply(
  db: DynamoDb,
  echo: TimelineItem,
  echoSk: string,
): Promise<string | undefined> {
  if (!echo.providerMessageId || !echo.channel) return undefined;
  const out = await queryItems(
    db,
    queryRecentTimelineInput(db.table, echo.customerId, PENDING_ECHO_LOOKBACK),
  );
  const pk = Keys.customer(echo.customerId).pk;
  const replies = (out.Items ?? []).flatMap((stored): Array<PlacedTimelineItem & { sk: string }> => {
    const sk = String(stored.sk);
    // The query reads no `pk`: an item that keeps its customer in its key only (an AI reply) gets it back.
    const item = timelineItemOfImage(stored, { pk, sk });
    if (!item) {
      // One unreadable item is passed over: it must never keep the echo itself from being recorded.
      logger.warn('timeline item unreadable; passed over in the look for a pending reply', {
        customerId: echo.customerId,
        // The key ends with the item's id, which may hold a provider's id (personal data): hashed.
        sk: loggedId(sk),
      });
      return [];
    }
    return [{ sk, item, placedAt: timelineAtOf(sk, item.id) ?? item.at }];
  });
  // Newest first: the last match is the oldest reply still being sent.
  const reply = replies.filter((one) => isEchoOfPendingReply(echo, one)).at(-1);
  const key =
    reply &&
    encodeReplyKey({
      customerId: echo.customerId,
      at: reply.placedAt,
      replyId: reply.item.id.slice(replyItemId('').length),
    });
  if (!reply || !key) return undefined;
  const reference = { channel: echo.channel, providerMessageId: echo.providerMessageId };
  const target = { customerId: echo.customerId, timelineSk: reply.sk };
  await updateItemIf(db, pointEchoAtReplyInput(db.table, reference, echoSk, target));
  return key;
}
