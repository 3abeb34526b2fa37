import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextConversationId } from '#shared/domain/conversation.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { exportedProfile, plainValue } from '#shared/store/export-records.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const FIRST = nextConversationId('cu_1', undefined);

describe('plainValue', () => {
  it('writes every set as a sorted array, however deep, and binary as base64', () => {
    const stored = {
      tags: new Set(['vip', 'carla-tag']),
      counts: new Set([10, 2]),
      nested: { list: [{ set: new Set(['b', 'a']) }], data: new Uint8Array([104, 105]) },
      name: 'Carla',
      n: 3,
      none: null,
    };
    expect(plainValue(stored)).toEqual({
      tags: ['carla-tag', 'vip'],
      counts: [2, 10],
      nested: { list: [{ set: ['a', 'b'] }], data: 'aGk=' },
      name: 'Carla',
      n: 3,
      none: null,
    });
    expect(JSON.stringify(plainValue({ s: new Set(['x']) }))).toBe('{"s":["x"]}');
  });
});

describe('exportedProfile', () => {
  it('leaves out the keys, names the conversations, and says an agent gave the name', () => {
    const item = {
      pk: 'CUSTOMER#cu_1',
      sk: 'PROFILE',
      gsi1pk: 'NAME#c',
      gsi1sk: 'carla#cu_1',
      gsi3pk: 'LIST#1',
      gsi3sk: 'x',
      id: 'cu_1',
      name: 'Carla Gómez',
      nameAt: '0000-01-01T00:00:00.000Z',
      nameRev: 1,
      tags: new Set(['vip']),
      conversationIds: new Set(['cv_old']),
    };
    expect(exportedProfile(item, ['cv_2', 'cv_1'])).toEqual({
      id: 'cu_1',
      name: 'Carla Gómez',
      nameGivenBy: 'agent',
      nameRev: 1,
      tags: ['vip'],
      conversationIds: ['cv_1', 'cv_2'],
    });
  });

  it('keeps the time of a name a message gave', () => {
    const item = { id: 'cu_1', name: 'Carla', nameAt: '2025-06-08T20:59:43.000Z' };
    expect(exportedProfile(item, [])).toEqual({ ...item, conversationIds: [] });
  });
});

describe('privacyRepository.export', () => {
  const conversation = { id: 'cv_2', customerId: 'cu_1', channels: new Set(['sms']) };

  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'CUSTOMER#cu_1',
        sk: 'PROFILE',
        entity: 'customer',
        id: 'cu_1',
        identities: new Set(['phone#+1']),
        tags: new Set(['vip', 'carla-tag']),
        // A set no schema names: written as an array all the same.
        someSet: new Set(['z', 'y']),
        conversationIds: new Set(['cv_gone']),
      },
    });
    // The conversations' memberships; none of the identity's contact states or web-chat sessions, nor
    // audit records naming the customer.
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
      const pk = String(input.ExpressionAttributeValues?.[':pk'] ?? '');
      const elsewhere = ['CONTACT#', 'WEBCHAT_SESSIONS#', 'AUDIT#'].some((prefix) => pk.startsWith(prefix));
      return { Items: elsewhere ? [] : [{ conversationId: 'cv_2' }] };
    });
  });

  it('holds no set anywhere, and each profile names the conversations the export holds', async () => {
    const getConversation = vi.fn(async (id: string) =>
      id === 'cv_2' ? (conversation as unknown as Conversation) : undefined,
    );
    const privacy = privacyRepository(db, {
      customers: { mergedPartitions: vi.fn(async () => ['cu_1']) },
      conversations: { getConversation },
      suggestions: { suggestionsOn: vi.fn(async () => []) },
      timeline: {
        timeline: vi.fn(async () => ({ items: [], cursor: null })),
        rawPayloads: vi.fn(async () => []),
      },
    } as unknown as Parameters<typeof privacyRepository>[1]);
    const data = await privacy.export('cu_1', '2025-06-10T09:00:00.000Z');
    expect(getConversation.mock.calls.map(([id]) => id).sort()).toEqual([FIRST, 'cv_2', 'cv_gone'].sort());
    expect(data.customers).toEqual([
      {
        entity: 'customer',
        id: 'cu_1',
        identities: ['phone#+1'],
        tags: ['carla-tag', 'vip'],
        someSet: ['y', 'z'],
        conversationIds: ['cv_2'],
      },
    ]);
    expect(data.conversations).toEqual([{ id: 'cv_2', customerId: 'cu_1', channels: ['sms'] }]);
  });
});
