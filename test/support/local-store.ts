import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';

/** The repositories and store ports over a fresh dynalite table. */
export interface LocalStore {
  dynamo: LocalDynamo;
  repos: ReturnType<typeof dynamoRepositories>;
  store: ReturnType<typeof storePorts>;
}

/** Starts a dynalite table before the file's tests and stops it after; the store is there once started. */
export function useLocalStore(table: string): LocalStore {
  const local = {} as LocalStore;
  beforeAll(async () => {
    local.dynamo = await startLocalDynamo({ tableName: table });
    local.repos = dynamoRepositories(documentClient(local.dynamo.client), table);
    local.store = storePorts(local.repos);
  });
  afterAll(async () => {
    await local.dynamo?.close();
  });
  return local;
}
