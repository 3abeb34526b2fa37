import type { Channel } from '../domain/envelope.js';
import { drainNotes } from './drain-notes.js';
import { type DynamoDb, getItem, putItem, sendConditional, updateItemIf } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { forgetDeletionMarkInputs, queryDeletionNotesInput } from './params/deletion.js';

/** Notes of deletion marks read per page by an erasure (each deleted once its mark is taken). */
const DELETION_NOTES_PAGE = 100;

/**
 * Takes the marks a customer's deletions left on the references of messages that had not come (they
 * name the customer, `deletedBy`, for a week): each note's reference, read strongly, gives way to an
 * erased message's marker (put before the reference goes, so a call that stops between them leaves
 * the marker), or loses the mark when a message linked it since (`forgetDeletionMarkInputs`); then
 * the note goes.
 */
export async function forgetDeletionMarks(
  db: DynamoDb,
  customerId: string,
  now: string,
  remove: (key: { pk: string; sk: string }) => Promise<unknown>,
): Promise<void> {
  const page = queryDeletionNotesInput(db.table, customerId, DELETION_NOTES_PAGE);
  const forget = async (note: Record<string, unknown>) => {
    if (typeof note.channel !== 'string' || typeof note.providerMessageId !== 'string') return;
    const key = Keys.messageRef(note.channel as Channel, note.providerMessageId);
    const ref = (await getItem(db, getInput(db.table, key, true))).Item;
    if (ref?.deletedBy !== customerId) return;
    const inputs = forgetDeletionMarkInputs(db.table, key, customerId, now);
    if (ref.timelineSk === undefined) {
      await putItem(db, inputs.marker);
      if (await sendConditional('DeleteItem', () => db.doc.delete(inputs.unlinked))) return;
    }
    await updateItemIf(db, inputs.linked);
  };
  await drainNotes(db, page, forget, remove);
}
