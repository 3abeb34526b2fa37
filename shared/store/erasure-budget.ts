import * as z from 'zod';
import { type DynamoDb, deleteItemIf, sendDynamo } from './dynamo-client.js';
import { deleteErasedInput, markErasedMessageInput } from './params/privacy.js';

/** Where, inside a step, a paused erasure stopped: the provider (or partition) and the page it was reading. */
export const CursorSchema = z.object({
  provider: z.number(),
  startKey: z.record(z.string(), z.unknown()).optional(),
});
export type Cursor = z.infer<typeof CursorSchema>;

/**
 * The table, how many more items this call may delete before it stops, and where in its step it is
 * (kept on the profile when it stops, so the next call does not read again what it went through).
 */
export type ErasureDb = DynamoDb & { budget: { left: number }; cursor: Cursor | undefined; now: string };

/** An erasure call spent its deletes: the next call carries on from its progress marker. */
export class ErasurePaused extends Error {
  override name = 'ErasurePaused';
}

/** Spends one of the call's writes, or pauses the erasure when they are spent. */
export function spend(db: ErasureDb): void {
  if (db.budget.left <= 0) throw new ErasurePaused();
  db.budget.left -= 1;
}

/**
 * Deletes one item, spending the budget only when there was an item: deleting what an earlier call
 * already deleted is free, so each call removes `budget` items or finishes.
 */
export async function remove(db: ErasureDb, key: { pk: string; sk: string }): Promise<boolean> {
  if (db.budget.left <= 0) throw new ErasurePaused();
  const out = await sendDynamo('DeleteItem', () => db.doc.delete(deleteErasedInput(db.table, key)));
  if (out.Attributes) db.budget.left -= 1;
  return out.Attributes !== undefined;
}

/**
 * Replaces a provider reference with its erased marker (markErasedMessageInput): the marker first, then
 * the reference deleted, spending the budget only when a reference was there (not an earlier marker).
 */
export async function forgetMessage(db: ErasureDb, key: { pk: string; sk: string }): Promise<void> {
  if (db.budget.left <= 0) throw new ErasurePaused();
  await sendDynamo('PutItem', () => db.doc.put(markErasedMessageInput(db.table, key, db.now)));
  const out = await sendDynamo('DeleteItem', () => db.doc.delete(deleteErasedInput(db.table, key)));
  if (out.Attributes && out.Attributes.erasedAt === undefined) db.budget.left -= 1;
}

/**
 * Deletes a provider reference or an email thread link only while it names the erased customer: one a
 * later delivery of the same message moved to the new customer (see `placeTimelineItem`) is theirs.
 * No erased marker is left: the message is one the person sent during the erasure, which their new
 * customer takes when the queue delivers it again.
 */
export async function removeIfTheirs(db: ErasureDb, key: { pk: string; sk: string }, customerId: string) {
  if (db.budget.left <= 0) throw new ErasurePaused();
  const input = {
    TableName: db.table,
    Key: key,
    ConditionExpression: 'customerId = :customer',
    ExpressionAttributeValues: { ':customer': customerId },
  };
  // The condition holds only on an item there: a delete that went through spends the budget.
  if (await deleteItemIf(db, input)) db.budget.left -= 1;
}
