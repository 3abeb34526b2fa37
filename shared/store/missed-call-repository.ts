import type { MissedCallOutcome } from '../domain/missed-call.js';
import type { Conversation } from '../domain/timeline.js';
import { type DynamoDb, updateItemIf } from './dynamo-client.js';
import { holdOpenConversationInput } from './params/conversations.js';
import { missedCallMarkInput, missedCallReopenInput, missedCallWaitInput } from './params/missed-call.js';

/**
 * A missed call's writes (`ClockStore.waitForMissedCall`), for the timers function and the local
 * runtime only: the resolver sets the timer and never settles one, so its bundle leaves these out.
 */
export function missedCallRepository(db: DynamoDb) {
  return {
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
