import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
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
import { createLiveStreamHandler } from '#shared/lambda/live-handler.js';
import { liveConnectionKey } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { liveStreamWrites } from '../../../../stacks/table-partitions.js';
import { mockAws } from '../../../support/aws-mock.js';
import { goneSockets } from '../../../support/gone-sockets.js';
import { outsidePartitions, partitionCalls, prefixesUsed } from '../../../support/partition-calls.js';
import { streamRecord } from '../../../support/stream-records.js';

// The live stream function's role confines its writes to stacks/table-partitions.ts's list
// (dynamodb:LeadingKeys): every path of its code stays inside it, and each listed prefix is used.

const ddb = mockAws(DynamoDBDocumentClient);
const AT = '2026-12-05T10:00:00.000Z';

/** A stream record of `image` written (INSERT) or changed (MODIFY), as Lambda hands it over. */
const record = (sequence: string, kind: 'INSERT' | 'MODIFY', image: Record<string, unknown>) =>
  streamRecord(sequence, kind, image, AT);

/** Vera's message in web chat (a verified visitor), her conversation changed, and bob going away. */
const batch = [
  record('1', 'INSERT', {
    pk: 'CUSTOMER#cu-1',
    sk: `TIMELINE#${AT}#webchat:m-1`,
    entity: 'timeline',
    id: 'webchat:m-1',
    type: 'message',
    channel: 'webchat',
    direction: 'inbound',
    at: AT,
    customerId: 'cu-1',
    conversationId: 'cv-1',
    text: 'Hello, is my order on its way?',
    from: { kind: 'webchat_user', value: 'vera-1' },
  }),
  record('2', 'MODIFY', {
    pk: 'CONVERSATION#cv-1',
    sk: 'CONVERSATION',
    entity: 'conversation',
    id: 'cv-1',
    customerId: 'cu-1',
    status: 'open',
    channel: 'webchat',
    createdAt: AT,
    channels: ['webchat'],
    channelSwitch: false,
  }),
  record('3', 'MODIFY', {
    pk: 'AGENT#bob',
    sk: 'AGENT',
    entity: 'agent',
    id: 'bob',
    name: 'Bob',
    status: 'away',
    role: 'agent',
    capacity: 3,
    load: 0,
    queues: ['general'],
    languages: ['en'],
    updatedAt: AT,
  }),
];

/** The table as the mock answers it: bob's socket conn-9, the visitor v-1 of vera's identity and of cu-1. */
function table() {
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk === 'WEBCHAT_CONN#v-1') {
      const followed = [
        { pk: 'WEBCHAT_LIVE#cu-1', sk: 'CONN#v-1' },
        { pk: 'WEBCHAT_LIVE_ID#webchat_user#vera-1', sk: 'CONN#v-1' },
      ].map((key) => JSON.stringify(key));
      // Its session's hash and slot: forgetting it takes the slot out of the session's list too.
      return { Item: { pk, sk: 'CONN', session: 'h1', slot: 'slot-v-1', followed: new Set(followed) } };
    }
    return {};
  });
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const pk = String(input.ExpressionAttributeValues?.[':pk']);
    if (pk === liveConnectionKey('conn-9').pk)
      return {
        Items: [
          {
            pk,
            sk: 'conn-9',
            connectionId: 'conn-9',
            agentId: 'bob',
            expiresAt: Date.now() + 3_600_000,
          },
        ],
      };
    if (pk.startsWith('WEBCHAT_LIVE')) return { Items: [{ pk, sk: 'CONN#v-1', connectionId: 'v-1' }] };
    return { Items: [] };
  });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb
    .on(DeleteCommand)
    .callsFake((input: DeleteCommandInput) =>
      input.Key?.sk === 'conn-9' ? { Attributes: { connectionId: 'conn-9', agentId: 'bob' } } : {},
    );
}

describe("the live stream function's item calls", () => {
  // Every socket is gone (410): the function forgets bob's socket and the visitor's.
  const { posted } = goneSockets();
  let handler: Awaited<ReturnType<typeof createLiveStreamHandler>>;

  beforeAll(async () => {
    handler = await createLiveStreamHandler([], documentClient(new DynamoDBClient({ region: 'eu-west-1' })));
  });

  it('writes only the partitions its role allows: the live log, the sockets, the visitors', async () => {
    table();
    expect(await handler({ Records: batch })).toEqual({ batchItemFailures: [] });
    // The pushes did happen (bob's socket, the visitor's), so the forgetting paths ran.
    expect(posted.some((p) => p.startsWith('POST /live/@connections/conn-9'))).toBe(true);
    expect(posted.some((p) => p.startsWith('POST /visitors/@connections/v-1'))).toBe(true);
    const writes = partitionCalls(ddb).filter((c) => c.kind === 'write');
    expect(outsidePartitions(writes, liveStreamWrites)).toEqual([]);
    expect(prefixesUsed(writes, liveStreamWrites)).toEqual(liveStreamWrites);
  });
});
