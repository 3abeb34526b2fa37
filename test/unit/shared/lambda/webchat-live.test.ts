import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { newSessionToken, sessionTokenHash, type WebchatSession } from '#shared/domain/webchat/session.js';
import { webchatLiveHandler } from '#shared/lambda/webchat-live.js';
import { logger } from '#shared/log.js';
import { SqsEnvelopeQueue } from '#shared/queue/sqs-envelope-queue.js';
import { sdkSendMessageBatch } from '#shared/queue/sqs-sdk-batch.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { visitorSocketWrites } from '../../../../stacks/table-partitions.js';
import { mockAws } from '../../../support/aws-mock.js';
import { outsidePartitions, partitionCalls, prefixesUsed } from '../../../support/partition-calls.js';

const ddb = mockAws(DynamoDBDocumentClient);
const sqs = mockAws(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound';
const ENV = {
  TABLE_NAME: 'threadline',
  INBOUND_QUEUE_URL: QUEUE_URL,
  WEBCHAT_LIVE_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live',
};

const token = newSessionToken();
const session: WebchatSession = {
  tokenHash: sessionTokenHash(token),
  visitor: { kind: 'webchat_visitor', value: 'visitor-1' },
  createdAt: '2026-12-03T11:00:00.000Z',
  expiresAt: '2099-01-02T11:00:00.000Z',
};

const frame = (body: string | null, connectionId = 'conn-1') => ({
  requestContext: { eventType: 'MESSAGE', routeKey: '$default', connectionId },
  body,
  isBase64Encoded: false,
});

/** The table: conn-1 opened with the session, conn-2 kept no session, the session as `live` says. */
function table(live: { session: WebchatSession | undefined }) {
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk === 'WEBCHAT_CONN#conn-1') return { Item: { ...input.Key, session: session.tokenHash } };
    if (pk.startsWith('WEBCHAT_SESSION#')) return live.session ? { Item: live.session } : {};
    return {};
  });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(UpdateCommand).resolves({ Attributes: { hits: 1 } });
}

