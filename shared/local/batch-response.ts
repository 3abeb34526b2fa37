import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';

/** A Lambda partial batch response; void, null or an empty list means every record succeeded. */
const BatchResponseSchema = z
  .object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })).nullish() })
  .nullish();

/** The ids a consumer reported as failed; as on Lambda, an id that is not in the batch fails it all. */
export function failedIds(records: readonly SQSRecord[], response: unknown): Set<string> {
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const { itemIdentifier } of BatchResponseSchema.parse(response)?.batchItemFailures ?? []) {
    if (!ids.has(itemIdentifier))
      throw new Error(`batchItemFailures names ${itemIdentifier}, not in the batch`);
    failed.add(itemIdentifier);
  }
  return failed;
}
