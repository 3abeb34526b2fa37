import type { ChangeRecord } from '../domain/change-feed.js';
import { identityToken } from '../domain/identity.js';
import { type TimelineItem, timelineItemOfImage } from '../domain/timeline.js';
import {
  conversationSubject,
  forAnonymousVisitor,
  isUnverifiedVisitor,
} from '../domain/webchat/anonymous-view.js';
import type { VisitorConnections, VisitorPush, VisitorReads } from '../domain/webchat/live-ports.js';
import { visitorFrames } from '../domain/webchat/visitor-view.js';

/** What the fan-out needs: the visitors' connections, the way to reach them, and whether the AI answers. */
export interface VisitorFanOutDeps {
  connections: VisitorConnections;
  push: VisitorPush;
  /** Whether routing runs (the AI may answer): the AI's typing indicator is shown only then. */
  aiAnswers: boolean;
  /** The message a web-chat hand-off decided (its writer says whose the hand-off is). */
  getTimelineItem: VisitorReads['getTimelineItem'];
}

const CUSTOMER_PREFIX = 'CUSTOMER#';

/** The timeline item a change record writes, or undefined for any other item (or a removal). */
function timelineItemOf(record: ChangeRecord): { item: TimelineItem; customerId: string } | undefined {
  if (
    !record.newImage ||
    !record.keys.pk.startsWith(CUSTOMER_PREFIX) ||
    !record.keys.sk.startsWith('TIMELINE#')
  ) {
    return undefined;
  }
  const item = timelineItemOfImage(record.newImage, record.keys);
  return item ? { item, customerId: record.keys.pk.slice(CUSTOMER_PREFIX.length) } : undefined;
}

/**
 * Sends each change of a customer's timeline that a visitor may see (their messages, our replies and
 * their statuses, the AI's typing) to the visitors following that customer. A visitor's own message
 * also tells the visitors of that identity which customer they are, so a new visitor's socket follows
 * their timeline from their first message. An anonymous visitor (`webchat_visitor`) never follows the
 * customer: anyone can type anyone's email in the pre-chat form, and an agent may merge on it. Their
 * socket gets their own messages, our replies for them (by identity, `to`) and the hand-offs of their
 * messages, and follows the conversations they write in for replies that name nobody
 * (inAnonymousView): never another channel's or another visitor's message or hand-off; and what is
 * theirs never reaches the customer's verified visitors (inVerifiedView).
 * A write that changes nothing the visitor sees of an item sends nothing.
 * Connections that are gone are dropped. Called by the change-feed consumer (the agents' live stream
 * function on AWS, the local runtime's feed).
 */
export async function fanOutToVisitors(
  deps: VisitorFanOutDeps,
  records: readonly ChangeRecord[],
): Promise<void> {
  for (const record of records) {
    const change = timelineItemOf(record);
    if (!change) continue;
    const { item, customerId } = change;
    const anonymous = await anonymousVisitorsOf(deps, item);
    if (record.kind === 'insert' && item.type === 'message' && item.direction === 'inbound' && item.from) {
      const conversationId = item.conversationId;
      if (item.from.kind !== 'webchat_visitor') {
        for (const id of await deps.connections.ofIdentity(identityToken(item.from))) {
          await deps.connections.follow(id, customerId);
        }
      } else if (conversationId) {
        for (const id of anonymous) await deps.connections.follow(id, conversationSubject(conversationId));
      }
    }
    const frames = visitorFrames(item, { inserted: record.kind === 'insert', aiAnswers: deps.aiAnswers });
    if (frames.length === 0 || unchangedForVisitor(record, frames, deps.aiAnswers)) continue;
    const targets = await targetsOf(deps, { item, customerId }, anonymous);
    // An anonymous visitor is shown conversations by an opaque id (see anonymousConversationId).
    const shown = frames.map(forAnonymousVisitor);
    for (const [ids, sent] of [
      [targets.verified, frames],
      [targets.anonymous, shown],
    ] as const) {
      for (const id of ids) if ((await deps.push.push(id, sent)) === 'gone') await deps.push.drop(id);
    }
  }
}

