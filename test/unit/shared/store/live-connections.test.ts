import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { liveConnectionRepository } from '#shared/store/live-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const NOW = Date.parse('2026-12-05T07:00:00.000Z');

describe('liveConnectionRepository', () => {
  beforeEach(() => ddb.reset());

  it('keeps when a socket’s token expires and lists it back, so the fan-out can close it then', async () => {
    ddb.on(PutCommand).resolves({});
    const repo = liveConnectionRepository(db);
    await repo.add({ connectionId: 'c1', agentId: 'ana', expiresAt: NOW + 3_600_000 }, NOW);
    await repo.add({ connectionId: 'c2', agentId: 'bo' }, NOW);
    const items = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item ?? {});
    expect(items.map((item) => item?.expiresAt)).toEqual([NOW + 3_600_000, undefined]);
    expect(items[1]).not.toHaveProperty('expiresAt');
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'LIVE_CONN#0' } }).resolves({ Items: items });
    const listed = await repo.list();
    for (const call of ddb.commandCalls(QueryCommand)) {
      expect(call.args[0].input.ProjectionExpression).toContain('expiresAt');
    }
    expect(listed).toEqual([
      { connectionId: 'c1', agentId: 'ana', expiresAt: NOW + 3_600_000 },
      { connectionId: 'c2', agentId: 'bo' },
    ]);
  });
});
