import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { countSurveysUsage, runCountSurveys } from '#shared/local/count-surveys.js';
import { indexAuditLogUsage, runIndexAuditLog } from '#shared/local/index-audit-log.js';
import { indexCustomersUsage, runIndexCustomers } from '#shared/local/index-customers.js';
import { indexNameWordsUsage, runIndexNameWords } from '#shared/local/index-name-words.js';
import { noteThreadLinksUsage, runNoteThreadLinks } from '#shared/local/note-thread-links.js';
import type { ScanCommandDeps } from '#shared/local/scan-command.js';
import { mockAws } from '../../../support/aws-mock.js';
import { scanCommandDeps } from '../../../support/scan-command-deps.js';

const ddb = mockAws(DynamoDBDocumentClient);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const COMMANDS: Array<[string, string, (args: readonly string[], deps: ScanCommandDeps) => Promise<void>]> = [
  ['index-audit-log', indexAuditLogUsage, runIndexAuditLog],
  ['count-surveys', countSurveysUsage, runCountSurveys],
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
      for (const option of [
        '--table <name>',
        '--local',
        '--from <cursor>',
        '--limit <n>',
        '--dry-run',
        '--help',
      ]) {
        expect(usage).toContain(`\n  ${option} `);
      }
      expect(ddb.commandCalls(ScanCommand)).toEqual([]);
    },
  );

  it.each(COMMANDS)('npm run %s with an unknown option answers its usage', async (_name, usage, run) => {
    await expect(run(['--tables', 't'], scanCommandDeps(lines))).rejects.toThrow(usage);
    expect(ddb.commandCalls(ScanCommand)).toEqual([]);
  });

  it.each(COMMANDS)(
    'npm run %s on AWS says what DynamoDB answered, and of which table',
    async (_name, _usage, run) => {
      // A mistyped table: before, every failure read "UnavailableError: DynamoDB Scan failed" alone.
      const missing = new ResourceNotFoundException({
        message: 'Requested resource not found',
        $metadata: {},
      });
      ddb.on(ScanCommand).rejects(missing);
      ddb.on(QueryCommand).rejects(missing);
      await expect(run(['--table', 'Threadline-Tabel'], scanCommandDeps(lines))).rejects.toThrow(
        /^DynamoDB (Scan|Query) failed: ResourceNotFoundException: Requested resource not found \(table Threadline-Tabel\)$/,
      );
    },
  );

  it.each(COMMANDS)(
    'npm run %s -- --local refuses a DATA_DIR with no Threadline data, naming it, and makes no table there',
    async (name, _usage, run) => {
      // A forgotten or mistyped DATA_DIR: before, a table was made there and the run said "Done: 0".
      const parent = mkdtempSync(join(tmpdir(), 'threadline-scan-nodata-'));
      const dataDir = join(parent, 'data');
      try {
        await expect(run(['--local'], { ...scanCommandDeps(lines), dataDir })).rejects.toThrow(
          `DATA_DIR ${dataDir} holds no Threadline data`,
        );
        await expect(run(['--local'], { ...scanCommandDeps(lines), dataDir })).rejects.toThrow(
          `DATA_DIR=<the folder npm start uses> npm run ${name} -- --local`,
        );
        expect(existsSync(dataDir)).toBe(false);
        expect(lines).toEqual([]);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
  );

  it('prints the cause as its last line and exits 1 when the SDK has no region, never a credential', async () => {
    const { AWS_REGION: _r, AWS_DEFAULT_REGION: _d, AWS_PROFILE: _p, ...env } = process.env;
    const failed = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['shared/local/index-customers.ts', '--table', 'T'],
      {
        cwd: root,
        env: {
          ...env,
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID0000',
          AWS_SECRET_ACCESS_KEY: 'secret-sentinel-value',
        },
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim().split('\n').at(-1)).toBe(
      'DynamoDB Scan failed: Region is missing (table T)',
    );
    expect(failed?.stderr).not.toMatch(/secret-sentinel-value|AKIAEXAMPLEKEYID0000/);
  }, 30_000);
});
