import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError } from '#shared/errors.js';
import { conversationRepository } from '#shared/store/conversation-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const conversation = {
  pk: 'CONVERSATION#cv_1',
  sk: 'CONVERSATION',
  entity: 'conversation',
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'sms',
  channels: new Set(['sms']),
  createdAt: '2025-06-10T08:00:00.000Z',
  assignee: 'ag_0',
  queue: 'billing',
};

function repository() {
  const timeline = { putTimelineItem: vi.fn(async (_item: TimelineItem, _raw: unknown) => true) };
  return { conversations: conversationRepository(db, timeline), timeline };
}

describe('conversationRepository', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: conversation });
    ddb.on(UpdateCommand).resolves({});
  });

  it('records an assignment with who had the conversation and who has it now', async () => {
    const { conversations, timeline } = repository();
    await conversations.assign('cv_1', { agentId: 'ag_1' }, 'ag_9', '2025-06-10T09:00:00.000Z');
    expect(timeline.putTimelineItem.mock.calls[0]?.[0]).toEqual({
      id: 'assigned:cv_1:2025-06-10T09:00:00.000Z',
      type: 'event',
      event: 'assigned',
      at: '2025-06-10T09:00:00.000Z',
      customerId: 'cu_1',
      data: {
        conversationId: 'cv_1',
        from: { agentId: 'ag_0', queue: 'billing' },
        to: { agentId: 'ag_1', queue: 'billing' },
        by: 'ag_9',
      },
    });
  });

  it('resolves the conversation before letting the profile go of it, then records the event', async () => {
    const { conversations, timeline } = repository();
    // The write answers the conversation as it left it, its customer with it.
    ddb
      .on(UpdateCommand, { Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' } })
      .resolves({ Attributes: { ...conversation, status: 'resolved' } });
    await conversations.resolveConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key)).toEqual([
      { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
    ]);
    expect(timeline.putTimelineItem.mock.calls[0]?.[0]).toMatchObject({
      id: 'resolved:cv_1:2025-06-10T09:00:00.000Z',
      event: 'resolved',
    });
  });

  it('leaves an open conversation alone when asked to reopen it', async () => {
    const { conversations, timeline } = repository();
    await conversations.reopenConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    // Only its assignee's count is made sure of (a retry after a crash may have left it): no status write.
    const updates = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((input) => input.UpdateExpression)).toEqual([
      'ADD #set :members',
      'ADD #set :members',
    ]);
    expect(updates.map((input) => input.Key?.pk)).toEqual(['CONVERSATION#cv_1', 'AGENT#ag_0']);
    expect(timeline.putTimelineItem).not.toHaveBeenCalled();
  });

  it('answers NotFoundError for a note on a conversation that does not exist', async () => {
    ddb.on(GetCommand).resolves({});
    const { conversations } = repository();
    await expect(conversations.addNote('cv_9', 'hi', 'ag_1', 'n', 'no_1')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
