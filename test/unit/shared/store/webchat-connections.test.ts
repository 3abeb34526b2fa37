import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const connections = webchatConnections(db, () => new Date('2026-12-05T10:00:00.000Z'));
const SLOT = '2026-12-05T09:00:00.000Z#v-1';
const sockets = Keys.webchatSessionSockets('h1');

/** v-1's connection item: its session's hash, its slot in the session's list, one customer it follows. */
function connection() {
  const followed = new Set([JSON.stringify(Keys.webchatFollower('cu-1', 'v-1'))]);
  ddb.on(GetCommand).resolves({ Item: { session: 'h1', slot: SLOT, followed } });
  ddb.on(DeleteCommand).resolves({});
}

/**
 * A socket found gone on push (410, GoneException) is forgotten: its items, and now its slot in the
 * session's list. Before, the slot stayed, and a later connect over the cap closed the dead connection
 * again (a warn) in place of a live one.
 */
describe('forgetting a visitor socket found gone', () => {
  beforeEach(() => ddb.reset());

  it("takes its slot out of the session's list with one conditional write, beside its own items", async () => {
    connection();
    ddb.on(UpdateCommand).resolves({});
    await connections.forget('v-1');
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input as UpdateCommandInput);
    expect(updates).toEqual([
      {
        TableName: 'threadline',
        Key: sockets,
        UpdateExpression: 'DELETE sockets :slots',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':slots': new Set([SLOT]) },
      },
    ]);
    // Bounded: one read of the connection, one write to the list, a delete per key it wrote.
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key)).toEqual([
      Keys.webchatFollower('cu-1', 'v-1'),
      Keys.webchatConnection('v-1'),
    ]);
  });

  it('still forgets the socket when the list is gone already (its condition fails)', async () => {
    connection();
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'gone', $metadata: {} }));
    await connections.forget('v-1');
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(2);
  });

  it('writes no list for a connection without a session, or one already forgotten', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    await connections.forget('v-2');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
  });
});
