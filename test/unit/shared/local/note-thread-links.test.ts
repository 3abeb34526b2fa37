import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { runNoteThreadLinks } from '#shared/local/note-thread-links.js';
import { mockAws } from '../../../support/aws-mock.js';
import { scanCommandDeps } from '../../../support/scan-command-deps.js';

const ddb = mockAws(DynamoDBDocumentClient);
const link = (id: string, customerId: string) => ({
  pk: `MESSAGE#email#<${id}@support.example>`,
  sk: 'MESSAGE',
  customerId,
});

describe('npm run note-thread-links', () => {
  let lines: string[];
  const run = (...args: string[]) => runNoteThreadLinks(args, scanCommandDeps(lines));

  beforeEach(() => {
    lines = [];
    ddb.reset();
    const second = { pk: 'MESSAGE#email#<a@support.example>', sk: 'MESSAGE' };
    ddb
      .on(ScanCommand)
      .callsFake((input: { ExclusiveStartKey?: unknown }) =>
        input.ExclusiveStartKey
          ? { Items: [link('b', 'cu_gone')] }
          : { Items: [link('a', 'cu_live')], LastEvaluatedKey: second },
      );
    ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_live' } }).resolves({ Item: { entity: 'customer' } });
    ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_gone' } }).resolves({ Item: { entity: 'erased_customer' } });
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
  });

  it('--dry-run reads as a run does, writes nothing, and counts the writes it would send', async () => {
    await run('--table', 'Threadline-Table', '--dry-run');
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(2);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    expect(ddb.commandCalls(PutCommand)).toEqual([]);
    expect(ddb.commandCalls(DeleteCommand)).toEqual([]);
    expect(lines.at(-1)).toBe(
      'Dry run: nothing written. A run would send 1 PutItem, 0 UpdateItem and 2 DeleteItem (at most: a conditional one may find nothing to do).',
    );
    await expect(run('--local', '--dry-run')).rejects.toThrow('--dry-run reads the table on AWS only');
  });

  it("notes a live customer's link, deletes an erased one's, and prints where to resume after each page", async () => {
    await run('--table', 'Threadline-Table', '--limit', '50');
    const scans = ddb.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(scans.map((input) => [input.TableName, input.Limit])).toEqual([
      ['Threadline-Table', 50],
      ['Threadline-Table', 50],
    ]);
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item)).toEqual([
      {
        pk: 'CUSTOMER#cu_live',
        sk: 'THREADLINK#email#<a@support.example>',
        entity: 'thread_note',
        channel: 'email',
        threadId: '<a@support.example>',
      },
    ]);
    // The erased customer's link, while it still names them, and any note of it.
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({
        Key: { pk: 'MESSAGE#email#<b@support.example>', sk: 'MESSAGE' },
        ConditionExpression: 'customerId = :customer',
      }),
      expect.objectContaining({
        Key: { pk: 'CUSTOMER#cu_gone', sk: 'THREADLINK#email#<b@support.example>' },
      }),
    ]);
    expect(lines[0]).toMatch(/^page 1: 1 link\(s\) noted, 0 deleted; to resume: --from \S+$/);
    expect(lines.slice(1)).toEqual([
      'page 2: 1 link(s) noted, 1 deleted',
      'Done: 1 thread link(s) noted, 1 of erased customers deleted.',
    ]);

    // Resumed from the printed cursor: the scan starts where the first page ended.
    ddb.resetHistory();
    await run('--table', 'Threadline-Table', '--from', String(lines[0]?.split('--from ')[1]));
    expect(ddb.commandCalls(ScanCommand).map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([
      { pk: 'MESSAGE#email#<a@support.example>', sk: 'MESSAGE' },
    ]);
  });

  it('refuses bad arguments before reading anything', async () => {
    await expect(run()).rejects.toThrow('give either --table or --local');
    await expect(run('--table', 't', '--local')).rejects.toThrow('give either --table or --local');
    await expect(run('--table', 't', '--limit', '0')).rejects.toThrow('--limit');
    await expect(run('--table', 't', '--from', 'bm90IGEgY3Vyc29y')).rejects.toThrow('--from');
    await expect(run('--tables', 't')).rejects.toThrow('Usage');
    expect(ddb.commandCalls(ScanCommand)).toEqual([]);
  });
});
