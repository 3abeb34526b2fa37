import { type MissedCallProfile, type MissedCallSettled, missedCallPlace } from '../domain/missed-call.js';
import type { Conversation } from '../domain/timeline.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { holdOpenConversationInput } from './params/conversations.js';
import {
  missedCallMarkInput,
  missedCallOpenInput,
  missedCallProfileInput,
  missedCallReopenInput,
  missedCallWaitInput,
} from './params/missed-call.js';

/**
 * A missed call's writes (`ClockStore.waitForMissedCall`), for the timers function and the local
 * runtime only: the resolver sets the timer and never settles one, so its bundle leaves these out.
 */
export function missedCallRepository(db: DynamoDb) {
  return {
    waitForMissedCall: (conversation: Conversation, at: string, reopenWindowMs: number) =>
      waitForMissedCall(db, conversation, at, reopenWindowMs),
  };
}

/** An open conversation: it waits from the call, or, waiting already, is marked; else it was answered since. */
async function waitOrMark(db: DynamoDb, id: string, at: string): Promise<MissedCallSettled> {
  if (await updateItemIf(db, missedCallWaitInput(db.table, id, at)))
    return { outcome: 'waits', conversationId: id };
  const marked = await updateItemIf(db, missedCallMarkInput(db.table, id, at));
  return { outcome: marked ? 'marked' : 'answered', conversationId: id };
}

/**
 * A missed call that ended at `at`, filed beside the conversation as read. Open: it waits there, or is
 * marked (one conditional UpdateItem, two when the first does not apply). Not open: the caller's profile
 * is read (one GetItem) and the call goes where a message of theirs would (`missedCallPlace`): the open
 * conversation another event opened meanwhile, the last one reopened within the reopen window, or a
 * new one after it; the profile then holds the reopened or new one open (one UpdateItem more). A retry
 * finds its own reopen or conversation (as read, or by the write's failed condition) and completes it.
 */
async function waitForMissedCall(
  db: DynamoDb,
  conversation: Conversation,
  at: string,
  reopenWindowMs: number,
): Promise<MissedCallSettled> {
  const { id, customerId } = conversation;
  const hold = (conversationId: string) =>
    updateItemIf(db, holdOpenConversationInput(db.table, customerId, conversationId));
  // Reopened by this call already (a timer fired twice, or again after a crash before the profile's write).
  if (
    conversation.status === 'open' &&
    conversation.missedCallAt === at &&
    conversation.waitingSince === at
  ) {
    await hold(id);
    return { outcome: 'marked', conversationId: id };
  }
  const read =
    conversation.status === 'open'
      ? undefined
      : await getItem(db, missedCallProfileInput(db.table, customerId));
  const place = missedCallPlace(
    conversation,
    read?.Item as MissedCallProfile | undefined,
    at,
    reopenWindowMs,
  );
  if (place.kind === 'none') return { outcome: 'answered', conversationId: id };
  if (place.kind === 'join') return waitOrMark(db, place.conversationId, at);
  if (place.kind === 'reopen') {
    if (!(await updateItemIf(db, missedCallReopenInput(db.table, place.conversationId, at))))
      return { outcome: 'answered', conversationId: place.conversationId };
    await hold(place.conversationId);
    return { outcome: 'reopened', conversationId: place.conversationId };
  }
  const open = { ...place, customerId, previous: place.previousConversationId, at };
  const opened = await updateItemIf(db, missedCallOpenInput(db.table, open));
  await hold(place.conversationId);
  // There already: the caller's message opened it (their profile's write not yet made), or this call did.
  return opened
    ? { outcome: 'opened', conversationId: place.conversationId }
    : waitOrMark(db, place.conversationId, at);
}
