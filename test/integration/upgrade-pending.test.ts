import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { runIndexCustomers } from '#shared/local/index-customers.js';
import { startNpmRuntime } from '#shared/local/npm-start.js';
import { documentClient } from '#shared/store/sdk-documents.js';

const UPGRADE_LINE = 'Upgrade not finished';

/** npm start on `dataDir`, stopped at once: the banner it printed. */
async function bannerOn(dataDir: string): Promise<string> {
  const { runtime, banner } = await startNpmRuntime({ DATA_DIR: dataDir, PORT: '0' });
  await runtime.close();
  return banner;
}

/**
 * After an upgrade, npm start says which upgrade commands the data still needs, from the marks the
 * commands leave (one Query at start); a table npm start makes new needs none. Before, nothing said a
 * backfill was pending: the customer list stayed empty and the name search found nobody.
 */
describe('npm start: the upgrade commands still to run', () => {
  const dirs: string[] = [];
  const dataDirOf = () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-upgrade-pending-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('says nothing pending on a new data folder, then or on the next start, and names the version', async () => {
    const dataDir = dataDirOf();
    const first = await bannerOn(dataDir);
    expect(first).not.toContain(UPGRADE_LINE);
    expect(first).toMatch(/\nVersion: commit [0-9a-f]{7,} \(\d{4}-\d{2}-\d{2}\)\n/);
    expect(await bannerOn(dataDir)).not.toContain(UPGRADE_LINE);
  }, 60_000);

  it('names every upgrade command on data an earlier version made, until each has run', async () => {
    const dataDir = dataDirOf();
    // A table an earlier version made: a customer, and none of the marks.
    const table = loadConfig({}).TABLE_NAME;
    const old = await startLocalDynamo({ tableName: table, path: join(dataDir, 'dynamodb') });
    await documentClient(old.client).put({
      TableName: table,
      Item: { pk: 'CUSTOMER#c-old', sk: 'PROFILE', id: 'c-old', createdAt: '2026-12-01T10:00:00.000Z' },
    });
    await old.close();

    const before = await bannerOn(dataDir);
    expect(before).toContain(UPGRADE_LINE);
    for (const name of [
      'note-thread-links',
      'index-name-words',
      'index-customers',
      'index-audit-log',
      'count-surveys',
    ])
      expect(before).toContain(`  npm run ${name} -- --local\n`);

    const lines: string[] = [];
    await runIndexCustomers(['--local'], {
      dynamo: () => new DynamoDBClient({ region: 'local' }),
      dataDir,
      write: (line) => lines.push(line),
    });
    expect(lines.at(-1)).toMatch(/^Done: /);
    const after = await bannerOn(dataDir);
    expect(after).toContain('  npm run index-name-words -- --local\n');
    expect(after).not.toContain('npm run index-customers -- --local');
  }, 60_000);
});
