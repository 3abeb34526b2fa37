import type { Priority } from '../domain/sla/policy.js';
import type { SlaState } from '../domain/sla/state.js';
import type { SlaTally } from '../domain/sla/tally.js';
import { type DynamoDb, updateItem, updateItemIf } from './dynamo-client.js';
import {
  answeredByInput,
  awaitingCustomerInput,
  saveSlaInput,
  setPriorityInput,
  snoozeInput,
  wakeInput,
} from './params/clock.js';
import { countSlaOutcomesInput } from './params/metrics.js';

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
  };
}