/**
 * Whether a change to an item leaves what the visitor sees of it as it was: the item's other fields
 * written (its provider's reference, a delivery's time), not its text, status or files. Such a write
 * pushes nothing; before, each status came twice (queued, queued, delivered, delivered, read).
 */
function unchangedForVisitor(record: ChangeRecord, frames: readonly unknown[], aiAnswers: boolean): boolean {
  if (record.kind !== 'modify' || !record.oldImage) return false;
  const before = timelineItemOfImage(record.oldImage, record.keys);
  if (!before) return false;
  return JSON.stringify(visitorFrames(before, { inserted: false, aiAnswers })) === JSON.stringify(frames);
}

/**
 * Who is shown a change: what belongs to an anonymous visitor (their message, our reply for them:
 * `to`, the hand-off of their message and the AI's typing it turns off) only that visitor's
 * connections; anything else the verified visitors following the customer, and, of a web-chat reply
 * stored before replies named their visitor, the anonymous visitors following its conversation.
 */
async function targetsOf(
  deps: VisitorFanOutDeps,
  { item, customerId }: { item: TimelineItem; customerId: string },
  anonymous: readonly string[],
): Promise<{ verified: Set<string>; anonymous: Set<string> }> {
  const none = new Set<string>();
  if (item.type === 'message') {
    const owner = item.direction === 'inbound' ? item.from : item.to;
    if (owner && isUnverifiedVisitor(owner)) {
      // Their own message: the connections anonymousVisitorsOf found for it already.
      const ids =
        item.direction === 'inbound' ? anonymous : await deps.connections.ofIdentity(identityToken(owner));
      return { verified: none, anonymous: new Set(ids) };
    }
  } else if (item.channel === 'webchat' && typeof item.data?.itemId === 'string') {
    return decisionTargets(deps, { item, customerId }, item.data.itemId);
  }
  const verified = new Set(await deps.connections.following(customerId));
  if (item.type === 'message' && item.channel === 'webchat' && item.direction !== 'inbound' && !item.to) {
    if (!item.conversationId) return { verified, anonymous: none };
    const strangers = await deps.connections.following(conversationSubject(item.conversationId));
    // A connection in both (none should be) is sent the anonymous frames only, once.
    for (const id of strangers) verified.delete(id);
    return { verified, anonymous: new Set(strangers) };
  }
  return { verified, anonymous: none };
}

/**
 * Who sees routing's decision on a web-chat message (the hand-off, the AI's typing turned off): the
 * sessions that see the message (inVerifiedView, inAnonymousView), read by its key (the decision has
 * its time and partition). Its anonymous writer's connections, or the verified visitors following the
 * customer; nobody when the message is not found. Before, the verified visitors of a customer merged
 * with a stranger's were told of the stranger's hand-off, and the stranger of theirs.
 */
async function decisionTargets(
  deps: VisitorFanOutDeps,
  { item, customerId }: { item: TimelineItem; customerId: string },
  itemId: string,
): Promise<{ verified: Set<string>; anonymous: Set<string> }> {
  const decided = await deps.getTimelineItem(customerId, item.at, itemId);
  const none = new Set<string>();
  if (!decided?.from) return { verified: none, anonymous: none };
  if (isUnverifiedVisitor(decided.from)) {
    return {
      verified: none,
      anonymous: new Set(await deps.connections.ofIdentity(identityToken(decided.from))),
    };
  }
  return { verified: new Set(await deps.connections.following(customerId)), anonymous: none };
}

/** The connections of the anonymous visitor who wrote an item, if an anonymous visitor wrote it. */
async function anonymousVisitorsOf(deps: VisitorFanOutDeps, item: TimelineItem): Promise<string[]> {
  if (item.type !== 'message' || item.direction !== 'inbound' || item.from?.kind !== 'webchat_visitor') {
    return [];
  }
  return deps.connections.ofIdentity(identityToken(item.from));
}