describe("the visitors' socket function's frames ($default)", () => {
  const saved = { ...process.env };
  const posted: Array<{ url?: string; body: string }> = [];
  const deleted: Array<string | undefined> = [];
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'DELETE') deleted.push(req.url);
      else posted.push({ url: req.url, body });
      res.writeHead(status).end();
    });
  });
  let handler: Awaited<ReturnType<typeof webchatLiveHandler>>;
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    handler = await webchatLiveHandler({
      doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })),
      queue: new SqsEnvelopeQueue(sdkSendMessageBatch(new SQSClient({ region: 'eu-west-1' })), QUEUE_URL),
      management: { endpoint, credentials: () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' }) },
    });
  });
  afterAll(async () => {
    process.env = saved;
    warn.mockRestore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    ddb.reset();
    sqs.reset();
    warn.mockClear();
    posted.splice(0);
    deleted.splice(0);
    status = 200;
    table({ session });
  });

  it('answers a ping with a pong posted to the connection, reading its session (two GetItem)', async () => {
    expect(await handler(frame('{"type":"ping"}'))).toEqual({ statusCode: 200 });
    expect(posted).toEqual([{ url: '/live/@connections/conn-1', body: '{"type":"pong"}' }]);
    expect(ddb.calls()).toHaveLength(2);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it.each([
    ['has expired', { ...session, expiresAt: '2020-01-01T00:00:00.000Z' }],
    ['was ended or erased', undefined],
  ])('closes the socket at a ping when its session %s', async (_, kept) => {
    table({ session: kept });
    expect(await handler(frame('{"type":"ping"}'))).toEqual({ statusCode: 200 });
    expect(posted).toEqual([]);
    expect(deleted).toEqual(['/live/@connections/conn-1']);
  });

  it("closes the socket at a ping when an erasure took the connection's own item (no session to read)", async () => {
    expect(await handler(frame('{"type":"ping"}', 'conn-2'))).toEqual({ statusCode: 200 });
    expect(posted).toEqual([]);
    expect(deleted).toEqual(['/live/@connections/conn-2']);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('logs a pong API Gateway refuses, without throwing', async () => {
    status = 500;
    expect(await handler(frame('{"type":"ping"}'))).toEqual({ statusCode: 500 });
    expect(warn).toHaveBeenCalledWith('web-chat pong failed', expect.anything());
  });

  it.each([
    ['not JSON', '{"type":'],
    ['oversized', JSON.stringify({ type: 'read', messageIds: ['x'.repeat(9000)] })],
    ['an unknown type', '{"type":"typing"}'],
    ['JSON null', 'null'],
    ['no body', null],
    ['a read without ids', '{"type":"read"}'],
    ['a read with too many ids', JSON.stringify({ type: 'read', messageIds: Array(500).fill('m') })],
  ])('refuses %s with a log line, touching nothing', async (_, body) => {
    expect(await handler(frame(body))).toEqual({ statusCode: 400 });
    expect(warn).toHaveBeenCalledWith('web-chat visitor frame refused', expect.anything());
    expect(ddb.calls()).toHaveLength(0);
    expect(posted).toHaveLength(0);
  });

  it('refuses a binary frame', async () => {
    expect(await handler({ ...frame('AAAA'), isBase64Encoded: true })).toEqual({ statusCode: 400 });
  });

  it("marks a read as the connection's session, counting it against the session's read rate", async () => {
    const answer = await handler(frame('{"type":"read","messageIds":["reply:m-1"]}'));
    expect(warn.mock.calls).toEqual([]);
    expect(answer).toEqual({ statusCode: 200 });
    const reads = ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key?.pk);
    expect(reads).toEqual(['WEBCHAT_CONN#conn-1', `WEBCHAT_SESSION#${session.tokenHash}`, ...reads.slice(2)]);
    const rate = ddb
      .commandCalls(UpdateCommand)
      .map((c) => (c.args[0].input as UpdateCommandInput).Key?.pk as string);
    expect(rate).toEqual([expect.stringContaining(session.tokenHash)]);
    expect(rate[0]).toMatch(/^WEBCHAT_RATE#/);
    // An unknown visitor has no replies to mark: nothing is queued.
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses a read on a connection that kept no session, or whose session has ended', async () => {
    expect(await handler(frame('{"type":"read","messageIds":["reply:m-1"]}', 'conn-2'))).toEqual({
      statusCode: 400,
    });
    table({ session: { ...session, expiresAt: '2020-01-01T00:00:00.000Z' } });
    expect(await handler(frame('{"type":"read","messageIds":["reply:m-1"]}'))).toEqual({ statusCode: 400 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("keeps the session's hash (never the token) on the connection at $connect, for its frames", async () => {
    const connect = {
      requestContext: { eventType: 'CONNECT', routeKey: '$connect', connectionId: 'conn-1' },
      queryStringParameters: { session: token },
    };
    expect(await handler(connect)).toEqual({ statusCode: 200 });
    const kept = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input as UpdateCommandInput)
      .find((input) => input.ExpressionAttributeValues?.[':session'] !== undefined);
    expect(kept?.Key).toEqual({ pk: 'WEBCHAT_CONN#conn-1', sk: expect.any(String) });
    expect(kept?.ExpressionAttributeValues?.[':session']).toBe(session.tokenHash);
    expect(JSON.stringify(ddb.calls().map((c) => c.args[0].input))).not.toContain(token);
  });

  describe('a session holds at most ten sockets', () => {
    const connect = {
      requestContext: { eventType: 'CONNECT', routeKey: '$connect', connectionId: 'conn-new' },
      queryStringParameters: { session: token },
    };
    const socketsKey = Keys.webchatSessionSockets(session.tokenHash);
    const slots = Array.from({ length: 11 }, (_, n) => `2026-12-05T10:00:${10 + n}.000Z conn-${n}`);
    const onSocketsItem = () =>
      ddb
        .commandCalls(UpdateCommand)
        .map((c) => c.args[0].input as UpdateCommandInput)
        .filter((input) => input.Key?.pk === socketsKey.pk);

    it("closes the session's oldest socket past ten at $connect: the frame saying why, then the close", async () => {
      ddb.on(UpdateCommand, { Key: socketsKey }).resolves({ Attributes: { sockets: new Set(slots) } });
      expect(await handler(connect)).toEqual({ statusCode: 200 });
      expect(posted).toEqual([{ url: '/live/@connections/conn-0', body: '{"type":"replaced"}' }]);
      expect(deleted).toEqual(['/live/@connections/conn-0']);
      const [hold, trim, ...more] = onSocketsItem();
      expect(hold?.UpdateExpression).toBe('ADD sockets :slot SET #ttl = :ttl');
      expect(trim?.UpdateExpression).toBe('DELETE sockets :slots');
      expect(trim?.ExpressionAttributeValues?.[':slots']).toEqual(new Set([slots[0]]));
      expect(more).toEqual([]);
      // The connection keeps its slot, so its `$disconnect` takes it out of the list.
      const own = ddb
        .commandCalls(UpdateCommand)
        .map((c) => c.args[0].input as UpdateCommandInput)
        .find((input) => input.Key?.pk === 'WEBCHAT_CONN#conn-new');
      expect(own?.ExpressionAttributeValues?.[':slot']).toMatch(/ conn-new$/);
    });

    it('writes the list once and closes nothing while the session holds ten or fewer', async () => {
      ddb
        .on(UpdateCommand, { Key: socketsKey })
        .resolves({ Attributes: { sockets: new Set(slots.slice(1)) } });
      expect(await handler(connect)).toEqual({ statusCode: 200 });
      expect(onSocketsItem()).toHaveLength(1);
      expect(posted).toEqual([]);
      expect(deleted).toEqual([]);
    });

    it('refuses a connect with 429 when a flood of connects has filled the list', async () => {
      const full = new ConditionalCheckFailedException({ message: 'full', $metadata: {} });
      ddb.on(UpdateCommand, { Key: socketsKey }).rejects(full);
      expect(await handler(connect)).toEqual({ statusCode: 429 });
      expect(ddb.commandCalls(PutCommand)).toEqual([]);
    });

    it("takes a closed socket's slot out of its session's list at $disconnect", async () => {
      const slot = '2026-12-05T10:00:00.000Z conn-1';
      ddb.on(GetCommand, { Key: { pk: 'WEBCHAT_CONN#conn-1', sk: 'CONN' } }).resolves({
        Item: { pk: 'WEBCHAT_CONN#conn-1', sk: 'CONN', session: session.tokenHash, slot },
      });
      ddb.on(DeleteCommand).resolves({});
      const disconnect = { requestContext: { eventType: 'DISCONNECT', connectionId: 'conn-1' } };
      expect(await handler(disconnect)).toEqual({ statusCode: 200 });
      const [release] = onSocketsItem();
      expect(release?.UpdateExpression).toBe('DELETE sockets :slots');
      expect(release?.ExpressionAttributeValues?.[':slots']).toEqual(new Set([slot]));
    });
  });

  it('refuses a read over the rate, without throwing', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { hits: 10_000 } });
    expect(await handler(frame('{"type":"read","messageIds":["reply:m-1"]}'))).toEqual({ statusCode: 400 });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('writes only under the partitions its role may write, and uses each of them', async () => {
    // Seventeen days into a 30-day session: using it renews it (its link, then its item).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-20T12:00:00.000Z'));
    try {
      table({ session: { ...session, expiresAt: '2027-01-02T11:00:00.000Z' } });
      const followed = [{ pk: 'WEBCHAT_LIVE#cu-1', sk: 'CONN#conn-1' }].map((key) => JSON.stringify(key));
      ddb.on(GetCommand, { Key: { pk: 'WEBCHAT_CONN#conn-1', sk: 'CONN' } }).resolves({
        Item: {
          pk: 'WEBCHAT_CONN#conn-1',
          sk: 'CONN',
          session: session.tokenHash,
          followed: new Set(followed),
        },
      });
      ddb.on(PutCommand).resolves({});
      ddb.on(DeleteCommand).resolves({});
      const connect = {
        requestContext: { eventType: 'CONNECT', routeKey: '$connect', connectionId: 'conn-1' },
        queryStringParameters: { session: token },
      };
      expect(await handler(connect)).toEqual({ statusCode: 200 });
      expect(await handler(frame('{"type":"read","messageIds":["reply:m-1"]}'))).toEqual({ statusCode: 200 });
      const disconnect = { requestContext: { eventType: 'DISCONNECT', connectionId: 'conn-1' } };
      expect(await handler(disconnect)).toEqual({ statusCode: 200 });
    } finally {
      vi.useRealTimers();
    }
    const writes = partitionCalls(ddb).filter((call) => call.kind === 'write');
    expect(outsidePartitions(writes, visitorSocketWrites)).toEqual([]);
    expect(prefixesUsed(writes, visitorSocketWrites)).toEqual(visitorSocketWrites);
  });
});
