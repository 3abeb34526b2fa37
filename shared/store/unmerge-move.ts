import type { Channel } from '../domain/envelope.js';
import { cameThrough, isReplyItem } from '../domain/merges.js';
import { placedReplyAt } from '../domain/replies.js';
import { handoffNoteId, routeItemId } from '../domain/routing/routable.js';
import { type DynamoDb, deleteItem, getItem, putItemIf, queryItems, updateItemIf } from './dynamo-client.js';
import { Keys, providerReferencesOf, RAW_PREFIX } from './keys.js';
import { deleteInput, getInput } from './params/common.js';
import { advanceSourceInboundInputs } from './params/customers.js';
import { pointReferenceInput, putMovedItemInput, queryUnmergeScanInput } from './params/merges.js';
import { noteUnmergeOwnersInput } from './params/unmerge-started.js';
import { moveReply, sendPending } from './unmerge-replies.js';

/** The source and target of one merge being undone. */
export type Pair = { sourceId: string; targetId: string };

/** What moving one item back costs on top of reading it: its copy, its references, its deletion. */
const MOVE_COST = 4;
/** And an inbound message's on the source's profile: its channel's time and the last inbound. */
const INBOUND_COST = 2;
/** And a customer's message's items keyed on it (its routing decision, its hand-off note): two reads, a copy and a deletion each. */
const KEYED_COST = 6;
const SCAN_PAGE = 100;

/** An inbound message's channel and time (what the resolver wrote on the profile it was placed under). */
function inboundOf(stored: Record<string, unknown>): { channel: string; at: string } | undefined {
  const { direction, channel, at } = stored;
  if (direction !== 'inbound' || typeof channel !== 'string' || typeof at !== 'string') return undefined;
  return { channel, at };
}

/**
 * The keys of what routing wrote on the target's timeline for a message of the customer's, keyed on
 * it: its `routed` decision (`route:<id>`, at the message's time: the message's id, a WhatsApp id,
 * decodes to the sender's number, and its detail may quote the words) and its hand-off note
 * (`note:handoff:<id>`, just after it: its summary quotes the message). None for any other item.
 */
function keyedOn(stored: Record<string, unknown>, targetId: string): Array<{ pk: string; sk: string }> {
  const { type, direction, at, id } = stored;
  if (type !== 'message' || direction !== 'inbound' || typeof at !== 'string' || typeof id !== 'string')
    return [];
  return [
    Keys.timelineItem(targetId, at, routeItemId(id)),
    Keys.timelineItem(targetId, placedReplyAt(at), `note:${handoffNoteId(id)}`),
  ];
}

/**
 * Moves what routing wrote for a moved message (see `keyedOn`) with it, before it: each read strongly,
 * copied under the source (once) and deleted from the target. A crash leaves the message on the
 * target, so the next call finds them again; one already moved is not there.
 */
async function moveKeyed(db: DynamoDb, pair: Pair, stored: Record<string, unknown>): Promise<void> {
  for (const key of keyedOn(stored, pair.targetId)) {
    const { Item } = await getItem(db, getInput(db.table, key, true));
    if (!Item) continue;
    await putItemIf(db, putMovedItemInput(db.table, Item, pair));
    await deleteItem(db, deleteInput(db.table, key));
  }
}

/**
 * Moves one item of the target's partition to the source's, in the order that lets a crash anywhere
 * be completed by the next call: the raw payload kept aside and the item copied (once), the references
 * pointed at the source, then the raw payload and the item deleted from the target, the item last (a
 * retry finds it and does the rest); an inbound message's channel and times first go on the source's
 * profile (see `advanceSourceInboundInputs`), and what routing wrote for it goes first (`moveKeyed`).
 * Our reply has its own order (`moveReply`).
 */
