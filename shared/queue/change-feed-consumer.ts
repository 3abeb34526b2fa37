import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ChangeFeedConsumer, ChangeRecord } from '../domain/change-feed.js';
import { logger } from '../log.js';
import { changeRecordOf } from '../store/stream-records.js';

/**
 * A DynamoDB Streams consumer over the change feed: the batch's records in order; the first that
 * fails is reported (ReportBatchItemFailures), so Lambda retries from it. A record that is not a
 * change of ours is logged and skipped: it would fail the same way forever and hold the shard.
 */
export function createChangeFeedHandler(
  consumer: ChangeFeedConsumer,
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const records: ChangeRecord[] = [];
    for (const record of event.Records) {
      try {
        records.push(changeRecordOf(record));
      } catch {
        logger.error('stream record skipped: not a change record', { eventID: record.eventID });
      }
    }
    const { failedSequence } = await consumer(records);
    return { batchItemFailures: failedSequence ? [{ itemIdentifier: failedSequence }] : [] };
  };
}
