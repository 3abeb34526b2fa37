import { describe, expect, it } from 'vitest';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import {
  claimSendInput,
  getReplyInput,
  putReplyInput,
  settleSendInput,
} from '#shared/store/params/replies.js';

const message: OutboundMessage = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2025-06-08T21:00:00.000Z',
  channel: 'sms',
  to: { kind: 'phone', value: '+16505551234' },
  text: 'hello',
  author: { kind: 'agent', id: 'ag_1' },
});
const itemKey = { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2025-06-08T21:00:00.000Z#reply:rp_1' };

describe('reply params', () => {
  it('records a reply once under its id, its text left to its timeline item, and reads it back strongly', () => {
    const { text: _text, ...withoutText } = message;
    expect(putReplyInput('t', message)).toEqual({
      TableName: 't',
      Item: {
        pk: 'REPLY#rp_1',
        sk: 'REPLY',
        entity: 'reply',
        customerId: 'cu_1',
        message: JSON.stringify(withoutText),
        textOnTimeline: true,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(getReplyInput('t', 'rp_1')).toEqual({
      TableName: 't',
      Key: { pk: 'REPLY#rp_1', sk: 'REPLY' },
      ConsistentRead: true,
    });
  });

  it('claims an unsent reply for the lease unless someone holds an unexpired one', () => {
    expect(claimSendInput('t', message, new Date('2025-06-08T21:00:05.000Z'), 60_000)).toEqual({
      TableName: 't',
      Key: itemKey,
      UpdateExpression: 'SET sendLeaseUntil = :until',
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(providerMessageId) AND attribute_not_exists(sendFailedAt) AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)',
      ExpressionAttributeValues: {
        ':until': '2025-06-08T21:01:05.000Z',
        ':now': '2025-06-08T21:00:05.000Z',
      },
    });
  });

  it("records the provider's id, or the failure, and lets go of the lease", () => {
    expect(settleSendInput('t', message, { providerMessageId: 'SM123' })).toEqual({
      TableName: 't',
      Key: itemKey,
      UpdateExpression: 'SET providerMessageId = :pmid REMOVE sendLeaseUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':pmid': 'SM123' },
    });
    expect(settleSendInput('t', message, { failedAt: '2025-06-08T21:00:06.000Z' })).toEqual({
      TableName: 't',
      Key: itemKey,
      UpdateExpression: 'SET sendFailedAt = :at REMOVE sendLeaseUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:06.000Z' },
    });
    // Given up after retries: marked so, for a redrive to claim it again.
    expect(
      settleSendInput('t', message, { failedAt: '2025-06-08T21:00:06.000Z', gaveUp: true }),
    ).toMatchObject({
      UpdateExpression: 'SET sendFailedAt = :at, sendGaveUp = :gaveUp REMOVE sendLeaseUntil',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:06.000Z', ':gaveUp': true },
    });
  });

  it('keeps the Message-ID an email reply was sent with, in the same write (erasure finds its thread link by it)', () => {
    const settled = settleSendInput('t', message, {
      providerMessageId: 'ses-1',
      messageIdHeader: '<u1@shop.example>',
    });
    expect(settled.UpdateExpression).toBe(
      'SET providerMessageId = :pmid, messageIdHeader = :mih REMOVE sendLeaseUntil',
    );
    expect(settled.ExpressionAttributeValues).toEqual({ ':pmid': 'ses-1', ':mih': '<u1@shop.example>' });
  });

  it('records the send and its status in one write', () => {
    const sent = { status: 'sent' as const, at: '2025-06-08T21:00:06.000Z' };
    expect(settleSendInput('t', message, { providerMessageId: 'SM123' }, sent)).toEqual({
      TableName: 't',
      Key: itemKey,
      UpdateExpression:
        'SET providerMessageId = :pmid, #status = :status, statusRank = :rank, statusAt = :statusAt REMOVE sendLeaseUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pmid': 'SM123', ':status': 'sent', ':rank': 1, ':statusAt': sent.at },
    });
  });
});
