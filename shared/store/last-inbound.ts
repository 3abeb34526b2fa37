import { firstReplyTo, isOwnMail, otherReplyTos } from '../domain/email-reply.js';
import type { Channel } from '../domain/envelope.js';
import type { TimelineItem } from '../domain/timeline.js';
import { toTimelineItem } from './delivery-status.js';
import type { DynamoDb } from './dynamo-client.js';
import { LOOK_BACK_PAGES, readBack } from './paging.js';
import { LAST_INBOUND_LOOKBACK, queryLastInboundInput } from './params/timeline.js';

type Stored = Record<string, unknown>;

/** The pages the look for the latest inbound message reads in turn (see `readBack`). */
export const LAST_INBOUND_PAGES: readonly number[] = LOOK_BACK_PAGES;

/**
 * The customer's latest inbound message on a channel, in a conversation if named (within their last
 * LAST_INBOUND_LOOKBACK items): of email, the latest of their own (`isOwnMail`: automatic, list and
 * quarantined mail are passed over), and in a conversation with the other Reply-To addresses its sender
 * named there as `data.otherReplyTo` (`otherReplyTos`, not stored). Read from the newest item back, in
 * pages of LAST_INBOUND_PAGES, stopping once the answer is known (`settled`): DynamoDB bills every item
 * a query reads, mail bodies and all, whatever a projection or filter keeps, so the saving is in items
 * not read. A customer whose latest email is among their last 10 items costs those 10, however many
 * they wrote before. With `upTo` (the conversation's `lastInboundAt`), the look starts at that time: a
 * conversation's latest email is found first, however many items the customer has had since in others.
 */
export async function lastInbound(
  db: DynamoDb,
  customerId: string,
  channel: Channel,
  conversationId?: string,
  upTo?: string,
): Promise<TimelineItem | undefined> {
  const input = queryLastInboundInput(db.table, customerId, channel, conversationId, upTo);
  const own = (items: readonly Stored[]) =>
    channel === 'email' ? items.filter((stored) => isOwnMail(stored)) : [...items];
  const found = own(
    await readBack(db, input, LAST_INBOUND_LOOKBACK, (read) => settled(own(read), channel, conversationId)),
  );
  const [item, ...earlier] = found;
  if (!item) return undefined;
  const latest = withThreadSubject(toTimelineItem(item), earlier);
  // In one conversation: the other Reply-To addresses its sender named (see replyDestination).
  const others = conversationId && channel === 'email' ? otherReplyTos(item, earlier) : [];
  return others.length ? { ...latest, data: { ...latest.data, otherReplyTo: others } } : latest;
}

/**
 * Whether the items found (newest first) decide as the whole lookback would: the latest message, and
 * of email a subject for the thread (its own or an earlier email's), and in a conversation, when its
 * sender named a Reply-To, whether they named another there: the first other Reply-To found settles it
 * (a reply that would follow the Reply-To is refused, naming those of the pages read, up to 3); only a
 * sender who named no other reads the whole lookback, the one way to know there is none.
 */
function settled(found: readonly Stored[], channel: Channel, conversationId: string | undefined): boolean {
  const [item, ...earlier] = found;
  if (!item) return false;
  if (channel !== 'email') return true;
  if (subjectOf(item) === undefined && !earlier.some((stored) => subjectOf(stored) !== undefined))
    return false;
  if (!conversationId || firstReplyTo(item) === undefined) return true;
  return otherReplyTos(item, earlier).length > 0;
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
