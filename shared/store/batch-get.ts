import { backoffDelayMs } from '../backoff.js';
import { UnavailableError } from '../errors.js';
import { type DynamoDb, sendDynamo } from './dynamo-client.js';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/** DynamoDB's limit of keys in one BatchGetItem request. */
export const BATCH_GET_LIMIT = 100;
/** Tries of the keys DynamoDB leaves unprocessed (throttled, or past its 16 MB answer) before giving up. */
const MAX_TRIES = 8;
/** The backoff base the SDK (and the lite client) waits after throttling. */
const THROTTLING_BASE_DELAY_MS = 500;

const keyText = (key: Item): string => `${String(key.pk)}\u0000${String(key.sk)}`;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One BatchGetItem of at most 100 keys, its unprocessed keys asked again after a throttling backoff. */
async function getBatch(db: DynamoDb, keys: Key[], consistent: boolean): Promise<Item[]> {
  const found: Item[] = [];
  let pending: Item[] = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_TRIES) {
      throw new UnavailableError(`DynamoDB BatchGetItem left ${pending.length} keys unprocessed`);
    }
    if (attempt > 1) {
      await wait(backoffDelayMs(attempt - 1, THROTTLING_BASE_DELAY_MS, Math.random));
    }
    const request = { Keys: pending, ...(consistent ? { ConsistentRead: true } : {}) };
    const out = await sendDynamo('BatchGetItem', () =>
      db.doc.batchGet({ RequestItems: { [db.table]: request } }),
    );
    found.push(...(out.Responses?.[db.table] ?? []));
    pending = (out.UnprocessedKeys?.[db.table]?.Keys ?? []) as Item[];
  }
  return found;
}

/**
 * The items at `keys`, in the keys' order (a key given twice answers twice; a missing item is left
 * out): BatchGetItem requests of at most 100 distinct keys, in parallel, each retrying what DynamoDB
 * left unprocessed. A page of n items costs ceil(n / 100) calls instead of n GetItems, the same units.
 */
export async function getItems(
  db: DynamoDb,
  keys: readonly Key[],
  options: { consistent?: boolean } = {},
): Promise<Item[]> {
  const distinct = [...new Map(keys.map((key) => [keyText(key), { pk: key.pk, sk: key.sk }])).values()];
  const batches: Key[][] = [];
  for (let i = 0; i < distinct.length; i += BATCH_GET_LIMIT) {
    batches.push(distinct.slice(i, i + BATCH_GET_LIMIT));
  }
  const answers = await Promise.all(batches.map((batch) => getBatch(db, batch, options.consistent === true)));
  const byKey = new Map(answers.flat().map((item) => [keyText(item), item]));
  return keys.flatMap((key) => {
    const item = byKey.get(keyText(key));
    return item ? [item] : [];
  });
}
