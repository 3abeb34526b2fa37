import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { putTimelineItemInput } from '#shared/store/params/timeline.js';
import { documentClient } from '#shared/store/sdk-documents.js';

/** The local runtime's table name. */
const TABLE = 'threadline';
/** Items in one BatchWriteItem, DynamoDB's most. */
const BATCH = 25;
/** Batches in flight at once: dynalite takes them one after another, so more gains nothing. */
const IN_FLIGHT = 4;

/**
 * Writes timeline items straight into a runtime's local table, as a long history already stored would
 * be: each is the record the store itself writes (`putTimelineItemInput`), so every read finds it as it
 * would one the pipeline wrote. It goes past the runtime's client, so past its change feed (no live
 * event, no webhook), and with BatchWriteItem, 25 items a call and none of the reads and conditions a
 * delivery pays for each item: thousands of items take well under a second, where one put each took
 * seconds. Not for tests of how items are written; only for those that need a history to read.
 */
export async function writeTimelineItems(
  runtime: Pick<LocalRuntime, 'dynamoEndpoint'>,
  items: readonly TimelineItem[],
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = documentClient(client);
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += BATCH)
    batches.push(
      items.slice(i, i + BATCH).map((item) => putTimelineItemInput(TABLE, item, undefined).Item ?? {}),
    );
  /** One batch, again with what DynamoDB left unprocessed until nothing is left. */
  const write = async (batch: Array<Record<string, unknown>>) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await db.batchWrite({ RequestItems: { [TABLE]: requests } });
      requests = (out.UnprocessedItems?.[TABLE] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  };
  try {
    for (let i = 0; i < batches.length; i += IN_FLIGHT)
      await Promise.all(batches.slice(i, i + IN_FLIGHT).map(write));
  } finally {
    client.destroy();
  }
}
