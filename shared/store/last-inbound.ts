import { firstReplyTo, isOwnMail, MAX_OTHER_REPLY_TO, otherReplyTos } from '../domain/email-reply.js';
import type { Channel } from '../domain/envelope.js';
import type { TimelineItem } from '../domain/timeline.js';
import { toTimelineItem } from './delivery-status.js';
import { type DynamoDb, queryItems } from './dynamo-client.js';
import { LAST_INBOUND_LOOKBACK, queryLastInboundInput } from './params/timeline.js';

type Stored = Record<string, unknown>;

/**
 * The pages (items read, newest first) the look for the latest inbound message reads in turn until it
 * has its answer, within LAST_INBOUND_LOOKBACK: a small first one, where the message a reply answers
 * nearly always is, then larger ones (fewer calls for an answer further back).
 */
export const LAST_INBOUND_PAGES: readonly number[] = [10, 30, 60];

/**
 * The customer's latest inbound message on a channel, in a conversation if named (within their last
 * LAST_INBOUND_LOOKBACK items): of email, the latest of their own (`isOwnMail`: automatic, list and
 * quarantined mail are passed over), and in a conversation with the other Reply-To addresses its sender
 * named there as `data.otherReplyTo` (`otherReplyTos`, not stored). Read from the newest item back, in
 * pages of LAST_INBOUND_PAGES, stopping once the answer is known (`settled`): DynamoDB bills every item
 * a query reads, mail bodies and all, whatever a projection or filter keeps, so the saving is in items
 * not read. A customer whose latest email is among their last 10 items costs those 10, however many
 * they wrote before.
 */
export async function lastInbound(
  db: DynamoDb,
  customerId: string,
  channel: Channel,
  conversationId?: string,
): Promise<TimelineItem | undefined> {
  const input = queryLastInboundInput(db.table, customerId, channel, conversationId);
  const found: Stored[] = [];
  let startKey: Stored | undefined;
  let read = 0;
  for (let page = 0; read < LAST_INBOUND_LOOKBACK; page++) {
    const size = LAST_INBOUND_PAGES[Math.min(page, LAST_INBOUND_PAGES.length - 1)] ?? LAST_INBOUND_LOOKBACK;
    const out = await queryItems(db, {
      ...input,
      Limit: Math.min(size, LAST_INBOUND_LOOKBACK - read),
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    const scanned = out.ScannedCount ?? out.Items?.length ?? 0;
    read += scanned;
    found.push(...(out.Items ?? []).filter((stored) => channel !== 'email' || isOwnMail(stored)));
    startKey = out.LastEvaluatedKey;
    if (!startKey || scanned === 0 || settled(found, channel, conversationId)) break;
  }
  const [item, ...earlier] = found;
  if (!item) return undefined;
  const latest = withThreadSubject(toTimelineItem(item), earlier);
  // In one conversation: the other Reply-To addresses its sender named (see replyDestination).
  const others = conversationId && channel === 'email' ? otherReplyTos(item, earlier) : [];
  return others.length ? { ...latest, data: { ...latest.data, otherReplyTo: others } } : latest;
}

/**
 * Whether the items found (newest first) answer as the whole lookback would: the latest message, and
 * of email a subject for the thread (its own or an earlier email's), and in a conversation, when its
 * sender named a Reply-To, every other Reply-To they named there (`otherReplyTos` looks through the
 * lookback for them until it has 3: a contact form's mail reads it all, as before).
 */
function settled(found: readonly Stored[], channel: Channel, conversationId: string | undefined): boolean {
  const [item, ...earlier] = found;
  if (!item) return false;
  if (channel !== 'email') return true;
  if (subjectOf(item) === undefined && !earlier.some((stored) => subjectOf(stored) !== undefined))
    return false;
  if (!conversationId || firstReplyTo(item) === undefined) return true;
  return otherReplyTos(item, earlier).length >= MAX_OTHER_REPLY_TO;
}

const subjectOf = (stored: Stored): string | undefined => {
  const subject = ((stored.data ?? {}) as Record<string, unknown>).subject;
  return typeof subject === 'string' ? subject : undefined;
};

/**
 * An inbound email without a subject, with the subject of the newest of `earlier` (its conversation's
 * or customer's earlier inbound emails, newest first) that has one as `data.threadSubject`, not stored:
 * a reply to it keeps the thread's subject. Any other item as it is.
 */
function withThreadSubject(item: TimelineItem, earlier: readonly Stored[]): TimelineItem {
  if (item.channel !== 'email' || typeof item.data?.subject === 'string') return item;
  const threadSubject = earlier.map(subjectOf).find((subject) => subject !== undefined);
  return threadSubject ? { ...item, data: { ...item.data, threadSubject } } : item;
}
