import { type DynamoDb, deleteItem, getItem, putItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { deleteInput, getInput } from './params/common.js';
import { holdOpenConversationInput } from './params/conversations.js';
import { putMembershipInput } from './params/customers.js';
import { giveBackAdoptedInput } from './params/merged-conversation.js';
import {
  holdLastGivenBackInput,
  letGoLastGivenBackInput,
  letGoOpenGivenBackInput,
} from './params/unmerge-started.js';
import type { ConversationOwners, Pair } from './unmerge-move.js';

/**
 * Gives the returning customer back one conversation they started while merged (every customer's
 * message in it came through their identities, `n` in the move's owners): read strongly; it names them
 * again (conditional on naming the kept customer), its membership moves to their partition (a put, then
 * the kept one's deleted), and the profiles follow: open, theirs holds it and the kept one lets go of
 * it; resolved, theirs names it as its last (within the reopen window their next message reopens it)
 * and the kept one forgets its resolve (its next message opens one of its own, whose id follows from
 * this one's: see `letGoOpenGivenBackInput`). Every step is
 * keyed or conditional, so an unmerge asked again after a crash completes it. One GetItem, one PutItem,
 * one DeleteItem and at most three UpdateItem.
 */
async function giveBackStarted(db: DynamoDb, pair: Pair, conversationId: string): Promise<void> {
  const item = (await getItem(db, getInput(db.table, Keys.conversation(conversationId), true))).Item;
  if (!item) return;
  if (item.customerId === pair.targetId) {
    if (!(await updateItemIf(db, giveBackAdoptedInput(db.table, conversationId, pair)))) return;
  } else if (item.customerId !== pair.sourceId) return;
  await putItem(db, putMembershipInput(db.table, pair.sourceId, conversationId));
  await deleteItem(db, deleteInput(db.table, Keys.membership(pair.targetId, conversationId)));
  if (item.status === 'open') {
    await updateItemIf(db, holdOpenConversationInput(db.table, pair.sourceId, conversationId));
    await updateItemIf(db, letGoOpenGivenBackInput(db.table, pair.targetId, conversationId));
  } else if (typeof item.resolvedAt === 'string') {
    await updateItemIf(db, holdLastGivenBackInput(db.table, pair.sourceId, conversationId, item.resolvedAt));
    await updateItemIf(db, letGoLastGivenBackInput(db.table, pair.targetId, conversationId));
  }
}

/** Gives back every conversation the move found the source started while merged (`n`), at the unmerge's last call. */
export async function giveBackStartedConversations(
  db: DynamoDb,
  pair: Pair,
  owners: ConversationOwners,
): Promise<void> {
  for (const [conversationId, owner] of Object.entries(owners)) {
    if (owner === 'n') await giveBackStarted(db, pair, conversationId);
  }
}