async function moveItem(db: DynamoDb, pair: Pair, stored: Record<string, unknown>): Promise<void> {
  if (isReplyItem(stored)) return moveReply(db, pair, stored);
  const inbound = inboundOf(stored);
  for (const input of inbound ? advanceSourceInboundInputs(db.table, pair.sourceId, inbound) : []) {
    await updateItemIf(db, input);
  }
  await moveKeyed(db, pair, stored);
  const key = { pk: String(stored.pk), sk: String(stored.sk) };
  const rawKey = { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` };
  const aside =
    stored.raw === undefined ? (await getItem(db, getInput(db.table, rawKey, true))).Item : undefined;
  if (aside) await putItemIf(db, putMovedItemInput(db.table, aside, pair));
  await putItemIf(db, putMovedItemInput(db.table, stored, pair));
  for (const reference of providerReferencesOf(stored)) {
    await updateItemIf(db, pointReferenceInput(db.table, reference, pair));
  }
  if (aside) await deleteItem(db, deleteInput(db.table, rawKey));
  await deleteItem(db, deleteInput(db.table, key));
}

/**
 * Whose each conversation of the target's timeline is, as far as the move has read it: `s` for the
 * source's its profile names; `n` for one the source started while merged (the first item in it that
 * names who sent it came through the source) and `x` once a message of the target's is in it too;
 * `t` for the target's. The source's (`s`, `n`, `x`) give it back their email thread links; an `n`
 * one, every customer's message in it the source's, goes back with them at the end of the move
 * (`giveBackStartedConversations`). Kept on the source between the calls of a paused unmerge and from
 * the first `n` on (`noteUnmergeOwnersInput`), at most `MAX_OWNERS` of them.
 */
export type ConversationOwners = Record<string, 's' | 'n' | 'x' | 't'>;
/** How many conversations' owners an unmerge keeps (an item on the source's profile, a few KB at most). */
export const MAX_OWNERS = 200;

/** The conversation a stored item is in, when it names one. */
const conversationOf = (stored: Record<string, unknown>): string | undefined =>
  typeof stored.conversationId === 'string' ? stored.conversationId : undefined;

/**
 * The email thread link (`MESSAGE#email#<Message-ID>`) an item of the source's conversation carries:
 * the source's own mail (its Message-ID, `data.messageId`) or our reply to it (the Message-ID we wrote,
 * `messageIdHeader`). A link written while merged names the target; it goes back with the conversation,
 * so an answer in that thread after the unmerge finds the source's conversation (see `threadOfGroup`).
 */
function threadLinkOf(
  stored: Record<string, unknown>,
  owners: ConversationOwners,
): { pk: string; sk: string } | undefined {
  const conversation = conversationOf(stored);
  const owner = conversation === undefined ? undefined : owners[conversation];
  if (owner === undefined || owner === 't' || typeof stored.channel !== 'string') return undefined;
  const data = stored.data as { messageId?: unknown } | undefined;
  const id = typeof stored.messageIdHeader === 'string' ? stored.messageIdHeader : data?.messageId;
  return typeof id === 'string' && id.length > 0 ? Keys.messageRef(stored.channel as Channel, id) : undefined;
}

/**
 * Notes whose a conversation is from the first item in it that names who sent it, and that one the
 * source started holds a message of the target's too (`x`). True when it noted one the source started
 * (`n`): the owners are kept on the source before its items move.
 */
function noteOwner(stored: Record<string, unknown>, through: boolean, owners: ConversationOwners): boolean {
  const conversation = conversationOf(stored);
  if (!conversation || stored.from === undefined) return false;
  if (conversation in owners) {
    if (owners[conversation] === 'n' && !through && stored.direction === 'inbound')
      owners[conversation] = 'x';
    return false;
  }
  if (Object.keys(owners).length >= MAX_OWNERS) return false;
  owners[conversation] = through ? 'n' : 't';
  return through;
}

/**
 * Gives the source back what came through its identities while merged: reads the target's timeline
 * from `after` on, a page at a time, and moves each such item, and points back at the source the email
 * thread links of the source's conversations (`threadLinkOf`, one conditional UpdateItem each). Stops
 * when the work of one call is spent, answering where (the last sort key it went through), or
 * undefined when it read to the end.
 */
export async function moveBack(
  db: DynamoDb,
  pair: Pair,
  tokens: ReadonlySet<string>,
  from: { after: string | undefined; work: number; owners: ConversationOwners },
): Promise<{ after: string | undefined; moved: number }> {
  let { after, work } = from;
  const { owners } = from;
  let moved = 0;
  for (;;) {
    const page = await queryItems(db, queryUnmergeScanInput(db.table, pair.targetId, after, SCAN_PAGE));
    for (const stored of page.Items ?? []) {
      // A reply still being sent stays: its sender writes to it where it is.
      const through = cameThrough(stored, tokens) && !sendPending(stored);
      const started = noteOwner(stored, through, owners);
      const link = threadLinkOf(stored, owners);
      const inbound = inboundOf(stored) ? INBOUND_COST + KEYED_COST : 0;
      const cost = 1 + (through ? MOVE_COST + inbound : 0) + (link ? 1 : 0) + (started ? 1 : 0);
      // Stopping here, the pause keeps the owners (a conversation just noted among them) with its cursor.
      if (work < cost) return { after, moved };
      if (started) await updateItemIf(db, noteUnmergeOwnersInput(db.table, pair, owners));
      // The link first: a crash before the item leaves the target finds it again and repeats nothing.
      if (link) await updateItemIf(db, pointReferenceInput(db.table, link, pair));
      if (through) {
        await moveItem(db, pair, stored);
        moved += 1;
      }
      work -= cost;
      after = String(stored.sk);
    }
    if (!page.LastEvaluatedKey) return { after: undefined, moved };
  }
}
