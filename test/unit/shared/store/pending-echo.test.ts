import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { echoOfPendingReply } from '#shared/store/pending-echo.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const ECHO_SK = 'TIMELINE#2025-06-10T10:00:09.000Z#instagram:msg:ig_echo';

const echo: TimelineItem = {
  id: 'instagram:msg:ig_echo',
  customerId: 'cu_1',
  type: 'message',
  direction: 'outbound',
  channel: 'instagram',
  at: '2025-06-10T10:00:09.000Z',
  conversationId: 'cv_1',
  providerMessageId: 'ig_echo',
  text: 'Yes, two left.',
} as TimelineItem;

/** A reply as the projected Query reads it: no `pk`; an AI reply's id and customer only in its key. */
const reply = (id: string, placed: string, fields: Record<string, unknown>) => ({
  sk: `TIMELINE#${placed}#${id}`,
  type: 'message',
  direction: 'outbound',
  channel: 'instagram',
  at: placed,
  conversationId: 'cv_1',
  status: 'queued',
  ...fields,
});

describe('the Instagram echo’s look for our reply being sent', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
  });

  it('reads an AI reply that keeps its customer in its key only, and finds it', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [reply('reply:ai:instagram:msg:q1', '2025-06-10T10:00:05.001Z', { text: 'Yes, two left.' })],
    });
    const key = await echoOfPendingReply(db, echo, ECHO_SK);
    expect(key).toBeDefined();
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('passes over an item that does not read, and still answers for the echo', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        // Unreadable: no type, a time that is no time.
        { sk: 'TIMELINE#2025-06-10T10:00:08.000Z#reply:broken', at: 'yesterday' },
        reply('reply:ai:instagram:msg:q1', '2025-06-10T10:00:05.001Z', { text: 'Something else.' }),
      ],
    });
    await expect(echoOfPendingReply(db, echo, ECHO_SK)).resolves.toBeUndefined();
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
