import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { putTimelineItemInput } from '#shared/store/params/timeline.js';
import { seedItems } from './capacity-meter.js';

/** The local runtime's table (the default `TABLE_NAME`). */
const TABLE = 'threadline';

/**
 * Writes timeline items straight into a runtime's local table, as a long history already stored would
 * be: each is the record the store itself writes (`putTimelineItemInput`), so every read finds it as it
 * would one the pipeline wrote. It goes past the runtime's client, so past its change feed (no live
 * event, no webhook), and 25 items to a BatchWriteItem (`seedItems`) instead of one conditional put
 * each: 10,000 items take seconds where the puts took over a minute. Only for tests that need a history
 * to read, not for tests of how items are written.
 */
export async function writeTimelineItems(
  runtime: Pick<LocalRuntime, 'dynamoEndpoint'>,
  items: readonly TimelineItem[],
): Promise<void> {
  await writeTableItems(
    runtime,
    items.map((item) => putTimelineItemInput(TABLE, item, undefined).Item ?? {}),
  );
}

/**
 * Writes records straight into a runtime's local table, 25 to a BatchWriteItem, past its change feed:
 * each must be the record the store itself writes (its `put…Input`'s `Item`).
 */
export async function writeTableItems(
  runtime: Pick<LocalRuntime, 'dynamoEndpoint'>,
  items: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  const client = localTableClient(runtime);
  try {
    await seedItems(client, TABLE, items);
  } finally {
    client.destroy();
  }
}

/** A client of a runtime's local table (destroy it when done). */
export const localTableClient = (runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): DynamoDBClient =>
  new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
