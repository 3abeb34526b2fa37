import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

describe('replyRepository.claimSend of a reply that failed', () => {
  const links = { linkOutbound: async () => false, linkThread: async () => {} };
  const now = new Date('2025-06-08T21:05:00.000Z');
  const condition = new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
  const stored = (item: Record<string, unknown>) => {
    ddb.reset();
    ddb.on(UpdateCommand).rejectsOnce(condition).resolves({});
    ddb.on(GetCommand).resolves({ Item: { status: 'failed', sendFailedAt: AT, ...item } });
  };

  it('claims again one given up on after retries (a redrive), its failure taken off in the claim', async () => {
    stored({ sendGaveUp: true, errors: [{ code: 'gave_up', message: 'no answer' }] });
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toBe('retry');
    const [, retry] = ddb.commandCalls(UpdateCommand);
    expect(retry?.args[0].input).toMatchObject({
      UpdateExpression:
        'SET sendLeaseUntil = :until, #status = :queued, statusRank = :rank, statusAt = :now REMOVE sendFailedAt, sendGaveUp, errors',
      ConditionExpression:
        'sendFailedAt = :failedAt AND attribute_not_exists(providerMessageId) AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)',
      ExpressionAttributeValues: expect.objectContaining({
        ':failedAt': AT,
        ':queued': 'queued',
        ':rank': 0,
      }),
    });
    // One given up on before `sendGaveUp` was stored, by its code.
    stored({ errors: [{ code: 'gave_up', message: 'no answer' }] });
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toBe('retry');
    // Another redelivery claimed it first.
    stored({ sendGaveUp: true });
    ddb.on(UpdateCommand).rejects(condition);
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toBe('busy');
  });

  it('leaves refused one the provider refused for good, or took (a status recorded its id)', async () => {
    stored({ errors: [{ code: '21211', message: 'invalid number' }] });
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toEqual({ refused: '21211' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    stored({ sendGaveUp: true, providerMessageId: 'SM1', errors: [{ code: 'gave_up' }] });
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toEqual({ refused: 'gave_up' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
