import type { HandOffRecord } from '../domain/late-failure-ports.js';
import { DELIVERY_AUTHOR_ID, type OwedHandOff } from '../domain/waiting.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { handOffMadeInput, owedWhileWaitingInput } from './params/waiting.js';

/** Whether a conversation item stands open as a delivery failure of an answer at `failed` reopened it. */
export function reopenedOnFailure(item: Record<string, unknown>, failed: string): boolean {
  const at = item.reopenedAt;
  return (
    item.status === 'open' && item.reopenedBy === DELIVERY_AUTHOR_ID && typeof at === 'string' && at >= failed
  );
}

/** The hand-off the answer written at `answer` owes as the conversation holds it (one strong read). */
async function handOffRecord(db: DynamoDb, conversationId: string, answer: string): Promise<HandOffRecord> {
  const out = await getItem(db, getInput(db.table, Keys.conversation(conversationId), true));
  const owed = out.Item?.handOffOwed as (Partial<OwedHandOff> & { made?: unknown }) | undefined;
  const waiting = out.Item?.waitingSince;
  const waitingSince = typeof waiting === 'string' ? waiting : undefined;
  const recorded = owed?.answer === answer && typeof owed.at === 'string';
  const open = recorded && owed.made !== true && typeof owed.at === 'string';
  return { recorded, owed: open ? { answer, at: String(owed.at) } : undefined, waitingSince };
}

/**
 * The hand-off a failed AI answer's wait owes (`handOffOwed`, written with the wait by
 * `lateFailureWaitInput`, or by `owedWhileWaitingInput` when the wait never ended): read when the
 * write did not apply (a retry after a crash), marked made once the hand-off is made.
 */
export function owedHandOffs(db: DynamoDb) {
  return {
    /** The hand-off the answer written at `answer` still owes, if any (one strong read of the conversation). */
    async owedHandOff(conversationId: string, answer: string): Promise<OwedHandOff | undefined> {
      return (await handOffRecord(db, conversationId, answer)).owed;
    },
    /** The same read, with whether one was recorded (owed or made) and the customer's wait. */
    handOffRecord: (conversationId: string, answer: string) => handOffRecord(db, conversationId, answer),
    /**
     * The AI's answer refused while its message's wait still runs (`at`; `failed`, the answer's time as
     * an answer): the hand-off it owes is recorded, once (`owedWhileWaitingInput`). True when it was.
     */
    async oweHandOffWhileWaiting(
      conversationId: string,
      at: string,
      failed: string,
      handOff: OwedHandOff,
    ): Promise<boolean> {
      return updateItemIf(db, owedWhileWaitingInput(db.table, conversationId, at, failed, handOff));
    },
    /** The hand-off the answer written at `answer` owed is made: its mark says so (conditional, once). */
    async handOffMade(conversationId: string, answer: string): Promise<void> {
      await updateItemIf(db, handOffMadeInput(db.table, conversationId, answer));
    },
  };
}
