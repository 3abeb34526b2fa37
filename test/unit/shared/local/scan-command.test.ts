import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { indexAuditLogUsage, runIndexAuditLog } from '#shared/local/index-audit-log.js';
import { indexCustomersUsage, runIndexCustomers } from '#shared/local/index-customers.js';
import { indexNameWordsUsage, runIndexNameWords } from '#shared/local/index-name-words.js';
import { noteThreadLinksUsage, runNoteThreadLinks } from '#shared/local/note-thread-links.js';
import type { ScanCommandDeps } from '#shared/local/scan-command.js';
import { mockAws } from '../../../support/aws-mock.js';
import { scanCommandDeps } from '../../../support/scan-command-deps.js';

const ddb = mockAws(DynamoDBDocumentClient);
const COMMANDS: Array<[string, string, (args: readonly string[], deps: ScanCommandDeps) => Promise<void>]> = [
  ['index-audit-log', indexAuditLogUsage, runIndexAuditLog],
  ['index-customers', indexCustomersUsage, runIndexCustomers],
  ['index-name-words', indexNameWordsUsage, runIndexNameWords],
  ['note-thread-links', noteThreadLinksUsage, runNoteThreadLinks],
];

describe('the upgrade commands that scan the table', () => {
  let lines: string[];

  beforeEach(() => {
    lines = [];
    ddb.reset();
  });

  it.each(COMMANDS)(
    'npm run %s -- --help writes its usage, every shared option in it, and reads nothing',
    async (name, usage, run) => {
      await run(['--help'], scanCommandDeps(lines));
      expect(lines).toEqual([usage]);
      expect(usage.split('\n')[0]).toBe(`Usage: npm run ${name} -- (--table <name> | --local) [options]`);
      for (const option of ['--table <name>', '--local', '--from <cursor>', '--limit <n>', '--help']) {
        expect(usage).toContain(`\n  ${option} `);
      }
      expect(ddb.commandCalls(ScanCommand)).toEqual([]);
    },
  );

  it.each(COMMANDS)('npm run %s with an unknown option answers its usage', async (_name, usage, run) => {
    await expect(run(['--tables', 't'], scanCommandDeps(lines))).rejects.toThrow(usage);
    expect(ddb.commandCalls(ScanCommand)).toEqual([]);
  });
});
