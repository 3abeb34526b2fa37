import * as z from 'zod';

/**
 * One change to an item of the table, as DynamoDB Streams (NEW_AND_OLD_IMAGES) reports it, with the
 * images as plain objects: the one shape the AWS stream adapter and the local runtime's feed both
 * produce, so every consumer (integrator events, live updates) reads the same records.
 */
export const ChangeRecordSchema = z.object({
  /** The stream record's id: the same when the record is delivered again. */
  id: z.string().min(1),
  kind: z.enum(['insert', 'modify', 'remove']),
  keys: z.object({ pk: z.string(), sk: z.string() }),
  newImage: z.record(z.string(), z.unknown()).optional(),
  oldImage: z.record(z.string(), z.unknown()).optional(),
  /** Grows with every change of the same item (per shard on AWS). */
  sequence: z.string().min(1),
  /** When the change was made (DynamoDB gives it to the second). */
  at: z.iso.datetime(),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

/**
 * A consumer of the change feed: takes records of one shard in order and answers the sequence of the
 * first it could not handle, from which the feed delivers them again (and everything after it).
 */
export type ChangeFeedConsumer = (records: readonly ChangeRecord[]) => Promise<{ failedSequence?: string }>;

/**
 * Handles records one by one, in order, and stops at the first that throws: its sequence is the
 * batch's failure, as a stream's partial batch response expects (the records after it come again).
 */
export function inOrder(
  handle: (record: ChangeRecord) => Promise<void>,
  onError: (record: ChangeRecord, error: unknown) => void,
): ChangeFeedConsumer {
  return async (records) => {
    for (const record of records) {
      try {
        await handle(record);
      } catch (error) {
        onError(record, error);
        return { failedSequence: record.sequence };
      }
    }
    return {};
  };
}
