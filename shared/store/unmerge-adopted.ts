import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { holdOpenConversationInput } from './params/conversations.js';
import { giveBackAdoptedInput, letGoGivenBackInput } from './params/merged-conversation.js';
import type { RawProfile } from './raw-profile.js';
import type { Pair } from './unmerge-move.js';

/**
 * Gives the returning customer back the conversation the merge gave the kept customer (the kept one had
 * none open: see `adoptConversation`): the one the source's profile names (last: the merge let go of
 * it; open: a merge that crashed before that), read strongly, when it names the kept customer. It names
 * the source again; open, the source's profile holds it and the kept profile lets go of it (each only
 * when the profiles as the unmerge read them say so, and conditional). Called before the merge's
 * pointer goes, so an unmerge asked again after a crash finds the conversation named back and completes
 * the profiles. One GetItem; at most three UpdateItem.
 */
export async function giveBackAdopted(
  db: DynamoDb,
  pair: Pair,
  { source, target }: { source: RawProfile; target: RawProfile },
): Promise<void> {
  const id = source.openConversationId ?? source.lastConversationId;
  if (typeof id !== 'string') return;
  const item = (await getItem(db, getInput(db.table, Keys.conversation(id), true))).Item;
  if (!item) return;
  if (item.customerId === pair.targetId) {
    if (!(await updateItemIf(db, giveBackAdoptedInput(db.table, id, pair)))) return;
  } else if (item.customerId !== pair.sourceId) return;
  if (item.status !== 'open') return;
  if (source.openConversationId !== id) {
    await updateItemIf(db, holdOpenConversationInput(db.table, pair.sourceId, id));
  }
  if (target.openConversationId === id) {
    await updateItemIf(db, letGoGivenBackInput(db.table, pair.targetId, id));
  }
}
