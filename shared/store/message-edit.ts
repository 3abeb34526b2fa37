import * as z from 'zod';
import { previewOf } from '../domain/conversation-preview.js';
import { type HeldEdit, withHeldEdit } from '../domain/edits.js';
import type { Identity } from '../domain/envelope.js';
import type { PlacedItem } from '../domain/resolver-ports.js';
import type { TimelineItem } from '../domain/timeline.js';
import { type DynamoDb, getItem, updateItemIf } from './dynamo-client.js';
import { Keys, referencedItemKey } from './keys.js';
import { deletionFirst, sameCustomer } from './message-deletion.js';
import { queryPage } from './paging.js';
import { getInput } from './params/common.js';
import {
  EDIT_LOOKUP_MAX_READ,
  editPreviewInput,
  findEditedMessageInput,
  findHeldEditsInput,
  markSenderEditInput,
  releaseHeldEditInput,
} from './params/edits.js';

type Partitions = {
  mergedPartitions(customerId: string, options?: { consistent?: boolean }): Promise<string[]>;
};

type Edit = TimelineItem & { channel: NonNullable<TimelineItem['channel']>; targetMessageId: string };

const FoundSchema = z.object({ pk: z.string(), sk: z.string(), editedAt: z.string().optional() });
const HeldSchema = z.object({ text: z.string().optional(), at: z.string() });

/** Whether the item is a customer's edit of a message (an event naming it). */
export function isEdit(item: TimelineItem): item is Edit {
  return item.type === 'event' && item.event === 'edit' && !!item.channel && !!item.targetMessageId;
}

/**
 * What the reference of the message an edit names says (one strong read): the deletion that came for
 * it (the edit is then stored without its words), and whose it is when a message is linked to it.
 */
async function targetReference(db: DynamoDb, customers: Partitions, edit: Edit) {
  const ref = (
    await getItem(db, getInput(db.table, Keys.messageRef(edit.channel, edit.targetMessageId), true))
  ).Item;
  if (!ref) return {};
  const deletedAt = await deletionFirst(customers, ref, edit.customerId);
  const linked = typeof ref.customerId === 'string' && typeof ref.timelineSk === 'string';
  if (!linked) return { deletedAt };
  const theirs = await sameCustomer(customers, edit.customerId, String(ref.customerId));
  const message = referencedItemKey({
    customerId: String(ref.customerId),
    timelineSk: String(ref.timelineSk),
  });
  return { deletedAt, owner: theirs ? ('theirs' as const) : ('another' as const), message };
}

/** The edited message on the editing customer's timeline (theirs and those merged into it), if it is there. */
async function findEdited(db: DynamoDb, customers: Partitions, edit: Edit) {
  const partitions = await customers.mergedPartitions(edit.customerId, { consistent: true });
  for (const id of partitions) {
    const input = findEditedMessageInput(db.table, id, edit);
    const [found] = (await queryPage(db, input, 1, { maxRead: EDIT_LOOKUP_MAX_READ })).items;
    if (found) return FoundSchema.parse(found);
  }
  return undefined;
}

const EditedSchema = z.object({
  at: z.string(),
  conversationId: z.string().optional(),
  text: z.string().optional(),
});

/**
 * The preview of the edited message's conversation takes the edit's words when it came from that
 * message (its time and words: messages of one second share a time; see `editPreviewInput`): one read
 * of the message and one conditional write an edit, whatever the history.
 */
async function followPreview(db: DynamoDb, edit: Edit, key: { pk: string; sk: string }) {
  const preview = previewOf({ type: 'message', channel: edit.channel, text: edit.text, data: {} });
  if (!preview) return;
  const stored = EditedSchema.safeParse((await getItem(db, getInput(db.table, key))).Item);
  if (!stored.success || !stored.data.conversationId) return;
  const was = previewOf({ type: 'message', channel: edit.channel, text: stored.data.text, data: {} });
  if (!was || was === preview) return;
  const change = { messageAt: stored.data.at, was, target: edit.targetMessageId, at: edit.at, preview };
  await updateItemIf(db, editPreviewInput(db.table, stored.data.conversationId, change));
}

