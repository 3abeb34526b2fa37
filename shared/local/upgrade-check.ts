import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BACKFILLS,
  type BackfillName,
  markBackfillsDone,
  pendingBackfills,
} from '../store/backfill-marks.js';
import { documentClient } from '../store/sdk-documents.js';
import { localDynamoClient } from './dynamo.js';

/** Whether `dataDir` holds no table yet: npm start then makes a new one, which needs no upgrade command. */
export const tableIsNew = (dataDir: string): boolean => !existsSync(join(dataDir, 'dynamodb'));

/**
 * The upgrade commands the local table still needs, read once as npm start starts (one Query of the
 * marks the commands leave, never a Scan). A table just made is marked done at once: it holds nothing
 * an earlier version wrote.
 */
export async function backfillsToRun(input: {
  endpoint: string;
  table: string;
  isNew: boolean;
  now: Date;
}): Promise<BackfillName[]> {
  const client = localDynamoClient(input.endpoint);
  try {
    const db = { doc: documentClient(client), table: input.table };
    if (!input.isNew) return await pendingBackfills(db);
    await markBackfillsDone(db, Object.keys(BACKFILLS) as BackfillName[], input.now);
    return [];
  } finally {
    client.destroy();
  }
}

/** Which version runs: `commit 1a2b3c4d (2026-12-06)` from git, or undefined outside a git checkout. */
export function runningVersion(dir = import.meta.dirname): string | undefined {
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%h %cs'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    }).trim();
    const [hash, day] = out.split(' ');
    return hash && day ? `commit ${hash} (${day})` : undefined;
  } catch {
    return undefined;
  }
}
