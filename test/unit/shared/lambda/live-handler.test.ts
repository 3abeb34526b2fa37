import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveSocketHandler } from '#shared/lambda/live-handler.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../../../support/agent-token.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const ANN = agentToken('ann-token');
const CID = agentToken('cid-token');
const ENV = {
  TABLE_NAME: 'threadline',
  AGENT_TOKENS: `ann:${ANN},cid:${CID}`,
  LIVE_CALLBACK_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live',
};
const connect = (token?: string) => ({
  requestContext: { routeKey: '$connect', connectionId: 'conn-1' },
  ...(token === undefined ? {} : { queryStringParameters: { token } }),
});

describe('the live socket function', () => {
  const saved = { ...process.env };
  let handler: Awaited<ReturnType<typeof createLiveSocketHandler>>;

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    handler = await createLiveSocketHandler(documentClient(new DynamoDBClient({ region: 'eu-west-1' })));
  });
  afterAll(() => {
    process.env = saved;
  });
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    // No removal record: the agents connecting were not removed.
    ddb.on(GetCommand).resolves({});
  });

  it.each([['forged'], [''], [undefined]])(
    'refuses $connect with the token %j (401) and keeps nothing',
    async (token) => {
      expect(await handler(connect(token))).toEqual({ statusCode: 401 });
      expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    },
  );

  it('refuses $connect of an agent an admin removed (401) and keeps nothing', async () => {
    const record = { pk: 'AGENT_REMOVED#cid', sk: 'AGENT_REMOVED' };
    ddb.on(GetCommand, { Key: record }).resolves({ Item: { ...record, agentId: 'cid' } });
    expect(await handler(connect(CID))).toEqual({ statusCode: 401 });
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input.Key)).toEqual([record]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('looks at the removal record on every $connect: one opened just after a removal is refused', async () => {
    expect(await handler(connect(ANN))).toEqual({ statusCode: 200 });
    const record = { pk: 'AGENT_REMOVED#ann', sk: 'AGENT_REMOVED' };
    ddb.on(GetCommand, { Key: record }).resolves({ Item: { ...record, agentId: 'ann' } });
    expect(await handler(connect(ANN))).toEqual({ statusCode: 401 });
    expect(ddb.commandCalls(GetCommand, { Key: record })).toHaveLength(2);
  });

  it('refuses $connect (401) and forgets the socket when the removal lands as it connects (its lease write refused)', async () => {
    // The record was not there when it looked; the removal marked the console lease just after.
    const refused = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    ddb.on(UpdateCommand, { Key: { pk: 'AGENT_LIVE#ann', sk: 'AGENT_LIVE' } }).rejects(refused);
    ddb.on(DeleteCommand).resolves({ Attributes: { connectionId: 'conn-1', agentId: 'ann' } });
    expect(await handler(connect(ANN))).toEqual({ statusCode: 401 });
    const [kept] = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    const [forgot] = ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key);
    expect(forgot).toEqual({ pk: kept?.pk, sk: 'conn-1' });
  });

  it("keeps a connection of a known agent's token, with its ttl, in a shard of the sockets", async () => {
    expect(await handler(connect(ANN))).toEqual({ statusCode: 200 });
    const [put] = ddb.commandCalls(PutCommand);
    expect(put?.args[0].input.Item).toMatchObject({
      pk: expect.stringMatching(/^LIVE_CONN#[0-7]$/),
      sk: 'conn-1',
      entity: 'live_connection',
      agentId: 'ann',
      ttl: expect.any(Number),
    });
  });

  it('reads only the connecting agent’s own registration on $connect (for the presence it announces), not every connected agent’s', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'conn-9', agentId: 'cid' }] });
    expect(await handler(connect(ANN))).toEqual({ statusCode: 200 });
    const agentReads = ddb
      .commandCalls(GetCommand)
      .map((call) => String(call.args[0].input.Key?.pk))
      .filter((pk) => pk.startsWith('AGENT#'));
    expect(agentReads).toEqual(['AGENT#ann']);
  });

  it('forgets the socket on $disconnect, and answers 400 to an event that is not a socket event', async () => {
    ddb.on(DeleteCommand).resolves({});
    expect(await handler({ requestContext: { routeKey: '$disconnect', connectionId: 'conn-1' } })).toEqual({
      statusCode: 200,
    });
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toMatchObject({ sk: 'conn-1' });
    expect(await handler({ nothing: true })).toEqual({ statusCode: 400 });
  });

  it("keeps the agent at the console: a connect sets their lease 12 minutes ahead, their last socket's close shortens it to 2", async () => {
    vi.useFakeTimers({ now: new Date('2026-12-05T10:00:00.000Z'), toFake: ['Date'] });
    try {
      ddb
        .on(GetCommand, { Key: { sk: 'conn-1' } })
        .resolves({ Item: { connectionId: 'conn-1', agentId: 'ann' } });
      ddb.on(DeleteCommand).resolves({ Attributes: { connectionId: 'conn-1', agentId: 'ann' } });
      await handler(connect(ANN));
      await handler({ requestContext: { routeKey: '$disconnect', connectionId: 'conn-1' } });
      const leases = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
      expect(
        leases.map((u) => [u.Key, u.ExpressionAttributeValues?.[':until'], u.ConditionExpression]),
      ).toEqual([
        [
          { pk: 'AGENT_LIVE#ann', sk: 'AGENT_LIVE' },
          '2026-12-05T10:12:00.000Z',
          'attribute_not_exists(removedAt)',
        ],
        [
          { pk: 'AGENT_LIVE#ann', sk: 'AGENT_LIVE' },
          '2026-12-05T10:02:00.000Z',
          'socket = :socket AND connectedUntil > :until',
        ],
      ]);
      expect(leases.map((u) => u.ExpressionAttributeValues?.[':socket'])).toEqual(['conn-1', 'conn-1']);
    } finally {
      vi.useRealTimers();
    }
  });
});
