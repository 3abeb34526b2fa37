import * as z from 'zod';
import { type DynamoDb, getItem, queryItems, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import {
  queryInboundAtInput,
  queryOwnAfterInput,
  type WaitLeftMark,
  waitLeftInput,
} from './params/unmerge-wait.js';
import type { Pair } from './unmerge-move.js';

/** A kept conversation whose wait an unmerge moved or ended, at `at`: what its clock hears. */
export interface KeptWaitLeft {
  conversationId: string;
  at: string;
  /** The kept customer's own message the wait runs from now; none: it waits no more. */
  since?: string;
}

const MarkSchema = z.object({
  source: z.string(),
  from: z.string(),
  at: z.string(),
  since: z.string().optional(),
});

/** The change a retried unmerge finds noted on the conversation (`unmergeWait`) for this source. */
function noted(conversationId: string, item: Record<string, unknown>, sourceId: string) {
  const mark = MarkSchema.safeParse(item.unmergeWait);
  if (!mark.success || mark.data.source !== sourceId) return undefined;
  const { at, since } = mark.data;
  return { conversationId, at, ...(since !== undefined ? { since } : {}) };
}

/**
 * The kept customer's own earliest message in the conversation after its last answer (`answeredAt`,
 * `lastAnswerAt`), `none` when there is none, or `unknown` when the look-ahead ended before the
 * timeline did (then the wait is left as it is: never lost on a guess).
 */
async function ownUnanswered(
  db: DynamoDb,
  customerId: string,
  item: Record<string, unknown>,
): Promise<string | 'none' | 'unknown'> {
  const answers = [item.answeredAt, item.lastAnswerAt].filter((a): a is string => typeof a === 'string');
  const after = answers.sort().at(-1) ?? '';
  const page = await queryItems(db, queryOwnAfterInput(db.table, customerId, String(item.id), after));
  const first = page.Items?.find((own) => typeof own.at === 'string');
  if (first) return String(first.at);
  return page.LastEvaluatedKey ? 'unknown' : 'none';
}

/**
 * After an unmerge, the kept customer's open conversation waits only on what remains its own: when its
 * wait runs from a message that is the returning customer's now (the wait a merge's join gave it, or
 * their message written in it while merged), it runs from the kept customer's own earliest message
 * left unanswered, or ends (one conditional UpdateItem that notes the change, `unmergeWait`). Answers
 * what the clock must hear, also when a retry finds the change noted (the clock applies it once).
 * Two strong GetItem (the kept profile, its open conversation); while it waits, one Query of the
 * returning customer's items at the wait's millisecond, and when that finds the message, one Query of
 * the kept customer's items after the last answer (at most 100 read).
 */
export async function settleKeptWait(
  db: DynamoDb,
  pair: Pair,
  now: string,
): Promise<KeptWaitLeft | undefined> {
  const profile = (await getItem(db, getInput(db.table, Keys.customer(pair.targetId), true))).Item;
  const conversationId = profile?.openConversationId;
  if (typeof conversationId !== 'string' || profile?.mergedInto !== undefined) return undefined;
  const item = (await getItem(db, getInput(db.table, Keys.conversation(conversationId), true))).Item;
  if (!item || item.customerId !== pair.targetId || item.status !== 'open') return undefined;
  const waiting = item.waitingSince;
  const before = noted(conversationId, item, pair.sourceId);
  if (typeof waiting !== 'string') return before;
  const theirs = await queryItems(db, queryInboundAtInput(db.table, pair.sourceId, waiting));
  if (!theirs.Items?.length) return before;
  const own = await ownUnanswered(db, pair.targetId, item);
  // Unknown, or the kept customer's own message at that very millisecond: the wait stays.
  if (own === 'unknown' || own === waiting) return undefined;
  const mark: WaitLeftMark = {
    source: pair.sourceId,
    from: waiting,
    at: now,
    ...(own !== 'none' ? { since: own } : {}),
  };
  const answered = typeof item.answeredAt === 'string' ? item.answeredAt : now;
  if (!(await updateItemIf(db, waitLeftInput(db.table, conversationId, mark, answered)))) return undefined;
  return noted(conversationId, { unmergeWait: mark }, pair.sourceId);
}

/** The unmerge's settling of the kept conversation's wait over one table, for the agent API's `admin`. */
export function unmergeWaitRepository(db: DynamoDb) {
  return {
    /** After an unmerge: the kept conversation's wait, from what remains the kept customer's (`settleKeptWait`). */
    keptWaitAfterUnmerge: (targetId: string, sourceId: string, now: string) =>
      settleKeptWait(db, { targetId, sourceId }, now),
  };
}
