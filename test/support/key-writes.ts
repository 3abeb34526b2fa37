import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

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

/**
 * Counts the writes each partition takes: the table partition (`pk`) of every write call, and the
 * `gsi1` partition of every write that changes an item in that index (its `gsi1pk` before, when the
 * item leaves or its index key changes, and after), read around each call (a consistent GetItem, which this counter lets through). The index projects
 * every attribute, so any change to an indexed item writes its index partition, as DynamoDB bills it.
 * The deadline index `gsi2` projects keys and filters only: a write counts there when it adds, moves,
 * removes or changes what the index holds of the item.
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
      const changed = JSON.stringify(before ?? null) !== JSON.stringify(after ?? null);
      const was = before?.gsi1pk?.S;
      const now = after?.gsi1pk?.S;
      const moved = was !== now || before?.gsi1sk?.S !== after?.gsi1sk?.S;
      if (changed && was !== undefined && moved) add(`gsi1pk=${was}`);
      if (changed && now !== undefined) add(`gsi1pk=${now}`);
      for (const partition of deadlineWrites(before, after)) add(partition);
      return out;
    },
    { step: 'serialize', priority: 'high', name: 'countKeyWrites' },
  );
  return writes;
}
