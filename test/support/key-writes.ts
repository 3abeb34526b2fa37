import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LIST_INDEX, tableDefinition } from '#shared/store/table.js';

type Marshalled = Record<string, AttributeValue>;
type Item = Record<string, unknown>;

/** A key attribute as the document client or the plain client gives it. */
const attribute = (value: unknown): AttributeValue =>
  typeof value === 'string' ? { S: value } : (value as AttributeValue);

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** What the deadline index gsi2 holds of an item: its keys and the projected filters. */
const deadlineEntry = (item: Marshalled | undefined) =>
  item?.gsi2pk?.S !== undefined && item?.gsi2sk?.S !== undefined
    ? JSON.stringify([item.gsi2pk, item.gsi2sk, item.assignee, item.queue, item.channels])
    : undefined;

/** What the list index projects besides its keys, as the table defines it; undefined for projection ALL. */
const listProjection = tableDefinition('threadline').GlobalSecondaryIndexes?.find(
  (index) => index.IndexName === LIST_INDEX,
)?.Projection?.NonKeyAttributes;

/** What the list index holds of an item: its keys and the projected attributes (all of it for ALL). */
const listEntry = (item: Marshalled | undefined) =>
  item?.gsi1pk?.S !== undefined && item?.gsi1sk?.S !== undefined
    ? JSON.stringify(
        listProjection
          ? [item.gsi1pk, item.gsi1sk, ...listProjection.map((name) => item[name] ?? null)]
          : item,
      )
    : undefined;

/** The `gsi2` partitions a write changes: only when its entry (keys or projected filters) changes. */
function deadlineWrites(before: Marshalled | undefined, after: Marshalled | undefined): string[] {
  const was = deadlineEntry(before);
  const now = deadlineEntry(after);
  if (was === now) return [];
  const partitions = [];
  if (was !== undefined && before?.gsi2pk?.S !== after?.gsi2pk?.S)
    partitions.push(`gsi2pk=${before?.gsi2pk?.S}`);
  if (now !== undefined) partitions.push(`gsi2pk=${after?.gsi2pk?.S}`);
  else if (was !== undefined) partitions.push(`gsi2pk=${before?.gsi2pk?.S}`);
  return partitions;
}

/** The `gsi3` (customer list, keys only) partitions a write changes: when the item's keys there change. */
function customerListWrites(before: Marshalled | undefined, after: Marshalled | undefined): string[] {
  const entry = (item: Marshalled | undefined) =>
    item?.gsi3pk?.S !== undefined && item?.gsi3sk?.S !== undefined
      ? { pk: item.gsi3pk.S, sk: item.gsi3sk.S }
      : undefined;
  const was = entry(before);
  const now = entry(after);
  if (was?.pk === now?.pk && was?.sk === now?.sk) return [];
  return [...(was ? [`gsi3pk=${was.pk}`] : []), ...(now ? [`gsi3pk=${now.pk}`] : [])];
}

/**
 * Counts the writes each partition takes: the table partition (`pk`) of every write call, and the
 * list index partition (`gsi1pk`) of every write that changes what that index holds of an item (its
 * keys or the projected filters: its `gsi1pk` before, when the item leaves or its index key changes,
 * and after), read around each call (a consistent GetItem, which this counter lets through), as
 * DynamoDB bills it. The deadline index `gsi2` projects keys and filters too: a write counts there when
 * it adds, moves, removes or changes what the index holds of the item; the customer list index `gsi3`
 * (keys only) when it adds, moves or removes the item.
 */
export function countKeyWrites(client: DynamoDBClient): Map<string, number> {
  const writes = new Map<string, number>();
  const add = (key: string) => writes.set(key, (writes.get(key) ?? 0) + 1);
  const read = async (table: string, key: Marshalled) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!WRITES.has(context.commandName ?? '')) return next(args);
      const input = args.input as { TableName: string; Key?: Item; Item?: Item };
      const source = input.Key ?? input.Item ?? {};
      const key = { pk: attribute(source.pk), sk: attribute(source.sk) };
      const before = await read(input.TableName, key);
      add(`pk=${key.pk?.S}`);
      const out = await next(args);
      const after = await read(input.TableName, key);
      const changed = listEntry(before) !== listEntry(after);
      const was = before?.gsi1pk?.S;
      const now = after?.gsi1pk?.S;
      const moved = was !== now || before?.gsi1sk?.S !== after?.gsi1sk?.S;
      if (changed && was !== undefined && moved) add(`gsi1pk=${was}`);
      if (changed && now !== undefined) add(`gsi1pk=${now}`);
      for (const partition of deadlineWrites(before, after)) add(partition);
      for (const partition of customerListWrites(before, after)) add(partition);
      return out;
    },
    { step: 'serialize', priority: 'high', name: 'countKeyWrites' },
  );
  return writes;
}
