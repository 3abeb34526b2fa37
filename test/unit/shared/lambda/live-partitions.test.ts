import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLiveSocketHandler } from '#shared/lambda/live-handler.js';
import { liveConnectionKey } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentSocketReads, agentSocketWrites } from '../../../../stacks/table-partitions.js';
import { mockAws } from '../../../support/aws-mock.js';
import { ANN_TOKEN, goneSockets } from '../../../support/gone-sockets.js';
import { outsidePartitions, partitionCalls, prefixesUsed } from '../../../support/partition-calls.js';

// The agents' socket function's role confines its item calls to stacks/table-partitions.ts's lists
// (dynamodb:LeadingKeys): every path of its code stays inside them, and each listed prefix is used.

const ddb = mockAws(DynamoDBDocumentClient);
const AT = '2026-12-05T10:00:00.000Z';

/** Two web-chat conversations of cu-1: the latest chat message of cv-1 is a verified visitor's, of cv-2 a stranger's. */
const conversation = (id: string) => ({
  pk: `CONVERSATION#${id}`,
  sk: 'CONVERSATION',
  id,
  customerId: 'cu-1',
  status: 'open',
  channel: 'webchat',
  createdAt: AT,
  channels: new Set(['webchat']),
});
const latest = (conversationId: string, from: { kind: string; value: string }) => ({
  pk: 'CUSTOMER#cu-1',
  sk: `TIMELINE#${AT}#webchat:${conversationId}`,
  id: `webchat:${conversationId}`,
  type: 'message',
  channel: 'webchat',
  direction: 'inbound',
  at: AT,
  customerId: 'cu-1',
  conversationId,
  from,
});

const customer = {
  pk: 'CUSTOMER#cu-1',
  sk: 'PROFILE',
  id: 'cu-1',
  identities: new Set(['email#vera@example.com', 'webchat_user#vera-1', 'webchat_visitor#wv-1']),
  channels: new Set(['webchat']),
  createdAt: AT,
};

/** The table as the mock answers it: ann's socket conn-1, bob's conn-9, a visitor v-1 following cu-1. */
function table() {
  const mine = liveConnectionKey('conn-1');
  const bobs = liveConnectionKey('conn-9');
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk === mine.pk && input.Key?.sk === 'conn-1')
      return { Item: { ...mine, connectionId: 'conn-1', agentId: 'ann' } };
    if (pk.startsWith('CONVERSATION#')) return { Item: conversation(pk.slice('CONVERSATION#'.length)) };
    // The customer's profile: the typing goes where a reply would, read across its merged partitions.
    if (pk === 'CUSTOMER#cu-1' && input.Key?.sk === 'PROFILE') return { Item: customer };
    if (pk === 'WEBCHAT_CONN#v-1') {
      const followed = [
        { pk: 'WEBCHAT_LIVE#cu-1', sk: 'CONN#v-1' },
        { pk: 'WEBCHAT_LIVE_ID#webchat_visitor#wv-1', sk: 'CONN#v-1' },
      ].map((key) => JSON.stringify(key));
      // Its session's hash and slot: forgetting it takes the slot out of the session's list too.
      return { Item: { pk, sk: 'CONN', session: 'h1', slot: 'slot-v-1', followed: new Set(followed) } };
    }
    return {};
  });
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const pk = String(input.ExpressionAttributeValues?.[':pk']);
    if (pk === bobs.pk) return { Items: [{ ...bobs, connectionId: 'conn-9', agentId: 'bob' }] };
    if (pk === 'CUSTOMER#cu-1') {
      const conversationId = input.ExpressionAttributeValues?.[':conversation'];
      const from =
        conversationId === 'cv-2'
          ? { kind: 'webchat_visitor', value: 'wv-1' }
          : { kind: 'email', value: 'vera@example.com' };
      return { Items: [latest(String(conversationId), from)] };
    }
    if (pk.startsWith('WEBCHAT_LIVE')) return { Items: [{ connectionId: 'v-1' }] };
    return { Items: [] };
  });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { connectionId: 'conn-1', agentId: 'ann', viewing: 'cv-1' } });
  ddb
    .on(DeleteCommand)
    .callsFake((input: DeleteCommandInput) =>
      input.Key?.sk === 'conn-9' ? { Attributes: { connectionId: 'conn-9', agentId: 'bob' } } : {},
    );
}

describe("the agents' socket function's item calls", () => {
  // Every socket is gone (410): the function forgets bob's socket and the visitor's.
  const { posted } = goneSockets();
  let handler: Awaited<ReturnType<typeof createLiveSocketHandler>>;

  beforeAll(async () => {
    handler = await createLiveSocketHandler(documentClient(new DynamoDBClient({ region: 'eu-west-1' })));
  });

  it('reads and writes only the partitions its role allows, with GetItem, Query, PutItem, UpdateItem and DeleteItem', async () => {
    table();
    const event = (routeKey: string, body?: object) => ({
      requestContext: { routeKey, connectionId: 'conn-1' },
      ...(routeKey === '$connect' ? { queryStringParameters: { token: ANN_TOKEN } } : {}),
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    for (const step of [
      event('$connect'),
      event('$default', { type: 'viewing', conversationId: 'cv-1' }),
      event('$default', { type: 'typing', conversationId: 'cv-1' }),
      event('$default', { type: 'typing', conversationId: 'cv-2' }),
      event('$default', { type: 'hello' }),
      event('$default', { type: 'ping' }),
      event('$default', { type: 'left', conversationId: 'cv-1' }),
      event('$disconnect'),
    ])
      expect(await handler(step)).toEqual({ statusCode: 200 });
    // The pushes did happen (bob's socket, the visitor's), so the forgetting paths ran.
    expect(posted.some((p) => p.startsWith('POST /live/@connections/conn-9'))).toBe(true);
    expect(posted.some((p) => p.startsWith('POST /visitors/@connections/v-1'))).toBe(true);
    const calls = partitionCalls(ddb);
    expect([...new Set(calls.map((c) => c.command))].sort()).toEqual(
      ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].sort(),
    );
    const reads = calls.filter((c) => c.kind === 'read');
    const writes = calls.filter((c) => c.kind === 'write');
    expect(outsidePartitions(reads, agentSocketReads)).toEqual([]);
    expect(outsidePartitions(writes, agentSocketWrites)).toEqual([]);
    expect(prefixesUsed(reads, agentSocketReads)).toEqual(agentSocketReads);
    expect(prefixesUsed(writes, agentSocketWrites)).toEqual(agentSocketWrites);
  });
});
