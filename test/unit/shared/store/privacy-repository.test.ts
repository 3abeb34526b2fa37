import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { GoneError } from '#shared/errors.js';
import { documentClient } from '#shared/store/dynamo-client.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';

const ddb = mockClient(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const profile = {
  entity: 'customer',
  id: 'cu_1',
  identities: new Set(['phone#+1']),
  conversationIds: new Set(['cv_1']),
  mentioned: new Set(['email#a@x.io']),
};

function repository() {
  return privacyRepository(db, {
    customers: { mergedPartitions: vi.fn(async () => ['cu_1']) },
    conversations: { getConversation: vi.fn(async () => undefined) },
    suggestions: { suggestionsOn: vi.fn(async () => []) },
    timeline: {
      timeline: vi.fn(async () => ({ items: [], cursor: null })),
      deleteRawPayloads: vi.fn(async () => 0),
    },
  });
}

describe('privacyRepository', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: profile });
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) =>
      input.ExpressionAttributeValues[':pk'] === 'CUSTOMER#cu_1'
        ? {
            Items: [{ pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#t#m1', channel: 'sms', providerMessageId: 'SM1' }],
          }
        : { Items: [] },
    );
    ddb.on(DeleteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
  });

  it('deletes identities, mentions, conversations and the timeline, and writes the tombstone last', async () => {
    const report = await repository().erase('cu_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(report).toEqual({
      customerId: 'cu_1',
      erasedAt: '2025-06-10T09:00:00.000Z',
      erasedBy: 'ag_1',
      customers: 1,
      identities: 1,
      timelineItems: 1,
      conversations: 1,
    });
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.pk)).toEqual([
      'IDENTITY#phone#+1',
      'MENTION#email#a@x.io',
      'CONVERSATION#cv_1',
      'MESSAGE#sms#SM1',
      'CUSTOMER#cu_1',
    ]);
    const last = ddb.calls().at(-1)?.args[0];
    expect(last).toBeInstanceOf(PutCommand);
    expect((last as PutCommand).input.Item).toMatchObject({ entity: 'erased_customer', ...report });
  });

  it('refuses to export an erased customer', async () => {
    ddb.on(GetCommand).resolves({ Item: { entity: 'erased_customer', id: 'cu_1' } });
    await expect(repository().export('cu_1', 'n')).rejects.toBeInstanceOf(GoneError);
  });
});
