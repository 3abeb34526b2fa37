import { isReplyItem } from '../domain/merges.js';
import type { OutboundMessage } from '../domain/outbound.js';
import { answersCustomer } from '../domain/waiting.js';
import type { Timeline } from './assign-conversation.js';
import { followStatus } from './conversation-repository.js';
import { type DynamoDb, getItem, queryItems, updateItemReturningIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import {
  queryAnswersAfterInput,
  UNMERGE_AUTHOR_ID,
  unmergeReopenInput,
  waitingAtMerge,
} from './params/unmerge-reopen.js';

/** The conversation an unmerge reopened, and when (the time its clock restarts from). */
export interface UnmergeReopen {
  conversationId: string;
  at: string;
}

/**
 * Whether a reply answered the customer after their message at `waiting`: one of ours among their items
 * after it, by an agent or the AI, not failed. An answer given while merged in the resolved conversation
 * (which records none), or in the kept customer's conversation to their address, is there: the unmerge
 * gave it back. One strongly consistent Query of at most ANSWER_LOOKAHEAD items.
 */
async function answeredAfter(db: DynamoDb, customerId: string, waiting: string): Promise<boolean> {
  const page = await queryItems(db, queryAnswersAfterInput(db.table, customerId, waiting));
  return (page.Items ?? []).some((item) => {
    const author = (item.data as { author?: OutboundMessage['author'] } | undefined)?.author;
    return isReplyItem(item) && author !== undefined && answersCustomer(author) && item.status !== 'failed';
  });
}

/**
 * After an unmerge, reopens the customer's conversation the merge resolved while it waited on their
 * message (`waitingAtMerge`): the one its profile names (open, or last: the merge's resolve released
 * it), read strongly, then reopened by one conditional write (`unmergeReopenInput`) and followed as any
 * reopen is (`follow`: its assignee's count, the profile's open conversation, the `reopened` event, each
 * repeating nothing), unless a reply answered them since (`answeredAfter`). Found open, reopened by an
 * unmerge: a retry after a crash, whose follow-ups are completed. Two strong reads, and a Query for a
 * conversation to reopen; answers the reopen, or undefined when there is none.
 */
export async function reopenAfterUnmerge(
  db: DynamoDb,
  follow: (item: Record<string, unknown>) => Promise<void>,
  customerId: string,
  now: string,
): Promise<UnmergeReopen | undefined> {
  const profile = (await getItem(db, getInput(db.table, Keys.customer(customerId), true))).Item;
  const conversationId = profile?.openConversationId ?? profile?.lastConversationId;
  if (typeof conversationId !== 'string') return undefined;
  const item = (await getItem(db, getInput(db.table, Keys.conversation(conversationId), true))).Item;
  if (!item || item.customerId !== customerId) return undefined;
  if (item.status === 'open') {
    if (item.reopenedBy !== UNMERGE_AUTHOR_ID || typeof item.reopenedAt !== 'string') return undefined;
    await follow(item);
    return { conversationId, at: item.reopenedAt };
  }
  const waiting = waitingAtMerge(item);
  if (!waiting || typeof item.resolvedAt !== 'string') return undefined;
  if (await answeredAfter(db, customerId, waiting)) return undefined;
  const input = unmergeReopenInput(db.table, conversationId, now, { resolvedAt: item.resolvedAt, waiting });
  const reopened = await updateItemReturningIf(db, { ...input, ReturnValues: 'ALL_NEW' });
  if (!reopened) return undefined;
  await follow(reopened);
  return { conversationId, at: now };
}

/** The unmerge's reopen over one table, for the agent API's `admin` (see `reopenAfterUnmerge`). */
export function unmergeReopenRepository(db: DynamoDb, timeline: Timeline) {
  return {
    /** After an unmerge: the customer's conversation the merge closed on an unanswered message, reopened. */
    reopenAfterUnmerge: (customerId: string, now: string) =>
      reopenAfterUnmerge(db, (item) => followStatus(db, timeline, item, 'reopened'), customerId, now),
  };
}
