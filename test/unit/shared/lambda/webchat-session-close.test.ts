import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebchatApp } from '#shared/api/webchat/app.js';
import type { EndSockets } from '#shared/app/end-webchat-session.js';
import { newSessionToken, sessionTokenHash, type WebchatSession } from '#shared/domain/webchat/session.js';
import { lambdaWebchatDeps } from '#shared/lambda/webchat.js';
import { sessionSocketsCloser } from '#shared/lambda/webchat-live.js';
import { logger } from '#shared/log.js';
import { dynamoRepositories, webchatPorts } from '#shared/store/dynamo-repositories.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const TABLE = 'threadline';
const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/live';

const token = newSessionToken();
const session: WebchatSession = {
  tokenHash: sessionTokenHash(token),
  visitor: { kind: 'webchat_user', value: 'user-1' },
  createdAt: '2026-12-06T11:00:00.000Z',
  expiresAt: '2026-12-06T13:00:00.000Z',
};
const socketsKey = Keys.webchatSessionSockets(session.tokenHash);

/** The table: the session, and its list of sockets as `slots` says (none: no list). */
function table(slots: readonly string[]) {
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk === Keys.webchatSession(session.tokenHash).pk) return { Item: { ...input.Key, ...session } };
    if (pk === socketsKey.pk && slots.length > 0) return { Item: { ...socketsKey, sockets: new Set(slots) } };
    return {};
  });
  ddb.on(PutCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
}

describe("DELETE /webchat/sessions on AWS closes the session's sockets at once", () => {
  const deleted: Array<string | undefined> = [];
  const statusOf = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'DELETE') deleted.push(req.url);
      const status = statusOf.get(req.url ?? '') ?? 204;
      res
        .writeHead(status, { 'Content-Type': 'application/json' })
        .end(status === 410 ? '{"message":"Gone"}' : '');
    });
  });
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  let endSockets: EndSockets;

  const app = () =>
    createWebchatApp({
      store: webchatPorts(
        dynamoRepositories(documentClient(new DynamoDBClient({ region: 'eu-west-1' })), TABLE),
      ),
      queue: { enqueue: async () => undefined },
      clock: { now: () => new Date('2026-12-06T12:00:00.000Z') },
      allowedOrigins: [],
      addressOf: () => '203.0.113.9',
      endSockets,
    });
  const end = () =>
    app().request('/webchat/sessions', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const credentials = () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' });
    const closer = sessionSocketsCloser(
      { TABLE_NAME: TABLE, WEBCHAT_LIVE_ENDPOINT: ENDPOINT },
      documentClient(new DynamoDBClient({ region: 'eu-west-1' })),
      { endpoint, credentials },
    );
    if (!closer) throw new Error('no closer with an endpoint');
    endSockets = closer;
  });
  afterAll(async () => {
    warn.mockRestore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    ddb.reset();
    warn.mockClear();
    deleted.splice(0);
    statusOf.clear();
  });

  it('ends the session, then closes each of its sockets with DELETE @connections/<id>: one GetItem more', async () => {
    table(['2026-12-06T11:00:01.000Z conn-a', '2026-12-06T11:30:00.000Z conn-b=']);
    expect((await end()).status).toBe(204);
    expect(deleted.sort()).toEqual(['/live/@connections/conn-a', '/live/@connections/conn-b%3D']);
    // The session's tombstone was written before any socket was closed.
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    const reads = ddb.commandCalls(GetCommand).map((c) => String(c.args[0].input.Key?.pk));
    expect(reads).toEqual([Keys.webchatSession(session.tokenHash).pk, socketsKey.pk]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('closes nothing for a session with no socket open (no list)', async () => {
    table([]);
    expect((await end()).status).toBe(204);
    expect(deleted).toEqual([]);
  });

  it('takes a socket already gone (410) as closed, with no warning', async () => {
    table(['2026-12-06T11:00:01.000Z conn-a']);
    statusOf.set('/live/@connections/conn-a', 410);
    expect((await end()).status).toBe(204);
    expect(deleted).toEqual(['/live/@connections/conn-a']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('answers 204 when a close fails otherwise, logs it, and still closes the others', async () => {
    table(['2026-12-06T11:00:01.000Z conn-a', '2026-12-06T11:00:02.000Z conn-b']);
    statusOf.set('/live/@connections/conn-a', 500);
    expect((await end()).status).toBe(204);
    expect(deleted.sort()).toEqual(['/live/@connections/conn-a', '/live/@connections/conn-b']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/not closed/);
  });

  it("answers 204 when the session's list cannot be read, and logs it (the sockets close at their ping)", async () => {
    table([]);
    ddb
      .on(GetCommand, { Key: socketsKey })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    expect((await end()).status).toBe(204);
    expect(deleted).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('is not made without the endpoint (a deployment without the visitors’ socket API)', () => {
    expect(
      sessionSocketsCloser({ TABLE_NAME: TABLE }, documentClient(new DynamoDBClient({}))),
    ).toBeUndefined();
  });

  it('is given to the web-chat function when the stack sets WEBCHAT_LIVE_ENDPOINT, and only then', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        TABLE_NAME: TABLE,
        INBOUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound',
        WEBCHAT_IDENTITY_SECRET: 'x'.repeat(32),
      });
      delete process.env.WEBCHAT_LIVE_ENDPOINT;
      expect((await lambdaWebchatDeps()).endSockets).toBeUndefined();
      process.env.WEBCHAT_LIVE_ENDPOINT = ENDPOINT;
      expect((await lambdaWebchatDeps()).endSockets).toBeTypeOf('function');
    } finally {
      process.env = saved;
    }
  });
});
