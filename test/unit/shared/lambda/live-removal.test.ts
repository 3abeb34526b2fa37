import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLiveStreamHandler } from '#shared/lambda/live-handler.js';
import { liveConnectionKey } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';
import { goneSockets } from '../../../support/gone-sockets.js';
import { streamRecord } from '../../../support/stream-records.js';

// An admin's removal reaches the live stream function as the removal record's INSERT: it closes the
// removed agent's open sockets through the management API (DELETE @connections/<id>) and pushes
// them nothing of the batch, from the one read of the open sockets a batch makes anyway. An agent's
// load moving reaches it as their item's MODIFY (their open-conversation set): pushed as `agent.load`.

const ddb = mockAws(DynamoDBDocumentClient);
const AT = '2026-12-05T10:00:00.000Z';

const insert = (sequence: string, image: Record<string, unknown>) =>
  streamRecord(sequence, 'INSERT', image, AT);

const removal = insert('1', {
  pk: 'AGENT_REMOVED#bob',
  sk: 'AGENT_REMOVED',
  entity: 'agent_removal',
  agentId: 'bob',
  removedAt: AT,
  removedBy: 'lead',
});
const message = insert('2', {
  pk: 'CUSTOMER#cu-1',
  sk: `TIMELINE#${AT}#whatsapp:m-1`,
  entity: 'timeline',
  id: 'whatsapp:m-1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  at: AT,
  customerId: 'cu-1',
  conversationId: 'cv-1',
  text: 'My address is 1 Main St',
  from: { kind: 'phone', value: '+441234' },
});

/** Bob's two sockets and ann's one, each in its shard of the open sockets. */
const SOCKETS = [
  { connectionId: 'bob-1', agentId: 'bob' },
  { connectionId: 'bob-2', agentId: 'bob' },
  { connectionId: 'ann-1', agentId: 'ann' },
];

describe("the live stream function closes a removed agent's sockets, and pushes an agent's load", () => {
  const { posted, bodies } = goneSockets();
  let handler: Awaited<ReturnType<typeof createLiveStreamHandler>>;

  beforeAll(async () => {
    handler = await createLiveStreamHandler([], documentClient(new DynamoDBClient({ region: 'eu-west-1' })));
  });
  beforeEach(() => {
    ddb.reset();
    posted.splice(0);
    bodies.splice(0);
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: {} });
    ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const pk = String(input.ExpressionAttributeValues?.[':pk']);
      const items = SOCKETS.filter((s) => liveConnectionKey(s.connectionId).pk === pk);
      return { Items: items.map((s) => ({ ...liveConnectionKey(s.connectionId), ...s })) };
    });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
  });

  it('deletes each of their connections and posts them nothing; the others get the batch', async () => {
    expect(await handler({ Records: [removal, message] })).toEqual({ batchItemFailures: [] });
    expect(posted.filter((p) => p.startsWith('DELETE')).sort()).toEqual([
      'DELETE /live/@connections/bob-1',
      'DELETE /live/@connections/bob-2',
    ]);
    expect(posted.filter((p) => p.startsWith('POST /live/@connections/bob'))).toEqual([]);
    expect(posted).toContain('POST /live/@connections/ann-1');
    // One read of the open sockets (a Query per shard), as any batch: no scan, nothing per agent.
    const sockets = ddb
      .commandCalls(QueryCommand)
      .filter((c) => String(c.args[0].input.ExpressionAttributeValues?.[':pk']).startsWith('LIVE_CONN#'));
    expect(sockets).toHaveLength(8);
  });

  it('closes them on a batch with the removal alone', async () => {
    expect(await handler({ Records: [removal] })).toEqual({ batchItemFailures: [] });
    expect(posted.sort()).toEqual(['DELETE /live/@connections/bob-1', 'DELETE /live/@connections/bob-2']);
  });

  it("pushes an agent's load from the stream's change to their open-conversation set (a transfer to them)", async () => {
    const ann = { pk: 'AGENT#ann', sk: 'AGENT', entity: 'agent', id: 'ann', presence: 'away', capacity: 5 };
    const taken = { ...ann, openConversationIds: new Set(['cv-1', 'cv-2']) };
    const record = streamRecord('3', 'MODIFY', taken, AT, { ...ann, openConversationIds: new Set(['cv-1']) });
    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
    expect(posted.filter((p) => p.startsWith('POST')).sort()).toEqual([
      'POST /live/@connections/ann-1',
      'POST /live/@connections/bob-1',
      'POST /live/@connections/bob-2',
    ]);
    const frame = { type: 'agent.load', item: { agentId: 'ann', openConversations: 2 } };
    expect(bodies.map((b) => JSON.parse(b))).toEqual([frame, frame, frame]);
  });
});
