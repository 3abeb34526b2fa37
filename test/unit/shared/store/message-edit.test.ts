import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { placeEdit } from '#shared/store/message-edit.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const customers = { mergedPartitions: async (id: string) => [id] };
const EDIT_AT = '2026-12-06T10:00:00.000Z';
const EDIT_KEY = { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${EDIT_AT}#whatsapp:msg:wamid.E2` };
const MESSAGE = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2026-12-06T09:59:00.000Z#whatsapp:wamid.E1' };
const edit = {
  id: 'whatsapp:msg:wamid.E2',
  type: 'event',
  event: 'edit',
  channel: 'whatsapp',
  targetMessageId: 'wamid.E1',
  text: '5 Oak St',
  at: EDIT_AT,
  customerId: 'cu_1',
  from: { kind: 'phone', value: '+14155550188' },
} as TimelineItem & { channel: 'whatsapp'; targetMessageId: string };
const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const releases = () => updates().filter((input) => input.UpdateExpression === 'REMOVE held');

describe('placeEdit', () => {
  let puts: TimelineItem[];
  const put = async (item: TimelineItem) => {
    puts.push(item);
    return puts.length === 1;
  };
  beforeEach(() => {
    ddb.reset();
    puts = [];
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('holds an edit whose message is nowhere, marks its identity, and tells nothing', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await placeEdit(db, customers, edit, put)).toEqual({
      customerId: 'cu_1',
      at: EDIT_AT,
      written: true,
      held: true,
    });
    expect(puts).toEqual([{ ...edit, held: true }]);
    expect(updates()).toEqual([
      expect.objectContaining({
        Key: { pk: 'IDENTITY#phone#+14155550188', sk: 'IDENTITY' },
        UpdateExpression: 'SET editHeldAt = :at',
      }),
    ]);
    // Two looks for the message: before the hold, and after the mark.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('releases the edit when its message was written between its look and its mark', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolves({ Items: [MESSAGE] });
    const placed = await placeEdit(db, customers, edit, put);
    expect(placed.held).toBeUndefined();
    expect(releases()).toEqual([
      expect.objectContaining({ Key: EDIT_KEY, ConditionExpression: 'held = :true' }),
    ]);
  });

  it('keeps it held when the message written meanwhile took it (stored with its text)', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolves({ Items: [{ ...MESSAGE, editedAt: EDIT_AT }] });
    expect((await placeEdit(db, customers, edit, put)).held).toBe(true);
    expect(releases()).toEqual([]);
  });

  it('a redelivery that finds the message releases an edit a crashed delivery held', async () => {
    puts = [{ ...edit, held: true }];
    ddb.on(QueryCommand).resolves({ Items: [MESSAGE] });
    expect(await placeEdit(db, customers, edit, put)).toMatchObject({ written: false });
    expect(releases()).toHaveLength(1);
  });

  it('writes nothing for a message whose reference is another customer’s', async () => {
    ddb.on(GetCommand).resolves({ Item: { customerId: 'cu_2', timelineSk: MESSAGE.sk } });
    expect(await placeEdit(db, customers, edit, put)).toMatchObject({ written: false, notTheirs: true });
    expect(puts).toEqual([]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
