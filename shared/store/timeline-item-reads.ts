import { referenceOfItemId } from '../domain/media.js';
import { getItems } from './batch-get.js';
import { MessageRefItemSchema, toTimelineItem } from './delivery-status.js';
import { type DynamoDb, getItem } from './dynamo-client.js';
import { Keys, RAW_PREFIX, referencedItemKey } from './keys.js';
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
    customerItem: async (customerId: string, itemId: string, at?: string) => {
      const stored = await customerRecord(db, customers, customerId, itemId, at);
      return stored ? toTimelineItem(stored) : undefined;
    },
    /**
     * The raw payload (JSON) kept with a provider item of the customer's, found as `customerItem` finds
     * it: on the item when small, else in its `RAW#` item beside it (one GetItem more).
     */
    customerItemRaw: async (customerId: string, itemId: string, at?: string) => {
      const stored = await customerRecord(db, customers, customerId, itemId, at);
      if (!stored) return undefined;
      if (typeof stored.raw === 'string') return stored.raw;
      const key = { pk: String(stored.pk), sk: String(stored.sk) };
      const aside = await getItem(db, getInput(db.table, { pk: key.pk, sk: `${RAW_PREFIX}${key.sk}` }, true));
      return typeof aside.Item?.raw === 'string' ? aside.Item.raw : undefined;
    },
  };
}

/**
 * A provider item of the customer's by its id: with its time (`at`, as the timeline answers it), at its
 * key in one of the customer's merged partitions (one BatchGetItem of a key each); else, or when it is
 * not there (an item placed at its first delivery's time), where the message reference its id names
 * says (one GetItem), read only when that partition is one of the group's (one GetItem). Undefined
 * for an id no provider item has, another customer's, or one an erasure took.
 */
async function customerRecord(
  db: DynamoDb,
  customers: Partitions,
  customerId: string,
  itemId: string,
  at: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const reference = referenceOfItemId(itemId);
  if (!reference) return undefined;
  const partitions = await customers.mergedPartitions(customerId);
  if (at !== undefined) {
    const keys = partitions.map((partition) => Keys.timelineItem(partition, at, itemId));
    const [found] = await getItems(db, keys, { consistent: true });
    if (found) return found;
  }
  const out = await getItem(db, getInput(db.table, Keys.messageRef(reference.channel, reference.id)));
  const ref = MessageRefItemSchema.safeParse(out.Item);
  if (!ref.success || !ref.data.customerId || !ref.data.timelineSk) return undefined;
  if (!partitions.includes(ref.data.customerId)) return undefined;
  const key = referencedItemKey({ customerId: ref.data.customerId, timelineSk: ref.data.timelineSk });
  const stored = (await getItem(db, getInput(db.table, key, true))).Item;
  return stored && toTimelineItem(stored).id === itemId ? stored : undefined;
}

/** One timeline item by its key, read strongly. */
async function readTimelineItem(db: DynamoDb, key: { pk: string; sk: string }) {
  const out = await getItem(db, getInput(db.table, key, true));
  return out.Item ? toTimelineItem(out.Item) : undefined;
}
