import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableDefinition } from '../store/table.js';
import { closeDynaliteIteratorsOnDestroy } from './level-iterators.js';
import { privateFolder } from './private-files.js';
import { restoreLocalTable, upgradeLocalTable } from './table-upgrade.js';

/** A running local DynamoDB (dynalite) and a client for it. */
export interface LocalDynamo {
  client: DynamoDBClient;
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port, persisted under `path` (in memory when omitted), and
 * creates the table if it is not there yet, or rebuilds it with its items if an earlier version made it
 * without an index it now has.
 */
export async function startLocalDynamo(options: { path?: string; tableName: string }): Promise<LocalDynamo> {
  if (options.path) privateFolder(options.path);
  closeDynaliteIteratorsOnDestroy();
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // Node's server closes an idle keep-alive socket after 5 s; a client request sent on it at that moment
  // fails with ECONNRESET (seen on a loaded machine). The client is the only one: keep its sockets.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const backupFile = options.path ? join(options.path, `${options.tableName}-upgrade.jsonl`) : undefined;
  await ensureTable(client, options.tableName, backupFile);
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client of the local DynamoDB at `endpoint` (dynalite takes any credentials). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  backupFile: string | undefined,
): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (backupFile) await upgradeLocalTable(client, tableName, backupFile);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  }
  // dynalite answers CreateTable with the table CREATING and makes it ACTIVE on a timer; until then
  // every item call answers ResourceNotFoundException, which a busy machine can reach first.
  for (let look = 0; look < 200; look++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') {
      if (backupFile) await restoreLocalTable(client, tableName, backupFile);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`the local table ${tableName} did not become active`);
}
