import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { postWebchatMessage } from '#shared/app/post-webchat-message.js';
import { newSessionToken, sessionTokenHash, type WebchatSession } from '#shared/domain/webchat/session.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { dynamoRepositories, webchatPorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const sqs = mockAws(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound';
const FIRST_SENT = '2026-12-03T12:00:00.000Z';

const token = newSessionToken();
const session: WebchatSession = {
  tokenHash: sessionTokenHash(token),
  visitor: { kind: 'webchat_visitor', value: 'visitor-1' },
  createdAt: '2026-12-03T11:00:00.000Z',
  expiresAt: '2027-01-02T11:00:00.000Z',
};

/**
 * The table as DynamoDB answers: the session, rate counters, the message's claim (kept from the first
 * send at FIRST_SENT once `claimed`), and the message's reference once the resolver met it (`stored`).
 */
function table(state: { claimed: boolean; stored: boolean }) {
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk.startsWith('WEBCHAT_SESSION#')) return { Item: session };
    if (pk.startsWith('MESSAGE#webchat#')) return state.stored ? { Item: { pk } } : {};
    throw new Error(`unexpected read of ${pk}`);
  });
  ddb
    .on(UpdateCommand)
    .callsFake((input: { Key: { pk: string }; ExpressionAttributeValues: Record<string, unknown> }) => {
      if (input.Key.pk.startsWith('WEBCHAT_RATE#')) return { Attributes: { hits: 1 } };
      const values = input.ExpressionAttributeValues;
      const at = state.claimed ? FIRST_SENT : values[':at'];
      state.claimed = true;
      return { Attributes: { at, textHash: values[':hash'] } };
    });
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
    Failed: [],
  }));
}

function send(at: string) {
  const store = webchatPorts(
    dynamoRepositories(documentClient(new DynamoDBClient({ region: 'eu-west-1' })), 'threadline'),
  );
  const queue = new SqsEnvelopeQueue(sdkSendMessageBatch(new SQSClient({ region: 'eu-west-1' })), QUEUE_URL, {
    sleep: async () => {},
  });
  return postWebchatMessage(
    { store, queue, clock: { now: () => new Date(at) } },
    {
      authorization: `Bearer ${token}`,
      address: '203.0.113.9',
      message: { text: 'Where is my order?', clientMessageId: 'client-msg-1' },
    },
  );
}

const queuedAt = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? '{}').occurredAt as string),
    );
const reads = () =>
  ddb.commandCalls(GetCommand).map((call) => String(call.args[0].input.Key?.pk).split('#')[0]);

describe('postWebchatMessage', () => {
  beforeEach(() => {
    ddb.reset();
    sqs.reset();
  });

  it('queues a first send, without asking whether the resolver met it', async () => {
    table({ claimed: false, stored: false });
    const sent = await send(FIRST_SENT);
    expect(sent).toMatchObject({ clientMessageId: 'client-msg-1', at: FIRST_SENT });
    expect(queuedAt()).toEqual([FIRST_SENT]);
    expect(reads()).toEqual(['WEBCHAT_SESSION']);
  });

  it('answers a retry of a message the resolver met as the first send did, and queues nothing', async () => {
    table({ claimed: true, stored: true });
    const first = { id: expect.stringMatching(/^webchat:/), clientMessageId: 'client-msg-1', at: FIRST_SENT };
    expect(await send('2026-12-03T12:00:30.000Z')).toEqual(first);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toEqual([]);
    // The reference, read eventually consistent and only its key: half a read unit.
    const ref = ddb.commandCalls(GetCommand).at(-1)?.args[0].input;
    expect(ref).toMatchObject({ Key: { sk: 'MESSAGE' }, ProjectionExpression: 'pk' });
    expect(ref?.ConsistentRead).toBeUndefined();
  });

  it('queues a retry again, timed as the first send, while the resolver has not met it (a lost queueing)', async () => {
    table({ claimed: true, stored: false });
    const retried = await send('2026-12-03T12:00:30.000Z');
    expect(retried.at).toBe(FIRST_SENT);
    expect(queuedAt()).toEqual([FIRST_SENT]);
    expect(reads()).toEqual(['WEBCHAT_SESSION', 'MESSAGE']);
  });

  it('answers a retry after a failed queueing with the same message, queued then', async () => {
    table({ claimed: false, stored: false });
    sqs.on(SendMessageBatchCommand).rejects(new Error('SQS down'));
    await expect(send(FIRST_SENT)).rejects.toThrow();
    table({ claimed: true, stored: false });
    const retried = await send('2026-12-03T12:00:05.000Z');
    expect(retried.at).toBe(FIRST_SENT);
    expect(queuedAt().at(-1)).toBe(FIRST_SENT);
  });
});
