import { DELIVERY_AUTHOR_ID, type OwedHandOff } from '../domain/waiting.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { handOffMadeInput } from './params/waiting.js';

/** Whether a conversation item stands open as a delivery failure of an answer at `failed` reopened it. */
export function reopenedOnFailure(item: Record<string, unknown>, failed: string): boolean {
  const at = item.reopenedAt;
  return (
    item.status === 'open' && item.reopenedBy === DELIVERY_AUTHOR_ID && typeof at === 'string' && at >= failed
  );
}

/**
 * The hand-off a failed AI answer's wait owes (`handOffOwed`, written with the wait by
 * `lateFailureWaitInput`): read when the wait's write did not apply (a retry after a crash), taken off
 * once the hand-off is made.
 */
export function owedHandOffs(db: DynamoDb) {
  return {
    /** The hand-off the answer written at `answer` still owes, if any (one strong read of the conversation). */
    async owedHandOff(conversationId: string, answer: string): Promise<OwedHandOff | undefined> {
      const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId), true));
      const owed = out.Item?.handOffOwed as Partial<OwedHandOff> | undefined;
      if (owed?.answer !== answer || typeof owed.at !== 'string') return undefined;
      return { answer, at: owed.at };
    },
    /** The hand-off the answer written at `answer` owed is made: its mark goes (conditional, once). */
    async handOffMade(conversationId: string, answer: string): Promise<void> {
      await updateItemIf(db, handOffMadeInput(db.table, conversationId, answer));
    },
  };
}