/** Whether a message found stored is without this edit (it took none, or an older one held for it). */
const lacks = (message: { editedAt?: string | undefined }, edit: Edit) =>
  message.editedAt === undefined || message.editedAt < edit.at;

/**
 * Writes a customer's edit of a message once, only if the message is theirs (`put`: the edit's write
 * once; `deletedAt`: stored without its words). A message linked to another customer's reference: nothing is written (`notTheirs`). One found
 * on their timeline, or linked to them: written as it is (`message.edited`). One not found (it has not
 * come, or is another's, written by its key alone): the edit is written `held` (no `message.edited`),
 * then its identity is marked (`editHeldAt`), so that the message, when it comes, takes its text;
 * then looked for again, for a message written meanwhile, which the edit is released for. Put before the
 * mark, so a message that reads the mark finds it. A redelivery does the same, and releases an edit held
 * by a delivery that crashed before its release.
 */
export async function placeEdit(
  db: DynamoDb,
  customers: Partitions,
  edit: Edit,
  put: (item: TimelineItem, deletedAt?: string) => Promise<boolean>,
): Promise<PlacedItem> {
  const placed = { customerId: edit.customerId, at: edit.at };
  const { deletedAt, owner, message } = await targetReference(db, customers, edit);
  if (owner === 'another') return { ...placed, written: false, notTheirs: true };
  // Of a message deleted already: stored without its words (and publishing nothing).
  if (deletedAt !== undefined) return { ...placed, written: await put(edit, deletedAt), deletedAt };
  if (owner === 'theirs') {
    const written = await put(edit);
    if (message) await followPreview(db, edit, message);
    return { ...placed, written };
  }
  const key = Keys.timelineItem(edit.customerId, edit.at, edit.id);
  const found = await findEdited(db, customers, edit);
  if (found) {
    const written = await put(edit);
    if (!written && lacks(found, edit)) await updateItemIf(db, releaseHeldEditInput(db.table, key));
    await followPreview(db, edit, found);
    return { ...placed, written };
  }
  const written = await put({ ...edit, held: true });
  if (edit.from) {
    const sender = { identity: edit.from as Identity, customerId: edit.customerId, at: edit.at };
    await updateItemIf(db, markSenderEditInput(db.table, sender));
  }
  const between = await findEdited(db, customers, edit);
  if (between && lacks(between, edit)) {
    await updateItemIf(db, releaseHeldEditInput(db.table, key));
    return { ...placed, written };
  }
  return { ...placed, written, held: true };
}

/**
 * The newest edit held for a message that came after it (see `placeEdit`), on its customer's timeline
 * and those merged into it: one bounded, strongly consistent query each, from the message's time on.
 */
export async function heldEditOf(
  db: DynamoDb,
  customers: Partitions,
  message: TimelineItem,
): Promise<HeldEdit | undefined> {
  if (message.type !== 'message' || !message.channel || !message.providerMessageId) return undefined;
  const { channel, providerMessageId, at } = message;
  const partitions = await customers.mergedPartitions(message.customerId, { consistent: true });
  let newest: HeldEdit | undefined;
  for (const id of partitions) {
    const input = findHeldEditsInput(db.table, id, { channel, providerMessageId, at });
    const { items } = await queryPage(db, input, EDIT_LOOKUP_MAX_READ, { maxRead: EDIT_LOOKUP_MAX_READ });
    for (const item of items) {
      const edit = HeldSchema.parse(item);
      if (!newest || edit.at > newest.at) newest = edit;
    }
  }
  return newest;
}

/** What a message that came after its edit reads: the edit held for it (see `placeEdit`). */
export function heldEditRepository(db: DynamoDb, customers: Partitions) {
  return {
    /** The inbound message with the newest edit held for it (it came first), or as it is. */
    async withEditHeld(message: TimelineItem): Promise<TimelineItem> {
      const edit = await heldEditOf(db, customers, message);
      return edit ? withHeldEdit(message, edit) : message;
    },
  };
}
