import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../store/table.js';
import { PRIVATE_FILE } from './private-files.js';

/** An item as stored, types and all (the low-level client's shape). */
export type Item = Record<string, AttributeValue>;

/** Every item of the table (a Scan, paginated). */
export async function scanAll(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Puts `items` into the table, 25 a call, until none is left unprocessed. */
export async function putAll(client: DynamoDBClient, tableName: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  }
}

async function waitGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let look = 0; look < 200; look++) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`the local table ${tableName} was not deleted`);
}

/** What an index projects, comparable: its type and the attributes it includes. */
const projectionOf = (index: { Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } }) =>
  `${index.Projection?.ProjectionType}:${[...(index.Projection?.NonKeyAttributes ?? [])].sort().join(',')}`;

/**
 * Rebuilds a persisted local table that an earlier version created without an index the table now
 * has, or with one projecting other attributes (dynalite cannot add or change one): every item is saved to `backupFile`, the table is deleted and created
 * anew, and the items put back. A start after a crash in between finds the file and puts them back
 * again (`restoreLocalTable`), so nothing is lost. Answers whether the table was deleted.
 */
export async function upgradeLocalTable(
  client: DynamoDBClient,
  tableName: string,
  backupFile: string,
): Promise<boolean> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const have = new Map((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, projectionOf(i)]));
  const want = tableDefinition(tableName).GlobalSecondaryIndexes ?? [];
  if (want.every((index) => have.get(index.IndexName) === projectionOf(index))) return false;
  if (!existsSync(backupFile)) {
    const items = await scanAll(client, tableName);
    // Whole or not at all: a crash while writing leaves no file that looks complete.
    writeFileSync(`${backupFile}.part`, items.map((item) => JSON.stringify(item)).join('\n'), {
      mode: PRIVATE_FILE,
    });
    renameSync(`${backupFile}.part`, backupFile);
  }
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await waitGone(client, tableName);
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  return true;
}

/** Puts back the items a table upgrade saved, if a file is there (again after a crash), then drops it. */
export async function restoreLocalTable(
  client: DynamoDBClient,
  tableName: string,
  backupFile: string,
): Promise<void> {
  if (!existsSync(backupFile)) return;
  const text = readFileSync(backupFile, 'utf8');
  const items = text ? text.split('\n').map((line) => JSON.parse(line) as Item) : [];
  await putAll(client, tableName, items);
  rmSync(backupFile);
}
