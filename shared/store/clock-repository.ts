import type { MissedCallOutcome } from '../domain/missed-call.js';
import type { Priority } from '../domain/sla/policy.js';
import type { SlaState } from '../domain/sla/state.js';
import type { SlaTally } from '../domain/sla/tally.js';
import type { Conversation } from '../domain/timeline.js';
import { type DynamoDb, updateItem, updateItemIf } from './dynamo-client.js';
import {
  answeredByInput,
  awaitingCustomerInput,
  saveSlaInput,
  setPriorityInput,
  snoozeInput,
  wakeInput,
} from './params/clock.js';
import { holdOpenConversationInput } from './params/conversations.js';
import { countSlaOutcomesInput } from './params/metrics.js';
import { missedCallMarkInput, missedCallReopenInput, missedCallWaitInput } from './params/missed-call.js';

/** The conversation clock's writes: SLA (optimistic on its version), priority, waiting, snooze. */
export function clockRepository(db: DynamoDb) {
  return {
    /** Writes the SLA if the stored one is still at `expectedVersion`; false when another writer won. */
    saveSla: (conversationId: string, sla: SlaState, expectedVersion: number | undefined): Promise<boolean> =>
      updateItemIf(db, saveSlaInput(db.table, conversationId, sla, expectedVersion)),
    /** Counts the targets an SLA change met or missed in their day's metrics (one UpdateItem). */
    async countSlaOutcomes(tally: SlaTally): Promise<void> {
      if (tally.outcomes.length > 0) await updateItem(db, countSlaOutcomesInput(db.table, tally));
    },
    /** Sets the conversation's priority. */
    async setPriority(conversationId: string, priority: Priority): Promise<void> {
      await updateItem(db, setPriorityInput(db.table, conversationId, priority));
    },
    /** Since when the conversation waits on the customer, or that it no longer does. */
    async setAwaitingCustomer(conversationId: string, since: string | undefined, at: string): Promise<void> {
      await updateItemIf(db, awaitingCustomerInput(db.table, conversationId, since, at));
    },
    /** Who answered in this opening of the conversation (a resolved one is left as it is). */
    async markAnsweredBy(conversationId: string, by: 'agent' | 'ai'): Promise<void> {
      await updateItemIf(db, answeredByInput(db.table, conversationId, by));
    },
    /** Takes an open conversation out of the inbox until `until`. */
    snooze: (conversationId: string, until: string): Promise<boolean> =>
      updateItemIf(db, snoozeInput(db.table, conversationId, until)),
    /** Puts back a conversation snoozed until `until`. */
    wake: (conversationId: string, until: string): Promise<boolean> =>
      updateItemIf(db, wakeInput(db.table, conversationId, until)),
    waitForMissedCall: (conversation: Conversation, at: string) => waitForMissedCall(db, conversation, at),
  };
}

/**
 * A missed call that ended at `at` on the conversation as read: a resolved one (resolved before the
 * call) is reopened and the profile holds it open again; an open one waits from the call, or, waiting
 * already, is marked. One conditional UpdateItem, two when the first does not apply, one more for the
 * profile after a reopen (or a retry of one: reopened by this call, as read).
 */
async function waitForMissedCall(
  db: DynamoDb,
  conversation: Conversation,
  at: string,
): Promise<MissedCallOutcome> {
  const { id, customerId } = conversation;
  // Settled already (a timer fired twice, or again after a crash before the profile's write): completed.
  const reopenedByIt =
    conversation.status === 'open' && conversation.missedCallAt === at && conversation.waitingSince === at;
  if (conversation.status === 'resolved' || reopenedByIt) {
    const reopened = reopenedByIt || (await updateItemIf(db, missedCallReopenInput(db.table, id, at)));
    if (!reopened) return 'answered';
    await updateItemIf(db, holdOpenConversationInput(db.table, customerId, id));
    return reopenedByIt ? 'marked' : 'reopened';
  }
  if (await updateItemIf(db, missedCallWaitInput(db.table, id, at))) return 'waits';
  return (await updateItemIf(db, missedCallMarkInput(db.table, id, at))) ? 'marked' : 'answered';
}
