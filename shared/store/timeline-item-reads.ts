import { referenceOfItemId } from '../domain/media.js';
import type { TimelineItem } from '../domain/timeline.js';
import { getItems } from './batch-get.js';
import { MessageRefItemSchema, toTimelineItem } from './delivery-status.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys, referencedItemKey } from './keys.js';
import { getInput } from './params/common.js';

/** The customer partitions whose union is a customer's timeline (the customer repository's). */
interface Partitions {
  mergedPartitions(customerId: string): Promise<string[]>;
}

/** Reads of one timeline item: by its key, or by its id through its provider reference. */
export function timelineItemReads(db: DynamoDb, customers: Partitions) {
  return {
    /** One timeline item, read strongly. */
    getTimelineItem: (customerId: string, at: string, itemId: string) =>
      readTimelineItem(db, Keys.timelineItem(customerId, at, itemId)),
    /** One provider item of the customer's timeline (theirs or a merged customer's) by its id and time. */
    customerItem: (customerId: string, itemId: string, at?: string) =>
      customerItem(db, customers, customerId, itemId, at),
  };
}

/**
 * A provider item of the customer's by its id: with its time (`at`, as the timeline answers it), at its
 * key in one of the customer's merged partitions (one BatchGetItem of a key each); else, or when it is
 * not there (an item placed at its first delivery's time), where the message reference its id names
 * says (one GetItem), read only when that partition is one of the group's (one GetItem). Undefined
 * for an id no provider item has, another customer's, or one an erasure took.
 */
async function customerItem(
  db: DynamoDb,
  customers: Partitions,
  customerId: string,
  itemId: string,
  at: string | undefined,
): Promise<TimelineItem | undefined> {
  const reference = referenceOfItemId(itemId);
  if (!reference) return undefined;
  const partitions = await customers.mergedPartitions(customerId);
  if (at !== undefined) {
    const keys = partitions.map((partition) => Keys.timelineItem(partition, at, itemId));
    const [found] = await getItems(db, keys, { consistent: true });
    if (found) return toTimelineItem(found);
  }
  const out = await getItem(db, getInput(db.table, Keys.messageRef(reference.channel, reference.id)));
  const ref = MessageRefItemSchema.safeParse(out.Item);
  if (!ref.success || !ref.data.customerId || !ref.data.timelineSk) return undefined;
  if (!partitions.includes(ref.data.customerId)) return undefined;
  const key = referencedItemKey({ customerId: ref.data.customerId, timelineSk: ref.data.timelineSk });
  const item = await readTimelineItem(db, key);
  return item?.id === itemId ? item : undefined;
}

/** One timeline item by its key, read strongly. */
async function readTimelineItem(db: DynamoDb, key: { pk: string; sk: string }) {
  const out = await getItem(db, getInput(db.table, key, true));
  return out.Item ? toTimelineItem(out.Item) : undefined;
}
