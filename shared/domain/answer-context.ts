import { aiReplyId, replyItemId } from './replies.js';
import { routeItemId } from './routing/routable.js';
import type { TimelineItem } from './timeline.js';

const isInboundMessage = (item: TimelineItem) => item.type === 'message' && item.direction === 'inbound';

/**
 * The timeline the responder reads to answer `item`: what came before it, then the item itself,
 * last. WhatsApp times a message to the second (Twilio's SMS by its arrival, others to the
 * millisecond), so a message can carry the same time as an earlier one already answered, and an
 * earlier time than that answer: read by time, the earlier question is unanswered again, or the
 * answer comes after the message. So the only customer message left to answer is `item`: another
 * is kept only when routing dealt with it (its decision or the AI's reply to it is there) and it is
 * not timed after `item`, since one being routed beside it (or after it) gets its own answer; and
 * what is timed after `item` but already there (an answer, a hand-off) happened before it arrived,
 * so it is read at `item`'s time, before it.
 */
export function timelineToAnswer(recent: readonly TimelineItem[], item: TimelineItem): TimelineItem[] {
  const ids = new Set(recent.map((i) => i.id));
  const dealtWith = (i: TimelineItem) => ids.has(routeItemId(i.id)) || ids.has(replyItemId(aiReplyId(i.id)));
  const before = recent.filter(
    (i) => i.id !== item.id && (!isInboundMessage(i) || (i.at <= item.at && dealtWith(i))),
  );
  return [...before.map((i) => (i.at > item.at ? { ...i, at: item.at } : i)), item];
}
