import * as z from 'zod';
import { previewOf } from '../domain/conversation-preview.js';
import { type DeletionOutcome, deletionStamp, type MessageDeletion } from '../domain/deletion.js';
import type { TimelineItem } from '../domain/timeline.js';
import {
  type DynamoDb,
  deleteItem,
  getItem,
  putItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { erasedReference } from './erased-marker.js';
import { Keys, RAW_PREFIX, referencedItemKey } from './keys.js';
import { queryPage } from './paging.js';
import { deleteInput, getInput } from './params/common.js';
import {
  clearPreviewInput,
  DELETION_EDITS_MAX,
  DELETION_LOOKUP_MAX_READ,
  findDeletedMessageInput,
  findEditsInput,
  markDeletedInput,
  markLinkedDeletedInput,
  markSenderDeletionInput,
  putDeletionNoteInput,
  redactEditInput,
  redactRoutingInputs,
  redactTimelineItemInput,
} from './params/deletion.js';

type Partitions = {
  mergedPartitions(customerId: string, options?: { consistent?: boolean }): Promise<string[]>;
};

const RefSchema = z.object({
  customerId: z.string().optional(),
  timelineSk: z.string().optional(),
  erasedAt: z.unknown().optional(),
  deletedAt: z.string().optional(),
  deletedBy: z.string().optional(),
});

/** A deletion's message is not on the timeline yet though its reference names it: retry the deletion. */
export class DeletedMessageNotYetStored extends Error {
  override name = 'DeletedMessageNotYetStored';
  constructor() {
    super('the deleted message is linked but not stored yet: retry');
  }
}

/** Whether `other` is the customer or one merged into them (a read only when they differ). */
export async function sameCustomer(customers: Partitions, customerId: string, other: string) {
  if (other === customerId) return true;
  return (await customers.mergedPartitions(customerId, { consistent: true })).includes(other);
}

/** A raw payload too large for its item rides beside it: deleted with the item's words (nothing is nothing). */
async function deleteRawAside(db: DynamoDb, key: { pk: string; sk: string }, old: Record<string, unknown>) {
  if (old.raw === undefined && old.deleted === undefined)
    await deleteItem(db, deleteInput(db.table, { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` }));
}

/** What routing wrote from an item, keyed on it: the hand-off note and the decision's detail. */
async function redactRouting(db: DynamoDb, old: Record<string, unknown>, at: string) {
  const { customerId, at: itemAt, id } = old;
  if (typeof customerId === 'string' && typeof itemAt === 'string' && typeof id === 'string') {
    for (const input of redactRoutingInputs(db.table, { customerId, at: itemAt, id }, at))
      await updateItemIf(db, input);
  }
}

/**
 * Redacts the stored message a customer deleted: the item at the key (the reference's, or the one its
 * customer's timeline holds) loses its words, files, data and raw payload (the one kept aside deleted),
 * and the conversation's preview when it is that message's; then its edits (`redactEdits`). Keyed
 * writes, and the bounded look for the edits, whatever the history.
 */
async function redactLinked(
  db: DynamoDb,
  customers: Partitions,
  key: { pk: string; sk: string },
  deletion: MessageDeletion,
) {
  const at = deletionStamp(deletion);
  const old = await updateItemReturningIf(db, {
    ...redactTimelineItemInput(db.table, key, at),
    ReturnValues: 'ALL_OLD',
  });
  if (old === undefined) {
    // Linked by the message's delivery but not put yet (it puts it next, or its retry does): again later.
    if (!(await getItem(db, getInput(db.table, key, true))).Item) throw new DeletedMessageNotYetStored();
    return 'not-theirs' as const;
  }
  await deleteRawAside(db, key, old);
  const preview = previewOf(old as TimelineItem);
  const conversationId = typeof old.conversationId === 'string' ? old.conversationId : undefined;
  const providerMessageId = typeof old.providerMessageId === 'string' ? old.providerMessageId : undefined;
  if (preview && conversationId)
    await updateItemIf(db, clearPreviewInput(db.table, conversationId, preview, providerMessageId));
  await redactRouting(db, old, at);
  if (typeof old.customerId === 'string' && typeof old.at === 'string')
    await redactEdits(db, customers, deletion, { customerId: old.customerId, at: old.at });
  return 'redacted' as const;
}

/**
 * The customer's edits of a message they deleted lose the words they hold (each an event of its own,
 * with the text the message was edited to, its raw payload and what routing wrote from it), and the
 * message's reference records the deletion (noted under the customer, as a mark is) so that an edit
 * coming later is stored without its words (`editOfDeleted`). The edits are looked for in the message's
 * partition and the deleting customer's merged ones: one bounded, strongly consistent query each, from
 * the message's time on (see `findEditsInput`).
 */
async function redactEdits(
  db: DynamoDb,
  customers: Partitions,
  deletion: MessageDeletion,
  message: { customerId: string; at: string },
) {
  await putItem(db, putDeletionNoteInput(db.table, deletion));
  if (!(await updateItemIf(db, markLinkedDeletedInput(db.table, deletion))))
    await updateItemIf(db, markDeletedInput(db.table, deletion));
  const partitions = new Set(await customers.mergedPartitions(deletion.customerId, { consistent: true }));
  partitions.add(message.customerId);
  for (const customerId of partitions) {
    const input = findEditsInput(db.table, customerId, { ...deletion, at: message.at });
    const { items } = await queryPage(db, input, DELETION_EDITS_MAX, { maxRead: DELETION_LOOKUP_MAX_READ });
    for (const edit of items) {
      const key = { pk: String(edit.pk), sk: String(edit.sk) };
      const old = await updateItemReturningIf(db, {
        ...redactEditInput(db.table, key, deletion.targetMessageId, deletionStamp(deletion)),
        ReturnValues: 'ALL_OLD',
      });
      if (!old) continue;
      await deleteRawAside(db, key, old);
      await redactRouting(db, old, deletionStamp(deletion));
    }
  }
}

/**
 * The key of the deleted message on the deleting customer's timeline (theirs and the partitions merged
 * into it), if it is there: one bounded, strongly consistent query each (see `findDeletedMessageInput`).
 */
async function findOnTimeline(db: DynamoDb, partitions: readonly string[], deletion: MessageDeletion) {
  for (const id of partitions) {
    const input = findDeletedMessageInput(db.table, id, deletion);
    const [found] = (await queryPage(db, input, 1, { maxRead: DELETION_LOOKUP_MAX_READ })).items;
    if (found) return { pk: String(found.pk), sk: String(found.sk) };
  }
  return undefined;
}

/**
 * Applies a customer's deletion of one of their messages: one strong read of the message's provider
 * reference, and the item it links redacted (only the customer's own). A message written by its key
 * alone links none: it is looked for on the customer's timeline (`findOnTimeline`). When the deletion
 * came first, it marks the reference and the identity it came from, whose next deletable messages then
 * link their reference and read the mark in that write; a message written between the look and the
 * identity's mark is found by a second look. A redelivery does the same.
 */
export async function applyDeletion(
  db: DynamoDb,
  customers: Partitions,
  deletion: MessageDeletion,
  retried = false,
): Promise<DeletionOutcome> {
  const refKey = Keys.messageRef(deletion.channel, deletion.targetMessageId);
  const ref = RefSchema.parse((await getItem(db, getInput(db.table, refKey, true))).Item ?? {});
  if (ref.erasedAt !== undefined) return 'erased';
  if (ref.customerId && ref.timelineSk) {
    if (!(await sameCustomer(customers, deletion.customerId, ref.customerId))) return 'not-theirs';
    const key = referencedItemKey({ customerId: ref.customerId, timelineSk: ref.timelineSk });
    return redactLinked(db, customers, key, deletion);
  }
  const partitions = await customers.mergedPartitions(deletion.customerId, { consistent: true });
  const stored = await findOnTimeline(db, partitions, deletion);
  if (stored) return redactLinked(db, customers, stored, deletion);
  // No reference and no message: an erasure may have taken it (its marker, one read, on this path only).
  if (await erasedReference(db, deletion.channel, deletion.targetMessageId)) return 'erased';
  // Noted under the customer first: the mark names them, and their erasure finds it by the note.
  await putItem(db, putDeletionNoteInput(db.table, deletion));
  if (await updateItemIf(db, markDeletedInput(db.table, deletion))) {
    await updateItemIf(db, markSenderDeletionInput(db.table, deletion));
    const between = await findOnTimeline(db, partitions, deletion);
    return between ? redactLinked(db, customers, between, deletion) : 'marked';
  }
  // Linked (or erased) between the read and the mark: read again, once.
  if (retried) throw new DeletedMessageNotYetStored();
  return applyDeletion(db, customers, deletion, true);
}

/**
 * The deletion a message's reference holds when it came before the message, if it was the same
 * customer's (`deletedAt`), else undefined.
 */
export async function deletionFirst(
  customers: Partitions,
  ref: Record<string, unknown>,
  customerId: string,
): Promise<string | undefined> {
  const parsed = RefSchema.safeParse(ref);
  if (!parsed.success || !parsed.data.deletedAt || !parsed.data.deletedBy) return undefined;
  return (await sameCustomer(customers, customerId, parsed.data.deletedBy))
    ? parsed.data.deletedAt
    : undefined;
}
