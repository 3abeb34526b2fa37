import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { inboxShardPartition, inboxSortKey, Keys } from '#shared/store/keys.js';
import { CUSTOMER_LIST_INDEX, LIST_INDEX, tableDefinition } from '#shared/store/table.js';

const TABLE = 'threadline';
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'table-upgrade-'));
  folders.push(path);
  return path;
};

/** A conversation in the open inbox, as the table keeps it (marshalled). */
const conversation = (i: number) => {
  const id = `cv_up${i}`;
  const at = new Date(Date.UTC(2026, 0, 1, 9, i)).toISOString();
  return {
    pk: { S: Keys.conversation(id).pk },
    sk: { S: 'CONVERSATION' },
    entity: { S: 'conversation' },
    id: { S: id },
    status: { S: 'open' },
    gsi1pk: { S: inboxShardPartition('open', id) },
    gsi1sk: { S: inboxSortKey(at, id) },
  };
};

/** A table as a version before the list index made it (gsi1 projecting everything, gsi2), with items. */
async function oldTable(
  path: string,
  items: number,
  made: 'before gsi1k' | 'narrower gsi1k' | 'before gsi3' = 'before gsi1k',
): Promise<void> {
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const definition = tableDefinition(TABLE, { keepGsi1: made === 'before gsi1k' });
  definition.GlobalSecondaryIndexes = definition.GlobalSecondaryIndexes?.flatMap((index) => {
    if (index.IndexName === CUSTOMER_LIST_INDEX) return made === 'before gsi3' ? [] : [index];
    if (index.IndexName !== LIST_INDEX || made === 'before gsi3') return [index];
    if (made === 'before gsi1k') return [];
    // gsi1k as first made, before it projected the agents' open conversations.
    const attributes = index.Projection?.NonKeyAttributes?.filter((a) => a !== 'openConversationIds');
    return [{ ...index, Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: attributes } }];
  });
  await client.send(new CreateTableCommand(definition));
  for (let look = 0; look < 200; look++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (let i = 0; i < items; i++) {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: conversation(i) }));
  }
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The table's indexes, its item count and how many conversations the list index holds. */
async function look(client: DynamoDBClient) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  const scanned = await client.send(new ScanCommand({ TableName: TABLE }));
  let listed = 0;
  for (let i = 0; i < 40; i++) {
    const { id } = conversation(i);
    const out = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: inboxShardPartition('open', String(id.S)) } },
      }),
    );
    listed += (out.Items ?? []).filter((item) => item.id?.S === id.S).length;
  }
  return {
    indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort(),
    items: scanned.Count,
    listed,
  };
}

/** What `look` finds in a table rebuilt with the definition's indexes and `items` conversations. */
const rebuilt = (items: number) => ({
  indexes: [LIST_INDEX, 'gsi2', CUSTOMER_LIST_INDEX],
  items,
  listed: items,
});

describe('local DynamoDB: a table made before the list index', () => {
  it('is rebuilt with the indexes of the definition and every item, once', async () => {
    const path = folder();
    await oldTable(path, 40);
    const dynamo = await startLocalDynamo({ path, tableName: TABLE });
    try {
      expect(await look(dynamo.client)).toEqual(rebuilt(40));
      expect(existsSync(join(path, `${TABLE}-upgrade.jsonl`))).toBe(false);
    } finally {
      await dynamo.close();
    }
    // The next start finds nothing to do and the same items.
    const again = await startLocalDynamo({ path, tableName: TABLE });
    try {
      expect(await look(again.client)).toEqual(rebuilt(40));
    } finally {
      await again.close();
    }
  });

  it('is rebuilt when its list index projects fewer attributes than the definition', async () => {
    const path = folder();
    await oldTable(path, 40, 'narrower gsi1k');
    const dynamo = await startLocalDynamo({ path, tableName: TABLE });
    try {
      expect(await look(dynamo.client)).toEqual(rebuilt(40));
      const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: TABLE }));
      const list = Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === LIST_INDEX);
      expect(list?.Projection?.NonKeyAttributes).toContain('openConversationIds');
    } finally {
      await dynamo.close();
    }
  });

  it('is rebuilt when it has no customer list index (gsi3, 2026-12-06)', async () => {
    const path = folder();
    await oldTable(path, 40, 'before gsi3');
    const dynamo = await startLocalDynamo({ path, tableName: TABLE });
    expect(await look(dynamo.client).finally(() => dynamo.close())).toEqual(rebuilt(40));
  });

  it('puts the saved items back on the next start after a crash between the delete and the put', async () => {
    const path = folder();
    const saved = Array.from({ length: 30 }, (_, i) => JSON.stringify(conversation(i))).join('\n');
    writeFileSync(join(path, `${TABLE}-upgrade.jsonl`), saved);
    const dynamo = await startLocalDynamo({ path, tableName: TABLE });
    try {
      expect(await look(dynamo.client)).toEqual(rebuilt(30));
      expect(existsSync(join(path, `${TABLE}-upgrade.jsonl`))).toBe(false);
    } finally {
      await dynamo.close();
    }
  });
});
