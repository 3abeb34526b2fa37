import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { replyRepository } from '#shared/store/reply-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const message = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2025-06-08T21:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+447700900123' },
  text: 'on its way',
  author: { kind: 'ai', id: 'responder' },
});
const AT = '2025-06-08T21:00:01.000Z';

describe('replyRepository.recordSent', () => {
  const links = { linkOutbound: vi.fn(async () => false), linkThread: vi.fn(async () => {}) };
  beforeEach(() => {
    ddb.reset();
    links.linkOutbound.mockClear();
    ddb.on(UpdateCommand).resolves({});
  });

  it('records the provider id and `sent` forward only, and links no reference when statuses carry the key', async () => {
    await replyRepository(db, links).recordSent(
      message,
      { providerMessageId: 'wamid.1', keyEchoed: true },
      AT,
    );
    const [update] = ddb.commandCalls(UpdateCommand);
    expect(update?.args[0].input.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
    );
    expect(update?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':pmid': 'wamid.1',
      ':status': 'sent',
    });
    expect(links.linkOutbound).not.toHaveBeenCalled();
  });

  it('links the reference when the provider will not hand the key back', async () => {
    await replyRepository(db, links).recordSent(message, { providerMessageId: 'm_1' }, AT);
    expect(links.linkOutbound).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'reply:rp_1', providerMessageId: 'm_1' }),
      'sent',
    );
  });

  it('keeps a later status that came first, recording the provider id alone', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'ahead', $metadata: {} }))
      .resolves({});
    await replyRepository(db, links).recordSent(
      message,
      { providerMessageId: 'wamid.1', keyEchoed: true },
      AT,
    );
    const [, second] = ddb.commandCalls(UpdateCommand);
    expect(second?.args[0].input.UpdateExpression).toBe(
      'SET providerMessageId = :pmid REMOVE sendLeaseUntil',
    );
    expect(second?.args[0].input.ConditionExpression).toBe('attribute_exists(pk)');
  });

  it('answers whether a failed status came first: left by a keyed status, or held by the reference', async () => {
    const ahead = new ConditionalCheckFailedException({ message: 'ahead', $metadata: {} });
    ddb
      .on(UpdateCommand)
      .rejectsOnce(ahead)
      .resolves({ Attributes: { status: 'failed' } });
    const keyed = { providerMessageId: 'wamid.1', keyEchoed: true };
    expect(await replyRepository(db, links).recordSent(message, keyed, AT)).toBe(true);
    const [, second] = ddb.commandCalls(UpdateCommand);
    expect(second?.args[0].input.ReturnValues).toBe('ALL_NEW');
    ddb.reset();
    ddb
      .on(UpdateCommand)
      .rejectsOnce(ahead)
      .resolves({ Attributes: { status: 'read' } });
    expect(await replyRepository(db, links).recordSent(message, keyed, AT)).toBe(false);
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
    expect(await replyRepository(db, links).recordSent(message, keyed, AT)).toBe(false);
    // The first write asks nothing back: the ordinary send costs what it did.
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ReturnValues).toBeUndefined();
    links.linkOutbound.mockResolvedValueOnce(true);
    expect(await replyRepository(db, links).recordSent(message, { providerMessageId: 'm_1' }, AT)).toBe(true);
  });
});
